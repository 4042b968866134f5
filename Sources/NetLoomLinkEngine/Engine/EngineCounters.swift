import Synchronization

/// Counters of one direction of one link. Packets are wire packets: a GSO super-frame
/// counts each of its segments, as the rate stage does; bytes are wire bytes.
public struct EngineLinkCounters: Sendable, Equatable {
    public var link: String
    public var direction: LinkDirection

    public var receivedPackets: UInt64 = 0
    public var receivedBytes: UInt64 = 0
    public var forwardedPackets: UInt64 = 0
    public var forwardedBytes: UInt64 = 0

    public var droppedLoss: UInt64 = 0
    public var droppedQueueFull: UInt64 = 0
    public var droppedAQM: UInt64 = 0
    public var droppedNoBuffer: UInt64 = 0
    /// Sends refused because the wire end was down (the orchestrator cut the link).
    public var droppedLinkDown: UInt64 = 0
    public var droppedError: UInt64 = 0

    /// Extra copies made by `duplicate`.
    public var duplicated: UInt64 = 0
    /// Frames with a flipped bit (delivered; the receiver drops them).
    public var corrupted: UInt64 = 0
    /// Frames that skipped the delay (`reorder`).
    public var reordered: UInt64 = 0
    /// GSO super-frames split in software (for per-segment loss or corruption).
    public var segmentedFrames: UInt64 = 0
    /// Sends retried after EAGAIN or ENOBUFS (the frame was kept, not lost).
    public var sendRetries: UInt64 = 0
    /// Frames the kernel dropped before the engine read them (socket buffer full).
    public var kernelReceiveDrops: UInt64 = 0

    /// Frames whose arrival time came from the kernel's receive timestamp.
    public var kernelTimestamped: UInt64 = 0
    /// How late frames left after their release time: sum and maximum, nanoseconds
    /// (the send's own cost included). Mean lateness = sum / forwarded frames.
    public var releaseLatenessTotalNanoseconds: UInt64 = 0
    public var releaseLatenessMaxNanoseconds: UInt64 = 0
    /// Frames sent (the lateness sums count these; a GSO frame is one).
    public var sentFrames: UInt64 = 0
    /// The engine's send latency as measured now (start of a send until the frame
    /// enters the egress veth; taken off the delay), nanoseconds; 0 until measured.
    public var sendLatencyNanoseconds: UInt64 = 0

    /// Rate-stage backlog now.
    public var queuePackets: UInt64 = 0
    public var queueBytes: UInt64 = 0
    /// Frames waiting for their release time (or for the socket) now.
    public var delayLinePackets: UInt64 = 0
    public var delayLineBytes: UInt64 = 0

    public init(link: String, direction: LinkDirection) {
        self.link = link
        self.direction = direction
    }

    public func dropped(_ reason: DropReason) -> UInt64 {
        switch reason {
        case .loss: return droppedLoss
        case .queueFull: return droppedQueueFull
        case .aqm: return droppedAQM
        case .noBuffer: return droppedNoBuffer
        case .linkDown: return droppedLinkDown
        case .error: return droppedError
        }
    }

    mutating func addDrop(_ reason: DropReason, packets: UInt64) {
        switch reason {
        case .loss: droppedLoss += packets
        case .queueFull: droppedQueueFull += packets
        case .aqm: droppedAQM += packets
        case .noBuffer: droppedNoBuffer += packets
        case .linkDown: droppedLinkDown += packets
        case .error: droppedError += packets
        }
    }

    public var droppedTotal: UInt64 {
        DropReason.allCases.reduce(0) { $0 + dropped($1) }
    }
}

/// Where a worker publishes one direction's counters for `LinkEngine.counters()`.
final class CounterCell: Sendable {
    private let value: Mutex<EngineLinkCounters>

    init(link: String, direction: LinkDirection) {
        value = Mutex(EngineLinkCounters(link: link, direction: direction))
    }

    func publish(_ counters: EngineLinkCounters) { value.withLock { $0 = counters } }
    func read() -> EngineLinkCounters { value.withLock { $0 } }
}
