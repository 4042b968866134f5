/// When each request's KV cache was computed, started leaving the prefill node and
/// finished arriving at the decode node (all nodes run in one process: one clock).
final class KVLedger: Sendable {
    struct Entry: Sendable {
        var computeEnd: ContinuousClock.Instant?
        var firstSent: ContinuousClock.Instant?
        var lastReceived: ContinuousClock.Instant?
        var bytes = 0
    }

    private let entries = Locked<[Int: Entry]>([:])

    func computed(_ id: Int) {
        let now = ContinuousClock.now
        entries.withLock { $0[id, default: Entry()].computeEnd = now }
    }

    func sending(_ id: Int) {
        let now = ContinuousClock.now
        // Layer by layer, the first layer leaves before any other event made the entry.
        entries.withLock { if $0[id]?.firstSent == nil { $0[id, default: Entry()].firstSent = now } }
    }

    func received(_ id: Int, bytes: Int, complete: Bool) {
        let now = ContinuousClock.now
        entries.withLock {
            $0[id, default: Entry()].bytes += bytes
            if complete { $0[id]?.lastReceived = now }
        }
    }

    /// Adds the KV figures to the client's records: transfer = last byte received - first
    /// byte sent; stall = last byte received - prefill compute end (what the request waited
    /// for the network after its prefill).
    func annotate(_ records: [RequestRecord]) -> [RequestRecord] {
        let entries = entries.value
        return records.map { record in
            var record = record
            if let entry = entries[record.id], let end = entry.lastReceived {
                if let first = entry.firstSent { record.kvTransfer = seconds(end - first) }
                if let computed = entry.computeEnd { record.kvStall = max(0, seconds(end - computed)) }
                record.kvBytes = entry.bytes
            }
            return record
        }
    }
}
