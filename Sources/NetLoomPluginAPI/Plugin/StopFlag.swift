import Synchronization

/// Set once when work must stop (a cancelled run, a failed rank, an interrupt) and polled
/// by threads that cannot see Swift task cancellation: plugins' sending threads, rank
/// engines, calibration probes.
public final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public func stop() { flag.store(true, ordering: .relaxed) }
    public var isStopped: Bool { flag.load(ordering: .relaxed) }
}
