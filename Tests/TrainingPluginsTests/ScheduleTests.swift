import Testing
@testable import TrainingPlugins

/// Applies a schedule's transfers in their global order on in-memory buffers: the algorithm's logic,
/// without sockets or threads.
func simulate(_ request: CollectiveRequest) -> (wrong: Int, schedule: Schedule) {
    let schedule = CollectiveSchedules.make(request)
    let data = CollectiveData(request: request, schedule: schedule, checked: true)
    data.reset()
    let size = request.dataType.size
    for transfer in schedule.transfers {
        var bytes: [UInt8] = []
        for unit in transfer.sourceUnits {
            let (start, count) = schedule.range(of: unit, rank: transfer.source)
            let base = data.buffers[transfer.source][unit.buffer] + start * size
            bytes += UnsafeRawBufferPointer(start: base, count: count * size)
        }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            for unit in transfer.destinationUnits {
                let (start, count) = schedule.range(of: unit, rank: transfer.destination)
                let base = data.buffers[transfer.destination][unit.buffer] + start * size
                if transfer.reduce {
                    request.dataType.reduce(into: base, from: raw.baseAddress! + offset, count: count)
                } else {
                    base.copyMemory(from: raw.baseAddress! + offset, byteCount: count * size)
                }
                offset += count * size
            }
        }
    }
    return (data.wrongElements(), schedule)
}

@Suite("Collective schedules")
struct ScheduleTests {
    static let cases: [(CollectiveOperation, CollectiveAlgorithm)] = CollectiveOperation.allCases.flatMap { op in op.algorithms.map { (op, $0) } }

    @Test(arguments: [2, 3, 4, 5, 6, 7, 8, 9])
    func everyAlgorithmComputesTheRightResult(ranks: Int) {
        for (operation, algorithm) in Self.cases {
            for (elements, chunk, channels) in [(ranks * 7, 8, 1), (ranks * 61, 64, 2), (ranks * 3, 1024, 3)] {
                for type in DataType.allCases {
                    let request = CollectiveRequest(operation: operation, algorithm: algorithm, ranks: ranks, elements: elements,
                                                    dataType: type, channels: channels, chunkBytes: chunk, root: ranks - 1)
                    let (wrong, schedule) = simulate(request)
                    #expect(wrong == 0, "\(operation) \(algorithm) p=\(ranks) n=\(elements) chunk=\(chunk) c=\(channels) \(type)")
                    #expect(!schedule.transfers.isEmpty)
                }
            }
        }
    }

    @Test func theDoubleBinaryTreesSpanEveryRank() {
        for p in 2...20 {
            for tree in 0..<2 {
                let roots = (0..<p).filter { CollectiveSchedules.doubleTreeParent($0, tree: tree, ranks: p) == nil }
                #expect(roots.count == 1, "p=\(p) tree \(tree)")
                var children = [Int](repeating: 0, count: p)
                for r in 0..<p {
                    var x = r, steps = 0
                    while let up = CollectiveSchedules.doubleTreeParent(x, tree: tree, ranks: p), steps <= p { x = up; steps += 1 }
                    #expect(x == roots[0] && steps <= p)
                    if let up = CollectiveSchedules.doubleTreeParent(r, tree: tree, ranks: p) { children[up] += 1 }
                }
                #expect(children.allSatisfy { $0 <= 2 }, "binary: p=\(p)")
            }
        }
    }
}
