import Glibc
import Synchronization

/// A point in time on the engine's clock, in nanoseconds (CLOCK_MONOTONIC for the real
/// engine, anything for tests).
public struct EngineInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func < (a: EngineInstant, b: EngineInstant) -> Bool { a.nanoseconds < b.nanoseconds }
    public static func + (a: EngineInstant, d: Duration) -> EngineInstant { EngineInstant(nanoseconds: a.nanoseconds + d.nanoseconds) }
    public static func - (a: EngineInstant, b: EngineInstant) -> Duration { .nanoseconds(a.nanoseconds - b.nanoseconds) }
    public var description: String { "\(nanoseconds)ns" }
}

/// The engine's time source. The workers read it once per wake-up; the models take
/// the instants it returns, so tests drive them with a `ManualEngineClock`.
public protocol EngineClock: Sendable {
    func now() -> EngineInstant
}

/// CLOCK_MONOTONIC, the clock timers and epoll timeouts run on.
public struct MonotonicEngineClock: EngineClock {
    public init() {}

    @inline(__always)
    public func now() -> EngineInstant { EngineInstant(nanoseconds: monotonicNanoseconds()) }
}

@inline(__always)
func monotonicNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// A clock that moves only when told: for tests of the scheduler and the models.
public final class ManualEngineClock: EngineClock {
    private let current: Mutex<Int64>

    public init(_ start: EngineInstant = EngineInstant(nanoseconds: 0)) {
        current = Mutex(start.nanoseconds)
    }

    public func now() -> EngineInstant { EngineInstant(nanoseconds: current.withLock { $0 }) }

    public func advance(by duration: Duration) {
        current.withLock { $0 += duration.nanoseconds }
    }

    public func set(_ instant: EngineInstant) {
        current.withLock { $0 = instant.nanoseconds }
    }
}
