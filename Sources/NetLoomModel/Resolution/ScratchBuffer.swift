// Lab model / Resolution: a plain growable buffer for the route planner's inner loops.
//
// The planner runs one walk per destination segment (over a thousand in a 1024-host fabric) and each
// walk writes a few arrays per node; with Swift arrays every write pays a uniqueness check, which made
// the plan several times slower than the budget. This buffer is a pointer: no copy-on-write, no checks
// in release builds (asserts in debug).

struct ScratchBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var capacity: Int
    private(set) var count: Int

    /// An empty buffer.
    init(capacity: Int) {
        self.capacity = max(capacity, 4)
        base = .allocate(capacity: self.capacity)
        count = 0
    }

    /// `count` elements, all `value`.
    init(repeating value: Element, count: Int) {
        capacity = max(count, 4)
        base = .allocate(capacity: capacity)
        base.initialize(repeating: value, count: capacity)
        self.count = count
    }

    subscript(index: Int) -> Element {
        get {
            assert(index >= 0 && index < count)
            return base[index]
        }
        nonmutating set {
            assert(index >= 0 && index < count)
            base[index] = newValue
        }
    }

    mutating func append(_ element: Element) {
        if count == capacity {
            let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            bigger.moveInitialize(from: base, count: count)
            base.deallocate()
            base = bigger
            capacity *= 2
        }
        base[count] = element
        count += 1
    }

    mutating func removeAll() { count = 0 }

    mutating func truncate(to newCount: Int) {
        assert(newCount <= count)
        count = newCount
    }

    var isEmpty: Bool { count == 0 }

    /// Copies out the elements `range`.
    func array(_ range: Range<Int>) -> [Element] { Array(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)) }

    func free() { base.deallocate() }
}
