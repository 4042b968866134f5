import DequeModule

/// The rate stage's backlog: frames admitted but not yet fully served, in service
/// order (their service ends never decrease). Backlog at a time t is every frame
/// whose service ends after t.
struct ServiceQueue {
    private var ends: Deque<(end: Int64, bytes: Int)> = []
    private(set) var packets = 0
    private(set) var bytes = 0

    init() { ends.reserveCapacity(1024) }

    /// Forgets frames fully served by `now`.
    @inline(__always)
    mutating func drain(upTo now: Int64) {
        while let first = ends.first, first.end <= now {
            ends.removeFirst()
            packets -= 1
            bytes -= first.bytes
        }
    }

    @inline(__always)
    mutating func append(end: Int64, bytes: Int) {
        ends.append((end, bytes))
        packets += 1
        self.bytes += bytes
    }

    /// When the backlog next shrinks (nil when empty).
    var nextDeparture: Int64? { ends.first?.end }
}
