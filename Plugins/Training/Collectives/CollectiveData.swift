// Plugins/Training / Collectives: each rank's buffers, filled with the test pattern before every
// iteration, and the check of the result (nccl-tests' #wrong).

/// The buffers of every rank for one collective; rank r's belong to rank r's engines only.
public final class CollectiveData: @unchecked Sendable {
    public let request: CollectiveRequest
    public let schedule: Schedule
    /// buffers[rank][buffer] and their pristine copies.
    private(set) var buffers: [[UnsafeMutableRawPointer]] = []
    private var pristine: [[UnsafeMutableRawPointer]] = []
    private var lengths: [[Int]] = []
    public let checked: Bool

    /// `checked`: fill and check real values (else the buffers hold whatever and only move).
    public init(request: CollectiveRequest, schedule: Schedule, checked: Bool) {
        self.request = request
        self.schedule = schedule
        self.checked = checked
        let size = request.dataType.size
        for rank in 0..<request.ranks {
            let lengths = schedule.layouts[rank].map { max($0.elements * size, 1) }
            self.lengths.append(lengths)
            buffers.append(lengths.map { UnsafeMutableRawPointer.allocate(byteCount: $0, alignment: 64) })
            if checked {
                pristine.append(lengths.map { UnsafeMutableRawPointer.allocate(byteCount: $0, alignment: 64) })
                fillPristine(rank)
            } else {
                for (index, buffer) in buffers[rank].enumerated() { buffer.initializeMemory(as: UInt8.self, repeating: 0, count: lengths[index]) }
            }
        }
    }

    deinit {
        for pointer in buffers.joined() { pointer.deallocate() }
        for pointer in pristine.joined() { pointer.deallocate() }
    }

    /// Restores every rank's starting values (outside the timed region).
    func pattern(rank: Int, index: Int) -> Float {
        TestPattern.value(rank: rank, index: index, ranks: request.ranks, reduces: request.operation.reduces)
    }

    public func reset() {
        guard checked else { return }
        for rank in buffers.indices {
            for (index, buffer) in buffers[rank].enumerated() {
                buffer.copyMemory(from: pristine[rank][index], byteCount: lengths[rank][index])
            }
        }
    }

    private func fillPristine(_ rank: Int) {
        let type = request.dataType, p = request.ranks
        let input = pristine[rank][0]
        let elements = schedule.layouts[rank][0].elements
        let own = schedule.layouts[rank][0]
        for i in 0..<elements {
            var value = pattern(rank: rank, index: i)
            switch request.operation {
            case .allGather:
                let start = own.blockStart(rank)
                if i < start || i >= start + own.blockCounts[rank] { value = -1 }
            case .broadcast:
                if rank != request.root { value = -1 }
            default: break
            }
            type.store(value, at: i, in: input)
        }
        if schedule.layouts[rank].count > 1 {
            let output = pristine[rank][1], outputLayout = schedule.layouts[rank][1]
            for i in 0..<outputLayout.elements { type.store(-1, at: i, in: output) }
            if request.operation == .allToAll || request.operation == .allToAllv, p > 0 {
                // The rank's own block is a local copy.
                let from = own.blockStart(rank), to = outputLayout.blockStart(rank)
                (output + to * type.size).copyMemory(from: input + from * type.size, byteCount: own.blockCounts[rank] * type.size)
            }
        }
    }

    /// Elements that differ from the expected result, over all ranks (0 when unchecked).
    public func wrongElements() -> Int {
        guard checked else { return 0 }
        let type = request.dataType, p = request.ranks
        let exact = { (value: Float) -> Float in
            type == .float32 ? value : BFloat16.float(BFloat16.bits(value))
        }
        let sum = { (index: Int) -> Float in (0..<p).reduce(Float(0)) { $0 + self.pattern(rank: $1, index: index) } }
        var wrong = 0
        for rank in 0..<p {
            let layout = schedule.layouts[rank][0]
            let buffer = buffers[rank][0]
            func expect(_ range: Range<Int>, in pointer: UnsafeMutableRawPointer, _ value: (Int) -> Float) {
                for i in range where type.load(at: i, in: pointer) != exact(value(i)) { wrong += 1 }
            }
            switch request.operation {
            case .allReduce:
                expect(0..<layout.elements, in: buffer, sum)
            case .reduceScatter:
                let start = layout.blockStart(rank)
                expect(start..<(start + layout.blockCounts[rank]), in: buffer, sum)
            case .allGather:
                for block in 0..<p {
                    let start = layout.blockStart(block)
                    expect(start..<(start + layout.blockCounts[block]), in: buffer) { self.pattern(rank: block, index: $0) }
                }
            case .broadcast:
                expect(0..<layout.elements, in: buffer) { self.pattern(rank: self.request.root, index: $0) }
            case .reduce:
                if rank == request.root { expect(0..<layout.elements, in: buffer, sum) }
            case .allToAll, .allToAllv:
                let output = buffers[rank][1], outputLayout = schedule.layouts[rank][1]
                for source in 0..<p {
                    let start = outputLayout.blockStart(source)
                    let sourceStart = schedule.layouts[source][0].blockStart(rank)
                    expect(start..<(start + outputLayout.blockCounts[source]), in: output) {
                        self.pattern(rank: source, index: sourceStart + $0 - start)
                    }
                }
            case .sendRecv:
                let from = (rank - 1 + p) % p
                expect(0..<schedule.layouts[rank][1].elements, in: buffers[rank][1]) { self.pattern(rank: from, index: $0) }
            }
        }
        return wrong
    }
}
