import DequeModule

/// The rate stage's backlog: frames admitted but not yet fully served, in service
/// order (their service ends never decrease). Backlog at a time t is every frame
/// whose service ends after t. Packets are wire packets: a GSO frame counts its segments.
struct ServiceQueue {
    private var ends: Deque<(end: Int64, bytes: Int, packets: Int)> = []
    private(set) var packets = 0
    private(set) var bytes = 0

    init() { ends.reserveCapacity(1024) }

    /// Forgets frames fully served by `now`.
    @inline(__always)
    mutating func drain(upTo now: Int64) {
        while let first = ends.first, first.end <= now {
            ends.removeFirst()
            packets -= first.packets
            bytes -= first.bytes
        }
    }

    @inline(__always)
    mutating func append(end: Int64, bytes: Int, packets: Int = 1) {
        ends.append((end, bytes, packets))
        self.packets += packets
        self.bytes += bytes
    }

    /// When the backlog next shrinks (nil when empty).
    var nextDeparture: Int64? { ends.first?.end }
}
