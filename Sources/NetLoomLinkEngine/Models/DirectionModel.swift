/// Why a frame was not delivered.
public enum DropReason: Int, Sendable, CaseIterable {
    /// The loss model (random or Gilbert-Elliott).
    case loss
    /// Drop-tail: the rate stage's queue was at its limit.
    case queueFull
    /// CoDel dropped it.
    case aqm
    /// The engine's frame buffer for this direction was full (the delay line holds
    /// more than the buffer was sized for).
    case noBuffer
    /// Sending failed because the wire end was down (ENETDOWN, ENXIO).
    case linkDown
    /// Sending failed for another reason, or the frame was truncated on receive.
    case error
}

/// What happens to one frame (or one copy of it).
enum Fate: Equatable {
    case drop(DropReason)
    /// Leaves the engine at `release` (nanoseconds); `corrupt`: flip a bit first;
    /// `reordered`: it skipped the delay stage.
    case deliver(release: Int64, corrupt: Bool, reordered: Bool)
}

/// The pure per-direction pipeline: loss, duplication, the rate stage's queue (drop-
/// tail, CoDel) and serialization, delay and jitter, reordering, corruption. It sees
/// times and wire sizes, never bytes or sockets, so every stage is tested with chosen
/// times. The engine calls it once per received frame, in arrival order.
struct DirectionModel {
    private(set) var shaping: DirectionShaping
    private var random: RandomSource
    private var lossModel: LossModel
    private var duplicateEvent: CorrelatedEvent
    private var corruptEvent: CorrelatedEvent
    private var reorderEvent: CorrelatedEvent
    private var jitter: JitterModel
    private(set) var rate: RateServer
    private(set) var queue = ServiceQueue()
    private var codel: CoDel?
    private let queueLimitPackets: Int
    private let queueLimitBytes: Int
    /// The latest release of an in-order frame (keepOrder).
    private(set) var lastRelease: Int64 = .min

    init(_ shaping: DirectionShaping, now: Int64) {
        self.shaping = shaping
        var random = RandomSource(seed: shaping.seed)
        lossModel = LossModel(shaping.loss, random: &random)
        duplicateEvent = CorrelatedEvent(shaping.duplicate, random: &random)
        corruptEvent = CorrelatedEvent(shaping.corrupt, random: &random)
        reorderEvent = CorrelatedEvent(shaping.reorder, random: &random)
        jitter = JitterModel(delay: shaping.delay, jitter: shaping.jitter, distribution: shaping.distribution,
                             correlation: shaping.delayCorrelation, random: &random)
        rate = RateServer(shaping.rate, epoch: now)
        if case .codel(let target, let interval) = shaping.aqm {
            codel = CoDel(target: target, interval: interval)
        }
        switch shaping.queue {
        case .packets(let n): (queueLimitPackets, queueLimitBytes) = (n, .max)
        case .bytes(let n): (queueLimitPackets, queueLimitBytes) = (.max, n)
        }
        self.random = random
    }

    /// A new configuration at a safe point: frames already admitted keep their release
    /// times; the link stays busy until the frames already in service are served, the
    /// backlog and the in-order watermark carry over. Random state restarts from the new
    /// seed when the loss, jitter or probabilities changed.
    mutating func reconfigure(_ new: DirectionShaping, now: Int64) {
        var next = DirectionModel(new, now: now)
        next.rate = RateServer(new.rate, epoch: now, freeAt: rate.freeAt)
        if new.rate == shaping.rate { next.rate = rate }
        next.queue = queue
        next.lastRelease = lastRelease
        self = next
    }

    /// Forgets frames the rate stage has fully served by `now` (for the counters).
    mutating func drainQueue(upTo now: Int64) { queue.drain(upTo: now) }

    var isLossless: Bool { lossModel.isNone }
    var corrupts: Bool { !corruptEvent.isNever }
    /// Whether a frame can need more than one stored copy or a software split (loss per
    /// segment, duplicates, corruption); without these the engine receives straight
    /// into the frame ring.
    var needsCopies: Bool { !lossModel.isNone || !duplicateEvent.isNever || !corruptEvent.isNever }

    /// Random bits for the engine (e.g. which bit a corruption flips).
    @inline(__always)
    mutating func randomBits() -> UInt64 { random.next() }

    /// Decides the loss of one frame (or of one segment of a GSO frame).
    @inline(__always)
    mutating func lose() -> Bool { lossModel.lose(&random) }

    /// Whether a frame is duplicated (decided before loss, as netem does: a lost frame
    /// that was duplicated still delivers its copy).
    @inline(__always)
    mutating func duplicates() -> Bool { duplicateEvent.happens(&random) }

    /// Schedules one copy of a frame that survived loss: queue, rate, delay. A GSO
    /// frame of `segments` wire packets is admitted whole or not at all (the worker
    /// splits one that does not fit, so drop-tail takes single packets as a real queue).
    mutating func schedule(arrival: Int64, wireBytes: Int, segments: Int = 1) -> Fate {
        // Rate stage: backlog at arrival, drop-tail, service in virtual time.
        var serviceEnd = arrival
        if !rate.isUnlimited {
            queue.drain(upTo: arrival)
            if queue.packets + segments > queueLimitPackets || queue.bytes + wireBytes > queueLimitBytes {
                return .drop(.queueFull)
            }
            let start = rate.serviceStart(arrival: arrival)
            if codel != nil, codel!.shouldDrop(now: start, sojourn: start - arrival, backlog: queue.bytes) {
                // It occupied the queue until its dequeue time, but not the link.
                queue.append(end: start, bytes: wireBytes, packets: segments)
                return .drop(.aqm)
            }
            serviceEnd = rate.serve(start: start, bytes: wireBytes)
            queue.append(end: serviceEnd, bytes: wireBytes, packets: segments)
        }
        let corrupt = corruptEvent.happens(&random)
        // netem's reorder: with this probability the frame skips the delay.
        if !reorderEvent.isNever && reorderEvent.happens(&random) {
            return .deliver(release: serviceEnd, corrupt: corrupt, reordered: true)
        }
        var release = serviceEnd + jitter.sample(&random)
        if shaping.keepOrder {
            release = max(release, lastRelease)
            lastRelease = release
        }
        return .deliver(release: release, corrupt: corrupt, reordered: false)
    }

    /// One whole frame through loss, duplication and scheduling, for tests and for
    /// frames that are not split per segment. `first` is the original, `copy` the
    /// duplicate if any.
    mutating func admit(arrival: Int64, wireBytes: Int) -> (first: Fate, copy: Fate?) {
        let duplicated = duplicates()
        let lost = lose()
        let first: Fate = lost ? .drop(.loss) : schedule(arrival: arrival, wireBytes: wireBytes)
        let copy: Fate? = duplicated ? schedule(arrival: arrival, wireBytes: wireBytes) : nil
        return (first, copy)
    }
}
