import DequeModule
import Glibc

/// One direction's frame storage: a byte ring in one anonymous mapping (reserved, not
/// committed: pages are touched only as the ring reaches them), so the hot path never
/// allocates. Frames are stored in arrival order; a frame freed out of order is only
/// marked, and the ring's head moves past every freed frame at its front.
///
/// Owned by one worker thread (not Sendable).
final class FrameArena {
    struct Slot: Equatable {
        /// Allocation number: identifies the slot when it is freed.
        var sequence: UInt64
        var offset: Int
        /// Which arena of the direction holds it (a larger one replaces the buffer
        /// after an update; the old one lives until its frames are gone).
        var generation: Int
    }

    private struct Record {
        var offset: Int
        var length: Int
        var freed: Bool
    }

    static let alignment = 64

    let base: UnsafeMutableRawPointer
    let capacity: Int
    let generation: Int
    private var head = 0
    private var tail = 0
    private var records: Deque<Record> = []
    private var firstSequence: UInt64 = 0
    /// Bytes of live frames (without alignment padding or wasted ring ends).
    private(set) var bytesHeld = 0

    /// Reserves `capacity` bytes (rounded up to pages).
    init(capacity: Int, generation: Int = 0) throws(EngineError) {
        self.generation = generation
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let size = (max(capacity, 1 << 20) + page - 1) / page * page
        guard let mapping = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              mapping != MAP_FAILED else {
            throw .system(operation: "mmap \(size) bytes for the frame buffer", errno: Glibc.errno)
        }
        base = mapping
        self.capacity = size
        records.reserveCapacity(4096)
    }

    deinit { munmap(base, capacity) }

    var isEmpty: Bool { records.isEmpty }
    var liveFrames: Int { records.lazy.filter { !$0.freed }.count }

    @inline(__always)
    private static func padded(_ length: Int) -> Int { (length + alignment - 1) & ~(alignment - 1) }

    /// The offset where `length` bytes would go, or nil if the ring is full.
    @inline(__always)
    private func place(_ length: Int) -> Int? {
        let n = Self.padded(length)
        if records.isEmpty { return n <= capacity ? 0 : nil }
        if tail > head {
            if capacity - tail >= n { return tail }
            return n <= head ? 0 : nil
        }
        return head - tail >= n ? tail : nil
    }

    func canAllocate(_ length: Int) -> Bool { place(length) != nil }

    /// Space for `length` bytes, or nil when the ring is full.
    @inline(__always)
    func allocate(_ length: Int) -> Slot? {
        if records.isEmpty { head = 0; tail = 0 }
        guard let offset = place(length) else { return nil }
        tail = offset + Self.padded(length)
        records.append(Record(offset: offset, length: length, freed: false))
        bytesHeld += length
        return Slot(sequence: firstSequence + UInt64(records.count - 1), offset: offset, generation: generation)
    }

    /// The offset of `length` contiguous free bytes where the next frames will go, for
    /// receiving straight into the ring; nothing is taken until `commit`.
    func reserve(_ length: Int) -> Int? {
        if records.isEmpty { head = 0; tail = 0 }
        return place(length)
    }

    /// Takes `length` bytes at `offset` inside the region `reserve` returned, at or after
    /// the end of the frames committed before (gaps are skipped over until the ring
    /// wraps).
    @inline(__always)
    func commit(at offset: Int, length: Int) -> Slot {
        tail = offset + Self.padded(length)
        records.append(Record(offset: offset, length: length, freed: false))
        bytesHeld += length
        return Slot(sequence: firstSequence + UInt64(records.count - 1), offset: offset, generation: generation)
    }

    static func paddedLength(_ length: Int) -> Int { padded(length) }

    @inline(__always)
    func pointer(_ slot: Slot) -> UnsafeMutableRawPointer { base + slot.offset }

    /// Releases a slot; the ring reclaims it once every older slot is released too.
    @inline(__always)
    func free(_ slot: Slot) {
        let index = Int(slot.sequence - firstSequence)
        precondition(index >= 0 && index < records.count && !records[index].freed, "frame slot freed twice")
        records[index].freed = true
        bytesHeld -= records[index].length
        while let first = records.first, first.freed {
            records.removeFirst()
            firstSequence += 1
        }
        if let first = records.first { head = first.offset } else { head = 0; tail = 0 }
    }

    /// The buffer size for a direction: its queue limit plus what its delay line holds
    /// at the rate it is shaped to (25 Gbit/s when unlimited, this machine's fastest
    /// veth path) for delay + 4 x jitter, plus 8 MiB; at most 1 GiB.
    static func capacity(for shaping: DirectionShaping) -> Int {
        let bps = shaping.rate.nominalBitsPerSecond ?? 25e9
        let queueBytes: Double
        switch shaping.queue {
        case .bytes(let n): queueBytes = Double(n)
        case .packets(let n): queueBytes = Double(n) * 65_536  // a GSO frame can be 64 KiB
        }
        let held = bps / 8 * (shaping.delay.seconds + 4 * shaping.jitter.seconds)
        return Int(min(queueBytes * 1.25 + held * 1.25 + 8 * 1024 * 1024, Double(1 << 30)))
    }
}
