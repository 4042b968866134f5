import DequeModule
import HeapModule

/// Frames waiting for their release time. Frames released in order (the common case,
/// and always so with keepOrder) go to a FIFO; a frame due before the FIFO's last one
/// (reordered, or jitter with keepOrder off) goes to a min-heap. The next frame out
/// is the earlier of the two fronts, so both cost O(1) in order and O(log n) otherwise.
struct DelayLine {
    struct Entry: Comparable {
        var release: Int64
        var slot: FrameArena.Slot
        /// Stored bytes (vnet header + frame).
        var length: Int32
        var wireBytes: Int32
        var segments: Int32

        static func < (a: Entry, b: Entry) -> Bool {
            a.release != b.release ? a.release < b.release : a.slot.sequence < b.slot.sequence
        }
        static func == (a: Entry, b: Entry) -> Bool { a.slot == b.slot && a.release == b.release }
    }

    private var inOrder: Deque<Entry> = []
    private var early = Heap<Entry>()
    private(set) var count = 0
    private(set) var bytes = 0

    init() { inOrder.reserveCapacity(4096) }

    @inline(__always)
    mutating func insert(_ entry: Entry) {
        if let last = inOrder.last, entry.release < last.release {
            early.insert(entry)
        } else {
            inOrder.append(entry)
        }
        count += 1
        bytes += Int(entry.length)
    }

    /// The earliest release time, nil when empty.
    var nextRelease: Int64? {
        switch (inOrder.first, early.min) {
        case (nil, nil): return nil
        case (let a?, nil): return a.release
        case (nil, let b?): return b.release
        case (let a?, let b?): return min(a.release, b.release)
        }
    }

    /// Removes and returns the earliest frame if it is due at `now`.
    @inline(__always)
    mutating func popDue(_ now: Int64) -> Entry? {
        let fromHeap: Bool
        switch (inOrder.first, early.min) {
        case (nil, nil): return nil
        case (let a?, nil): guard a.release <= now else { return nil }; fromHeap = false
        case (nil, let b?): guard b.release <= now else { return nil }; fromHeap = true
        case (let a?, let b?):
            fromHeap = b < a
            guard (fromHeap ? b.release : a.release) <= now else { return nil }
        }
        let entry = fromHeap ? early.removeMin() : inOrder.removeFirst()
        count -= 1
        bytes -= Int(entry.length)
        return entry
    }
}
