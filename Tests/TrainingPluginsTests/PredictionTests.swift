import NetLoomModel
import NetLoomPluginAPI
import Testing
@testable import TrainingPlugins

@Suite("nccl-tests figures and alpha-beta predictions")
struct PredictionTests {
    @Test func busBandwidthFactorsAreNcclTests() {
        #expect(CollectiveOperation.allReduce.busBandwidthFactor(ranks: 8) == 2.0 * 7 / 8)
        #expect(CollectiveOperation.allReduce.busBandwidthFactor(ranks: 4) == 1.5)
        #expect(CollectiveOperation.allGather.busBandwidthFactor(ranks: 8) == 7.0 / 8)
        #expect(CollectiveOperation.reduceScatter.busBandwidthFactor(ranks: 3) == 2.0 / 3)
        #expect(CollectiveOperation.allToAll.busBandwidthFactor(ranks: 4) == 0.75)
        for op in [CollectiveOperation.broadcast, .reduce, .sendRecv] { #expect(op.busBandwidthFactor(ranks: 8) == 1) }
        // 1 GB all-reduce in 1 s on 8 ranks: algbw 1 GB/s, busbw 1.75 GB/s.
        let figures = NcclFigures(operation: .allReduce, ranks: 8, bytes: 1_000_000_000, seconds: 1)
        #expect(figures.algorithmBandwidth == 1 && figures.busBandwidth == 1.75)
    }

    /// p hosts on one switch; every link 1 ms each way at 1 Gbit/s: alpha = 2 ms + overhead, beta =
    /// 8 / (1e9 * 1448/1514) s/byte.
    func star(_ p: Int, delay: Duration = .milliseconds(1), rate: UInt64 = 1_000_000_000) -> (PathTable, Double, Double) {
        let links = (0..<p).map { i in
            PluginLink(name: "h\(i)--sw", a: "h\(i)", b: "sw",
                       aToB: Impairment(delay: delay, rate: Bitrate(bitsPerSecond: rate)),
                       bToA: Impairment(delay: delay, rate: Bitrate(bitsPerSecond: rate)))
        }
        let table = PathTable(ranks: (0..<p).map { "h\($0)" }, links: links)
        return (table, 2 * PathTable.seconds(delay) + 10e-6, 8 / (Double(rate) * 1448 / 1514))
    }

    @Test func pathsThroughASwitch() {
        let (table, _, beta) = star(4)
        #expect(table.paths[0][3].count == 2)
        #expect(abs(table.delay(0, 3) - 0.002) < 1e-12)
        #expect(abs(table.beta(1, 2) - beta) < 1e-18)
        #expect(table.bottleneckRate == 1e9)
    }

    @Test func handComputedClosedForms() {
        // Ring all-reduce, 4 ranks, 1 MB, alpha 2 ms, beta 8 ns/byte: 6 * 2 ms + 1.5 * 1e6 * 8 ns = 24 ms.
        #expect(abs(AlphaBeta.ringAllReduce(p: 4, bytes: 1e6, alpha: 0.002, beta: 8e-9) - 0.024) < 1e-12)
        // Rabenseifner, 8 ranks: 2 * 3 * 2 ms + 2 * 7/8 * 1e6 * 8 ns = 12 ms + 14 ms.
        #expect(abs(AlphaBeta.halvingDoublingAllReduce(p: 8, bytes: 1e6, alpha: 0.002, beta: 8e-9) - 0.026) < 1e-12)
        // Recursive doubling, 8 ranks: 3 * (2 ms + 8 ms) = 30 ms.
        #expect(abs(AlphaBeta.recursiveDoublingAllReduce(p: 8, bytes: 1e6, alpha: 0.002, beta: 8e-9) - 0.030) < 1e-12)
        // Ring all-gather, 4 ranks: 3 * 2 ms + 3/4 * 8 ms = 12 ms.
        #expect(abs(AlphaBeta.ringAllGather(p: 4, bytes: 1e6, alpha: 0.002, beta: 8e-9) - 0.012) < 1e-12)
        // Pairwise all-to-all, 4 ranks, 3e5 bytes sent in total: 3 * 2 ms + 2.4 ms.
        #expect(abs(AlphaBeta.pairwiseAllToAll(p: 4, bytes: 3e5, alpha: 0.002, beta: 8e-9) - 0.0084) < 1e-12)
        // Binomial broadcast, 5 ranks: 3 * (2 ms + 8 ms) = 30 ms.
        #expect(abs(AlphaBeta.binomialBroadcast(p: 5, bytes: 1e6, alpha: 0.002, beta: 8e-9) - 0.030) < 1e-12)
        // Chain of 4 ranks, 4 pieces: 3 * 2 ms + 6 * 2 ms = 18 ms.
        #expect(abs(AlphaBeta.pipelinedChain(p: 4, bytes: 1e6, pieces: 4, alpha: 0.002, beta: 8e-9) - 0.018) < 1e-12)
    }

    /// Without pipelining (one piece per block), the model of the schedule is the closed form.
    @Test(arguments: [2, 4, 8])
    func scheduleModelEqualsTheClosedForms(p: Int) {
        let (table, alpha, beta) = star(p)
        let model = AlphaBetaModel(paths: table, overhead: 10e-6)
        let n = 1 << 20, big = 1 << 30
        func predict(_ op: CollectiveOperation, _ algorithm: CollectiveAlgorithm, bytes: Int = n) -> Double {
            model.evaluate(CollectiveSchedules.make(CollectiveRequest(operation: op, algorithm: algorithm, ranks: p, elements: bytes / 4, chunkBytes: big)))
        }
        let N = Double(n)
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, b) }
        #expect(close(predict(.allReduce, .ring), AlphaBeta.ringAllReduce(p: p, bytes: N, alpha: alpha, beta: beta)))
        #expect(close(predict(.allReduce, .recursiveHalvingDoubling), AlphaBeta.halvingDoublingAllReduce(p: p, bytes: N, alpha: alpha, beta: beta)))
        #expect(close(predict(.allGather, .ring), AlphaBeta.ringAllGather(p: p, bytes: N, alpha: alpha, beta: beta)))
        #expect(close(predict(.reduceScatter, .ring), AlphaBeta.ringAllGather(p: p, bytes: N, alpha: alpha, beta: beta)))
        #expect(close(predict(.allGather, .recursiveDoubling), AlphaBeta.recursiveAllGather(p: p, bytes: N, alpha: alpha, beta: beta)))
        #expect(close(predict(.broadcast, .binomial), AlphaBeta.binomialBroadcast(p: p, bytes: N, alpha: alpha, beta: beta)))
        // Pairwise all-to-all: each rank sends (p-1)/p of its n bytes.
        #expect(close(predict(.allToAll, .pairwise), AlphaBeta.pairwiseAllToAll(p: p, bytes: N * Double(p - 1) / Double(p), alpha: alpha, beta: beta)))
        // A pipelined chain: 16 pieces of 64 KiB.
        let chain = model.evaluate(CollectiveSchedules.make(CollectiveRequest(operation: .broadcast, algorithm: .pipelinedRing, ranks: p, elements: n / 4, chunkBytes: 65536)))
        #expect(close(chain, AlphaBeta.pipelinedChain(p: p, bytes: N, pieces: 16, alpha: alpha, beta: beta)))
    }

    /// Store and forward: the switch receives one frame (here a 64 KiB GSO super-frame) before sending it on.
    @Test func storeAndForwardAddsAFramePerExtraHop() {
        let (table, alpha, beta) = star(2)
        let model = AlphaBetaModel(paths: table, overhead: 10e-6, frameBytes: 65536)
        let n = 1 << 20
        let schedule = CollectiveSchedules.make(CollectiveRequest(operation: .sendRecv, ranks: 2, elements: n / 4, chunkBytes: n))
        #expect(abs(model.evaluate(schedule) - (alpha + 65536 * beta + Double(n) * beta)) < 1e-12)
        // Small messages store only themselves.
        #expect(abs(model.alpha(0, 1, bytes: 1000) - (alpha + 1000 * beta)) < 1e-15)
        #expect(AlphaBetaModel(paths: table, overhead: 10e-6).alpha(0, 1, bytes: 1000) == alpha)
    }

    @Test func gsoFramesFollowTheRate() {
        #expect(AlphaBetaModel.gsoFrameBytes(payloadBytesPerSecond: 1e9 / 8 * 1448 / 1514) == 65536)
        // 100 Mbit/s: 1.2 x 11.96 MB/s over 1024 = 14,014 bytes.
        #expect(AlphaBetaModel.gsoFrameBytes(payloadBytesPerSecond: 1e8 / 8 * 1448 / 1514) == Int(1.2 * (1e8 / 8 * 1448 / 1514) / 1024))
        #expect(AlphaBetaModel.gsoFrameBytes(payloadBytesPerSecond: 1e6 / 8) == 2896)
    }

    /// Pipelining in pieces hides the per-step latency once a block's remaining pieces outlast alpha.
    @Test func piecesHideLatency() {
        let (table, alpha, beta) = star(4)
        let model = AlphaBetaModel(paths: table, overhead: 10e-6)
        let n = 16 << 20
        let whole = model.evaluate(CollectiveSchedules.make(CollectiveRequest(operation: .allReduce, ranks: 4, elements: n / 4, chunkBytes: n)))
        let pieces = model.evaluate(CollectiveSchedules.make(CollectiveRequest(operation: .allReduce, ranks: 4, elements: n / 4, chunkBytes: 512 << 10)))
        let bandwidth = 1.5 * Double(n) * beta
        #expect(abs(whole - (6 * alpha + bandwidth)) < 1e-9)
        // 4 MiB blocks in 8 pieces (4.4 ms each at 1 Gbit/s) keep the link busy across steps: about one alpha
        // and one piece time over the bandwidth term.
        #expect(pieces < whole && pieces > bandwidth && pieces < bandwidth + alpha + 2 * 524_288 * beta)
    }
}
