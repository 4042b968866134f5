// Plugins/Training / Metrics: the alpha-beta cost model (Thakur, Rabenseifner and Gropp 2005).
// alpha is the per-message latency (the path's one-way delay plus a per-message overhead), beta the
// time per byte at the path's bottleneck (payload-adjusted). The closed forms are the textbook ones;
// `AlphaBetaModel.evaluate` applies the same model to the schedule that actually runs (its pieces,
// pipelining and the lab's real paths), and equals the closed forms when nothing is pipelined.

import Foundation

/// Closed forms for p ranks and n bytes (seconds).
public enum AlphaBeta {
    static func lg(_ p: Int) -> Double { log2(Double(p)) }

    public static func ringAllReduce(p: Int, bytes n: Double, alpha: Double, beta: Double) -> Double {
        2 * Double(p - 1) * alpha + 2 * Double(p - 1) / Double(p) * n * beta
    }

    /// Rabenseifner: reduce-scatter by recursive halving, all-gather by recursive doubling (p a power of two).
    public static func halvingDoublingAllReduce(p: Int, bytes n: Double, alpha: Double, beta: Double) -> Double {
        2 * lg(p) * alpha + 2 * Double(p - 1) / Double(p) * n * beta
    }

    public static func recursiveDoublingAllReduce(p: Int, bytes n: Double, alpha: Double, beta: Double) -> Double {
        lg(p) * (alpha + n * beta)
    }

    /// Ring all-gather or reduce-scatter of n bytes in total.
    public static func ringAllGather(p: Int, bytes n: Double, alpha: Double, beta: Double) -> Double {
        Double(p - 1) * alpha + Double(p - 1) / Double(p) * n * beta
    }

    /// Recursive doubling all-gather (recursive halving reduce-scatter), p a power of two.
    public static func recursiveAllGather(p: Int, bytes n: Double, alpha: Double, beta: Double) -> Double {
        lg(p) * alpha + Double(p - 1) / Double(p) * n * beta
    }

    /// Pairwise all-to-all where each rank sends n bytes in total to the others.
    public static func pairwiseAllToAll(p: Int, bytes n: Double, alpha: Double, beta: Double) -> Double {
        Double(p - 1) * alpha + n * beta
    }

    public static func binomialBroadcast(p: Int, bytes n: Double, alpha: Double, beta: Double) -> Double {
        ceil(lg(p)) * (alpha + n * beta)
    }

    /// A chain of p ranks carrying n bytes in k pieces: the last piece leaves the root after k piece
    /// times and crosses p - 1 hops, each adding alpha and a piece time.
    public static func pipelinedChain(p: Int, bytes n: Double, pieces k: Int, alpha: Double, beta: Double) -> Double {
        Double(p - 1) * alpha + Double(p + k - 2) * n / Double(k) * beta
    }
}

/// The alpha-beta model of a schedule on the lab's paths.
public struct AlphaBetaModel: Sendable {
    public let paths: PathTable
    /// Per-message overhead added to alpha, seconds.
    public let overhead: Double
    /// The unit a hop receives whole before forwarding it (store and forward): a 1514-byte frame in a
    /// real switch; a GSO super-frame of up to 64 KiB between the lab's veths while their offloads are
    /// on (-1: as the kernel sizes them for the path's rate). 0: cut-through, the textbook model.
    public let frameBytes: Int

    public init(paths: PathTable, overhead: Double, frameBytes: Int = 0) {
        self.paths = paths
        self.overhead = overhead
        self.frameBytes = frameBytes
    }

    public func alpha(_ i: Int, _ j: Int) -> Double { paths.delay(i, j) + overhead }

    /// The GSO super-frame the kernel builds for a TCP flow (tcp_tso_autosize): about 1 ms of its pacing
    /// rate (1.2 x its bottleneck's payload rate), at least two segments, at most 64 KiB.
    public static func gsoFrameBytes(payloadBytesPerSecond rate: Double) -> Int {
        min(65_536, max(2 * 1448, Int(1.2 * rate / 1024)))
    }

    /// alpha for a message of `bytes`: every hop after the first first receives one frame of it.
    /// `frameBytes` < 0 means the GSO frame of the path's rate.
    public func alpha(_ i: Int, _ j: Int, bytes: Int) -> Double {
        let unit = frameBytes >= 0 ? frameBytes : Self.gsoFrameBytes(payloadBytesPerSecond: 1 / paths.beta(i, j))
        let frame = Double(min(bytes, unit))
        return alpha(i, j) + paths.paths[i][j].dropFirst().reduce(0) { $0 + frame / paths.payloadRate($1) }
    }

    /// Predicted seconds for `schedule` run by the ranks `members` (indices into the table's ranks).
    /// Each transfer starts when its send's dependencies are done and every link direction on its
    /// path is free; it holds each of them for its bytes at that hop's rate, arrives after alpha plus
    /// its bytes at the bottleneck, and is applied once the receive's dependencies are done.
    public func evaluate(_ schedule: Schedule, members: [Int]? = nil) -> Double {
        let members = members ?? Array(0..<schedule.ranks)
        var finished = schedule.ops.map { $0.map { [Double](repeating: 0, count: $0.count) } }
        var free: [Int: Double] = [:]
        var end = 0.0
        for transfer in schedule.transfers {
            let c = transfer.channel
            let send = schedule.ops[transfer.source][c][transfer.sendOp]
            let receive = schedule.ops[transfer.destination][c][transfer.receiveOp]
            let i = members[transfer.source], j = members[transfer.destination]
            let hops = paths.paths[i][j]
            let bytes = Double(transfer.bytes)
            var start = send.dependencies.reduce(0.0) { max($0, finished[transfer.source][c][$1]) }
            for hop in hops { start = max(start, free[hop.resource] ?? 0) }
            for hop in hops { free[hop.resource] = start + bytes / paths.payloadRate(hop) }
            let beta = paths.beta(i, j)
            finished[transfer.source][c][transfer.sendOp] = start + bytes * beta
            let arrival = start + alpha(i, j, bytes: transfer.bytes) + bytes * beta
            let ready = receive.dependencies.reduce(0.0) { max($0, finished[transfer.destination][c][$1]) }
            finished[transfer.destination][c][transfer.receiveOp] = max(arrival, ready)
            end = max(end, max(arrival, ready))
        }
        return end
    }
}
