import CNetLoomShims
import DequeModule
import Glibc
import Logging

/// What a worker needs to run one direction of one link. All values: the worker
/// builds its own mutable state from them on its own thread.
struct DirectionPlan: Sendable {
    var link: String
    var direction: LinkDirection
    var shaping: DirectionShaping
    /// Receiving socket on the ingress wire end.
    var rxFD: Int32
    /// Sending socket on the egress wire end.
    var txFD: Int32
    var counters: CounterCell
}

/// One direction as a worker runs it: the model, the frame buffers, the delay line,
/// the frames due but not yet accepted by the socket, and local counters.
/// Confined to its worker thread.
final class DirectionRuntime {
    let plan: DirectionPlan
    var model: DirectionModel
    /// The current arena is the last; older ones drain after an update that needed more room.
    var arenas: [FrameArena]
    var delayLine = DelayLine()
    var sendQueue: Deque<DelayLine.Entry> = []
    var sendQueueBytes = 0
    var counters: EngineLinkCounters
    var waitingWritable = false
    var retryAt: Int64?
    /// Arrival times never go backwards within a direction.
    var lastArrival: Int64 = .min
    var lead: ReleaseLead
    /// A send found the socket full; cleared when the send queue empties.
    var backpressured = false

    /// Position among the worker's directions (its epoll token).
    let index: Int

    init(plan: DirectionPlan, index: Int, now: Int64, measuresSendLatency: Bool) throws(EngineError) {
        self.plan = plan
        self.index = index
        model = DirectionModel(plan.shaping, now: now)
        lead = ReleaseLead(delay: plan.shaping.delay, measuresSendLatency: measuresSendLatency)
        arenas = [try FrameArena(capacity: FrameArena.capacity(for: plan.shaping))]
        counters = EngineLinkCounters(link: plan.link, direction: plan.direction)
        sendQueue.reserveCapacity(256)
    }

    var arena: FrameArena { arenas[arenas.count - 1] }

    func free(_ slot: FrameArena.Slot) {
        if slot.generation == arena.generation {
            arena.free(slot)
            return
        }
        guard let index = arenas.firstIndex(where: { $0.generation == slot.generation }) else { return }
        arenas[index].free(slot)
        if arenas[index].isEmpty { arenas.remove(at: index) }
    }

    func pointer(_ slot: FrameArena.Slot) -> UnsafeMutableRawPointer {
        if slot.generation == arena.generation { return arena.pointer(slot) }
        return arenas.first(where: { $0.generation == slot.generation })!.pointer(slot)
    }

    func apply(_ shaping: DirectionShaping, now: Int64) throws(EngineError) {
        model.reconfigure(shaping, now: now)
        lead.reconfigure(delay: shaping.delay)
        let needed = FrameArena.capacity(for: shaping)
        if needed > arena.capacity {
            arenas.append(try FrameArena(capacity: needed, generation: arena.generation + 1))
            if arenas[0].isEmpty { arenas.removeFirst() }
        }
    }

    func snapshot(now: Int64) -> EngineLinkCounters {
        var c = counters
        model.drainQueue(upTo: now)
        c.queuePackets = UInt64(model.queue.packets)
        c.queueBytes = UInt64(model.queue.bytes)
        c.delayLinePackets = UInt64(delayLine.count + sendQueue.count)
        c.delayLineBytes = UInt64(delayLine.bytes + sendQueueBytes)
        c.sendLatencyNanoseconds = UInt64(lead.sendLatency.nanoseconds)
        return c
    }
}

/// A dedicated pthread's event loop over a fixed set of directions: epoll over their
/// receiving sockets, the mailbox's eventfd and (while a socket is full) sending
/// sockets, with a nanosecond timeout (epoll_pwait2) set to the next release time.
/// Created and run on its own thread; nothing else touches it.
final class Worker {
    static let receiveSlot = 72 * 1024
    static let segmentCapacity = 512 * 1024
    static let maxSegments = 512
    private static let writableToken: UInt64 = 1 << 32
    private static let mailboxToken = UInt64.max

    let index: Int
    let directions: [DirectionRuntime]
    let mailbox: WorkerMailbox
    let options: LinkEngineOptions
    let logger: Logger
    let clock: any EngineClock
    private let epollFD: Int32
    private let batch: Int
    private var wake: WakeEstimator

    private let receiveBuffer: UnsafeMutableRawPointer
    private let receiveIov: UnsafeMutablePointer<iovec>
    private let receiveMsgs: UnsafeMutablePointer<netloom_mmsghdr>
    private let receiveControl: UnsafeMutableRawPointer
    private static let controlSize = 64
    private let sendIov: UnsafeMutablePointer<iovec>
    private let sendMsgs: UnsafeMutablePointer<netloom_mmsghdr>
    /// The control message of a send that asks for a transmit stamp (SendLatencyEstimate).
    private let stampRequest: UnsafeMutableRawPointer
    private let segmentBuffer: UnsafeMutableRawPointer
    private let segmentOffsets: UnsafeMutablePointer<UInt32>
    private let segmentLengths: UnsafeMutablePointer<UInt32>
    private let segmentLost: UnsafeMutablePointer<Bool>
    private let tokens: UnsafeMutablePointer<UInt64>
    private let events: UnsafeMutablePointer<UInt32>
    private var loggedSendError = false

    init(index: Int, plans: [DirectionPlan], mailbox: WorkerMailbox, options: LinkEngineOptions,
         clock: any EngineClock, logger: Logger) throws(EngineError) {
        self.index = index
        self.mailbox = mailbox
        self.options = options
        self.logger = logger
        self.clock = clock
        batch = options.batchSize
        wake = WakeEstimator(spin: options.spin.nanoseconds)
        let now = clock.now().nanoseconds
        var runtimes: [DirectionRuntime] = []
        for (i, plan) in plans.enumerated() { runtimes.append(try DirectionRuntime(plan: plan, index: i, now: now,
                                                                                   measuresSendLatency: options.compensateSendLatency)) }
        directions = runtimes
        let fd = netloom_engine_epoll_create()
        guard fd >= 0 else { throw .system(operation: "epoll_create1", errno: -fd) }
        epollFD = fd

        receiveBuffer = .allocate(byteCount: Self.receiveSlot * 64, alignment: 64)
        receiveIov = .allocate(capacity: 64)
        receiveMsgs = .allocate(capacity: 64)
        receiveControl = .allocate(byteCount: Self.controlSize * 64, alignment: 16)
        sendIov = .allocate(capacity: 64)
        sendMsgs = .allocate(capacity: 64)
        stampRequest = .allocate(byteCount: netloom_engine_tx_timestamp_control_size(), alignment: 16)
        segmentBuffer = .allocate(byteCount: Self.segmentCapacity, alignment: 64)
        segmentOffsets = .allocate(capacity: Self.maxSegments)
        segmentLengths = .allocate(capacity: Self.maxSegments)
        segmentLost = .allocate(capacity: Self.maxSegments)
        tokens = .allocate(capacity: 64)
        events = .allocate(capacity: 64)
        for i in 0..<64 {
            receiveIov[i] = iovec(iov_base: receiveBuffer + i * Self.receiveSlot, iov_len: Self.receiveSlot)
            receiveMsgs[i] = netloom_mmsghdr()
            receiveMsgs[i].msg_hdr.msg_iov = receiveIov + i
            receiveMsgs[i].msg_hdr.msg_iovlen = 1
            receiveMsgs[i].msg_hdr.msg_control = receiveControl + i * Self.controlSize
            sendIov[i] = iovec()
            sendMsgs[i] = netloom_mmsghdr()
            sendMsgs[i].msg_hdr.msg_iov = sendIov + i
            sendMsgs[i].msg_hdr.msg_iovlen = 1
        }

        try control(0, fd: mailbox.eventFD, events: netloom_engine_epollin(), token: Self.mailboxToken)
        for (i, d) in directions.enumerated() {
            try control(0, fd: d.plan.rxFD, events: netloom_engine_epollin(), token: UInt64(i))
        }
    }

    deinit {
        close(epollFD)
        receiveBuffer.deallocate()
        receiveIov.deallocate()
        receiveMsgs.deallocate()
        receiveControl.deallocate()
        sendIov.deallocate()
        sendMsgs.deallocate()
        stampRequest.deallocate()
        segmentBuffer.deallocate()
        segmentOffsets.deallocate()
        segmentLengths.deallocate()
        segmentLost.deallocate()
        tokens.deallocate()
        events.deallocate()
    }

    private func control(_ op: Int32, fd: Int32, events: UInt32, token: UInt64) throws(EngineError) {
        let r = netloom_engine_epoll_ctl(epollFD, op, fd, events, token)
        if r < 0 { throw .system(operation: "epoll_ctl", errno: -r) }
    }

    // MARK: the loop

    func run() {
        _ = netloom_set_timerslack_ns(1000)
        if options.pinWorkers {
            _ = netloom_pin_thread(Int32(index % max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1)))
        }
        var lastPublish: Int64 = 0
        var unpublished = false
        while !mailbox.stopRequested {
            var now = clock.now().nanoseconds
            let timeout = timeoutNanoseconds(now: now)
            // About to sleep for a while: publish first, so counters() is never staler
            // than 1 ms while the worker idles.
            if unpublished && (timeout < 0 || timeout > 1_000_000) {
                publish(now: now)
                lastPublish = now
                unpublished = false
            }
            let slept = now
            let ready = netloom_engine_wait(epollFD, tokens, events, 64, timeout)
            now = clock.now().nanoseconds
            if ready == 0 && timeout > 0 { wake.record(requested: timeout, overshoot: now - slept - timeout) }
            if ready < 0 && ready != -EINTR {
                logger.error("link engine worker: epoll_pwait2 failed", metadata: ["errno": "\(-ready)"])
                break
            }
            for i in 0..<max(Int(ready), 0) {
                let token = tokens[i]
                if token == Self.mailboxToken {
                    mailbox.acknowledge()
                    applyCommands(now: now)
                } else if token & Self.writableToken != 0 {
                    let d = directions[Int(token & 0xffff_ffff)]
                    d.waitingWritable = false
                    _ = netloom_engine_epoll_ctl(epollFD, 2, d.plan.txFD, 0, 0)
                } else {
                    receive(directions[Int(token)])
                }
            }
            now = clock.now().nanoseconds
            for d in directions { release(d, now: now) }
            unpublished = true
            if now - lastPublish >= 1_000_000 {
                publish(now: now)
                lastPublish = now
                unpublished = false
            }
        }
        publish(now: clock.now().nanoseconds)
    }

    /// Nanoseconds to wait in epoll before the earliest release (staged by the wake
    /// estimator; 0 inside the spin window), 0 when frames wait for the socket, -1 when
    /// nothing is pending.
    private func timeoutNanoseconds(now: Int64) -> Int64 {
        var deadline = Int64.max
        for d in directions {
            if !d.sendQueue.isEmpty && !d.waitingWritable {
                deadline = min(deadline, d.retryAt ?? now)
            }
            if let next = d.delayLine.nextRelease { deadline = min(deadline, next - d.lead.nanoseconds) }
        }
        if deadline == .max { return -1 }
        return wake.timeout(left: deadline - now)
    }

    private func applyCommands(now: Int64) {
        for command in mailbox.takeCommands() {
            switch command {
            case .update(let index, let shaping):
                do {
                    try directions[index].apply(shaping, now: now)
                } catch {
                    logger.error("link engine: update failed", metadata: ["link": "\(directions[index].plan.link)", "error": "\(error)"])
                }
            }
        }
    }

    private func publish(now: Int64) {
        for d in directions { d.plan.counters.publish(d.snapshot(now: now)) }
    }

    // MARK: receiving

    private func receive(_ d: DirectionRuntime) {
        for _ in 0..<options.batchesPerWake {
            // Straight into the frame ring when no frame can need a second copy; into
            // the scratch buffer (and copied) otherwise or when the ring has no room.
            var count = batch
            var region: Int? = nil
            if !d.model.needsCopies {
                while count > 0 {
                    region = d.arena.reserve(count * Self.receiveSlot)
                    if region != nil { break }
                    count /= 2
                }
                if region == nil { count = batch }
            }
            let base = region.map { d.arena.base + $0 } ?? receiveBuffer
            for i in 0..<count {
                receiveIov[i].iov_base = base + i * Self.receiveSlot
                receiveMsgs[i].msg_hdr.msg_controllen = Self.controlSize
            }
            let n = netloom_recvmmsg(d.plan.rxFD, receiveMsgs, UInt32(count), Int32(MSG_DONTWAIT), nil)
            if n <= 0 {
                // EAGAIN: drained. ENETDOWN: the wire end went down (the error is now
                // cleared; the socket resumes when the interface comes back up).
                return
            }
            let now = clock.now().nanoseconds
            let realtimeOffset = options.kernelTimestamps ? netloom_engine_realtime_offset() : 0
            var packed = region ?? 0
            for i in 0..<Int(n) {
                // Arrival: the kernel's receive time when it is plausible (it spares the
                // frame the worker's wake-up latency), else the clock after the read.
                var arrival = now
                if options.kernelTimestamps {
                    let stamp = withUnsafePointer(to: &receiveMsgs[i].msg_hdr) { netloom_engine_rx_timestamp($0) }
                    if stamp > 0 {
                        let mono = stamp - realtimeOffset
                        if mono <= now && mono > now - 20_000_000 {
                            arrival = mono
                            d.counters.kernelTimestamped += 1
                        }
                    }
                }
                arrival = max(arrival, d.lastArrival)
                d.lastArrival = arrival
                let length = Int(receiveMsgs[i].msg_len)
                if receiveMsgs[i].msg_hdr.msg_flags & Int32(MSG_TRUNC) != 0 || length <= Int(NETLOOM_VNET_HDR_LEN) {
                    d.counters.addDrop(.error, packets: 1)
                    continue
                }
                let frame = base + i * Self.receiveSlot
                if let region {
                    admitInPlace(d, frame: frame, offset: region + i * Self.receiveSlot, length: length,
                                 packed: &packed, arrival: arrival)
                } else {
                    handle(d, frame: frame, length: length, arrival: arrival)
                }
            }
            release(d, now: now)
            if Int(n) < count { return }
        }
    }

    /// A frame received into the ring (no loss, duplicates or corruption configured):
    /// scheduled, then kept where it landed, or moved down to close the gap when it is
    /// small, so the ring holds no more than a slot's slack per large frame.
    private func admitInPlace(_ d: DirectionRuntime, frame: UnsafeMutableRawPointer, offset: Int, length: Int,
                              packed: inout Int, arrival: Int64) {
        var shape = netloom_frame_shape()
        netloom_engine_frame_shape(frame.assumingMemoryBound(to: UInt8.self), UInt32(length), &shape)
        d.counters.receivedPackets += UInt64(shape.segments)
        d.counters.receivedBytes += UInt64(shape.wire_bytes)
        switch d.model.schedule(arrival: arrival, wireBytes: Int(shape.wire_bytes), segments: Int(shape.segments)) {
        case .drop(.queueFull) where shape.segments > 1 && shape.segmentable != 0:
            // The segments go where the frame was (they fit its slot: 72 KiB against at most
            // 64 KiB of payload plus a header and padding per segment).
            let end = offset + Self.receiveSlot
            offerSegments(d, frame: frame, length: length, segments: Int(shape.segments), arrival: arrival) { segment, len, release, _ in
                guard packed + FrameArena.paddedLength(len) <= end else {
                    d.counters.addDrop(.noBuffer, packets: 1)
                    return
                }
                memmove(d.arena.base + packed, segment, len)
                let slot = d.arena.commit(at: packed, length: len)
                packed += FrameArena.paddedLength(len)
                d.delayLine.insert(DelayLine.Entry(release: release, slot: slot, length: Int32(len),
                                                   wireBytes: Int32(len - Int(NETLOOM_VNET_HDR_LEN)), segments: 1))
            }
        case .drop(let reason):
            d.counters.addDrop(reason, packets: UInt64(shape.segments))
        case .deliver(let release, _, let reordered):
            if reordered { d.counters.reordered += 1 }
            var at = offset
            if length < 16 * 1024 && offset != packed {
                memmove(d.arena.base + packed, frame, length)   // may overlap a large frame's slack
                at = packed
            }
            let slot = d.arena.commit(at: at, length: length)
            packed = at + FrameArena.paddedLength(length)
            d.delayLine.insert(DelayLine.Entry(release: release, slot: slot, length: Int32(length),
                                               wireBytes: Int32(shape.wire_bytes), segments: Int32(shape.segments)))
        }
    }

    private func handle(_ d: DirectionRuntime, frame: UnsafeMutableRawPointer, length: Int, arrival: Int64) {
        var shape = netloom_frame_shape()
        netloom_engine_frame_shape(frame.assumingMemoryBound(to: UInt8.self), UInt32(length), &shape)
        let segments = Int(shape.segments)
        d.counters.receivedPackets += UInt64(segments)
        d.counters.receivedBytes += UInt64(shape.wire_bytes)
        let duplicated = d.model.duplicates()

        if d.model.isLossless {
            enqueue(d, frame: frame, length: length, shape: shape, arrival: arrival)
        } else if segments == 1 || shape.segmentable == 0 || segments > Self.maxSegments {
            // One decision per frame (a GSO frame that cannot be split loses all its segments).
            if d.model.lose() {
                d.counters.addDrop(.loss, packets: UInt64(segments))
            } else {
                enqueue(d, frame: frame, length: length, shape: shape, arrival: arrival)
            }
        } else {
            // One decision per segment, as if the sender had not used GSO.
            var lost = 0
            for s in 0..<segments {
                let l = d.model.lose()
                segmentLost[s] = l
                if l { lost += 1 }
            }
            if lost == 0 {
                enqueue(d, frame: frame, length: length, shape: shape, arrival: arrival)
            } else if lost == segments {
                d.counters.addDrop(.loss, packets: UInt64(segments))
            } else {
                let made = netloom_engine_segment(frame.assumingMemoryBound(to: UInt8.self), UInt32(length),
                                                  segmentBuffer.assumingMemoryBound(to: UInt8.self),
                                                  UInt32(Self.segmentCapacity), segmentOffsets, segmentLengths,
                                                  UInt32(Self.maxSegments))
                if Int(made) != segments {
                    d.counters.addDrop(.loss, packets: UInt64(segments))
                } else {
                    d.counters.segmentedFrames += 1
                    d.counters.addDrop(.loss, packets: UInt64(lost))
                    for s in 0..<segments where !segmentLost[s] {
                        let len = Int(segmentLengths[s])
                        var one = netloom_frame_shape()
                        one.wire_bytes = UInt32(len) - UInt32(NETLOOM_VNET_HDR_LEN)
                        one.segments = 1
                        enqueue(d, frame: segmentBuffer + Int(segmentOffsets[s]), length: len, shape: one, arrival: arrival)
                    }
                }
            }
        }
        if duplicated {
            d.counters.duplicated += UInt64(segments)
            enqueue(d, frame: frame, length: length, shape: shape, arrival: arrival)
        }
    }

    /// One frame (or segment, or copy) through the rate stage and the delay into the buffer.
    private func enqueue(_ d: DirectionRuntime, frame: UnsafeMutableRawPointer, length: Int,
                         shape: netloom_frame_shape, arrival: Int64) {
        let segments = UInt64(shape.segments)
        guard d.arena.canAllocate(length) else {
            d.counters.addDrop(.noBuffer, packets: segments)
            return
        }
        switch d.model.schedule(arrival: arrival, wireBytes: Int(shape.wire_bytes), segments: Int(shape.segments)) {
        case .drop(.queueFull) where shape.segments > 1 && shape.segmentable != 0:
            offerSegments(d, frame: frame, length: length, segments: Int(shape.segments), arrival: arrival) { segment, len, release, corrupt in
                store(d, frame: segment, length: len, release: release, wireBytes: len - Int(NETLOOM_VNET_HDR_LEN),
                      segments: 1, corrupt: corrupt)
            }
        case .drop(let reason):
            d.counters.addDrop(reason, packets: segments)
        case .deliver(let release, let corrupt, let reordered):
            if reordered { d.counters.reordered += 1 }
            if corrupt && shape.segments > 1 && shape.segmentable != 0 {
                // As netem does: split the super-frame and corrupt its first segment.
                let made = netloom_engine_segment(frame.assumingMemoryBound(to: UInt8.self), UInt32(length),
                                                  segmentBuffer.assumingMemoryBound(to: UInt8.self),
                                                  UInt32(Self.segmentCapacity), segmentOffsets, segmentLengths,
                                                  UInt32(Self.maxSegments))
                if made > 0 {
                    d.counters.segmentedFrames += 1
                    for s in 0..<Int(made) {
                        let len = Int(segmentLengths[s])
                        store(d, frame: segmentBuffer + Int(segmentOffsets[s]), length: len, release: release,
                              wireBytes: len - Int(NETLOOM_VNET_HDR_LEN), segments: 1, corrupt: s == 0)
                    }
                    return
                }
            }
            store(d, frame: frame, length: length, release: release, wireBytes: Int(shape.wire_bytes),
                  segments: Int(shape.segments), corrupt: corrupt)
        }
    }

    /// A GSO frame the queue cannot take whole: split it and offer its segments one by
    /// one, as the sender's packets would reach a real queue, so drop-tail drops the
    /// packets that do not fit and not the whole super-frame (dropping 40-odd segments
    /// at once cut TCP's goodput through a BDP-sized queue by several percent).
    /// `keep` stores a segment the model delivered (pointer, length, release, corrupt).
    private func offerSegments(_ d: DirectionRuntime, frame: UnsafeMutableRawPointer, length: Int, segments: Int,
                               arrival: Int64, keep: (UnsafeMutableRawPointer, Int, Int64, Bool) -> Void) {
        let made = netloom_engine_segment(frame.assumingMemoryBound(to: UInt8.self), UInt32(length),
                                          segmentBuffer.assumingMemoryBound(to: UInt8.self),
                                          UInt32(Self.segmentCapacity), segmentOffsets, segmentLengths,
                                          UInt32(Self.maxSegments))
        guard Int(made) == segments else {
            d.counters.addDrop(.queueFull, packets: UInt64(segments))
            return
        }
        d.counters.segmentedFrames += 1
        for s in 0..<segments {
            let len = Int(segmentLengths[s])
            switch d.model.schedule(arrival: arrival, wireBytes: len - Int(NETLOOM_VNET_HDR_LEN)) {
            case .drop(let reason):
                d.counters.addDrop(reason, packets: 1)
            case .deliver(let release, let corrupt, let reordered):
                if reordered { d.counters.reordered += 1 }
                keep(segmentBuffer + Int(segmentOffsets[s]), len, release, corrupt)
            }
        }
    }

    private func store(_ d: DirectionRuntime, frame: UnsafeMutableRawPointer, length: Int, release: Int64,
                       wireBytes: Int, segments: Int, corrupt: Bool) {
        guard let slot = d.arena.allocate(length) else {
            d.counters.addDrop(.noBuffer, packets: UInt64(segments))
            return
        }
        let target = d.arena.pointer(slot)
        target.copyMemory(from: frame, byteCount: length)
        if corrupt && netloom_engine_corrupt(target.assumingMemoryBound(to: UInt8.self), UInt32(length), d.model.randomBits()) == 0 {
            d.counters.corrupted += 1
        }
        d.delayLine.insert(DelayLine.Entry(release: release, slot: slot, length: Int32(length),
                                           wireBytes: Int32(wireBytes), segments: Int32(segments)))
    }

    // MARK: sending

    private func release(_ d: DirectionRuntime, now: Int64) {
        while let entry = d.delayLine.popDue(now + d.lead.nanoseconds) {
            d.sendQueue.append(entry)
            d.sendQueueBytes += Int(entry.length)
        }
        flush(d, now: now)
    }

    /// The software transmit stamp of the send just made (CLOCK_MONOTONIC), if the kernel gave one.
    private func transmitStamp(_ d: DirectionRuntime) -> Int64? {
        let stamp = netloom_engine_tx_timestamp(d.plan.txFD)
        return stamp > 0 ? stamp - netloom_engine_realtime_offset() : nil
    }

    private func dropFirst(_ d: DirectionRuntime, reason: DropReason) {
        let entry = d.sendQueue.removeFirst()
        d.sendQueueBytes -= Int(entry.length)
        d.free(entry.slot)
        d.counters.addDrop(reason, packets: UInt64(entry.segments))
    }

    private func flush(_ d: DirectionRuntime, now: Int64) {
        if d.waitingWritable || d.sendQueue.isEmpty { return }
        if let retry = d.retryAt {
            if now < retry { return }
            d.retryAt = nil
        }
        var sendStart = now
        while !d.sendQueue.isEmpty {
            let k = min(batch, d.sendQueue.count)
            for i in 0..<k {
                let entry = d.sendQueue[i]
                sendIov[i].iov_base = d.pointer(entry.slot)
                sendIov[i].iov_len = Int(entry.length)
            }
            let stamped = d.lead.sendLatency.wantsStamp(now: sendStart)
            if stamped {
                netloom_engine_request_tx_timestamp(&sendMsgs[0].msg_hdr, stampRequest)
                sendStart = clock.now().nanoseconds
            }
            let sent = netloom_sendmmsg(d.plan.txFD, sendMsgs, UInt32(k), Int32(MSG_DONTWAIT))
            if stamped {
                netloom_engine_request_tx_timestamp(&sendMsgs[0].msg_hdr, nil)
                if sent > 0 && d.lead.sendLatency.record(sendStart: sendStart, deviceEntry: transmitStamp(d)) {
                    logger.notice("link engine: this kernel's veth gives no transmit stamps; the engine's own send latency (2-25 us) is not taken off the delay",
                                  metadata: ["link": "\(d.plan.link)", "direction": "\(d.plan.direction)"])
                }
            }
            if sent > 0 {
                let after = clock.now().nanoseconds
                d.counters.sentFrames += UInt64(sent)
                for _ in 0..<Int(sent) {
                    let entry = d.sendQueue.removeFirst()
                    // Frames held back by a full socket are late for a reason the lead cannot help.
                    if !d.backpressured { d.lead.record(release: entry.release, sendStart: sendStart) }
                    let late = UInt64(max(after - entry.release, 0))
                    d.counters.releaseLatenessTotalNanoseconds += late
                    d.counters.releaseLatenessMaxNanoseconds = max(d.counters.releaseLatenessMaxNanoseconds, late)
                    d.sendQueueBytes -= Int(entry.length)
                    d.free(entry.slot)
                    d.counters.forwardedPackets += UInt64(entry.segments)
                    d.counters.forwardedBytes += UInt64(entry.wireBytes)
                }
                sendStart = after
                continue
            }
            let error = Glibc.errno
            switch error {
            case EINTR:
                continue
            case EAGAIN:
                // The socket's send buffer is full: keep the frames, wait for EPOLLOUT.
                d.counters.sendRetries += 1
                d.backpressured = true
                d.waitingWritable = true
                _ = netloom_engine_epoll_ctl(epollFD, 0, d.plan.txFD, netloom_engine_epollout(),
                                             Self.writableToken | UInt64(d.index))
                return
            case ENOBUFS:
                // The peer's backlog is full (the kernel dropped the attempt): keep the
                // frames and try again shortly; no readiness event exists for this.
                d.counters.sendRetries += 1
                d.backpressured = true
                d.retryAt = now + 20_000
                return
            case ENETDOWN, ENXIO, ENODEV:
                dropFirst(d, reason: .linkDown)
            default:
                if !loggedSendError {
                    loggedSendError = true
                    logger.warning("link engine: send failed", metadata: ["link": "\(d.plan.link)", "errno": "\(error)"])
                }
                dropFirst(d, reason: .error)
            }
        }
        d.backpressured = false
    }
}
