// Plugins/Training / Collectives: the operations and algorithms, named as nccl-tests and the
// literature name them.

/// A collective operation (nccl-tests' binaries: all_reduce_perf, ...).
public enum CollectiveOperation: String, Sendable, CaseIterable {
    case allReduce = "all_reduce"
    case allGather = "all_gather"
    case reduceScatter = "reduce_scatter"
    case broadcast
    case reduce
    case allToAll = "alltoall"
    case allToAllv = "alltoallv"
    case sendRecv = "sendrecv"

    public init?(parameter: String) {
        let key = parameter.lowercased().replacingOccurrences(of: "-", with: "_")
        switch key {
        case "all_reduce", "allreduce": self = .allReduce
        case "all_gather", "allgather": self = .allGather
        case "reduce_scatter", "reducescatter": self = .reduceScatter
        case "broadcast", "bcast": self = .broadcast
        case "reduce": self = .reduce
        case "alltoall", "all_to_all", "all2all": self = .allToAll
        case "alltoallv", "all_to_allv": self = .allToAllv
        case "sendrecv", "send_recv", "p2p": self = .sendRecv
        default: return nil
        }
    }

    /// nccl-tests' busbw factor for n ranks (DESIGN.md, "AI traffic: ground truth").
    public func busBandwidthFactor(ranks n: Int) -> Double {
        let p = Double(n)
        switch self {
        case .allReduce: return 2 * (p - 1) / p
        case .allGather, .reduceScatter, .allToAll, .allToAllv: return (p - 1) / p
        case .broadcast, .reduce, .sendRecv: return 1
        }
    }

    /// Whether the operation adds (the `redop` column says sum, else none).
    public var reduces: Bool { self == .allReduce || self == .reduceScatter || self == .reduce }

    /// The algorithms that implement it; the first is the default.
    public var algorithms: [CollectiveAlgorithm] {
        switch self {
        case .allReduce: [.ring, .recursiveHalvingDoubling, .doubleBinaryTree]
        case .allGather, .reduceScatter: [.ring, .recursiveDoubling]
        case .broadcast, .reduce: [.pipelinedRing, .binomial]
        case .allToAll, .allToAllv: [.pairwise, .allAtOnce]
        case .sendRecv: [.direct]
        }
    }

    /// Sizes must be a multiple of this many elements (the per-rank blocks of the operation).
    public func elementMultiple(ranks: Int) -> Int {
        switch self {
        case .allGather, .reduceScatter, .allToAll, .allToAllv: ranks
        default: 1
        }
    }
}

/// How a collective is carried out: a schedule of sends and receives between ranks.
public enum CollectiveAlgorithm: String, Sendable, CaseIterable {
    /// Ring: 2(p-1) steps (all-reduce) or p-1 steps (all-gather, reduce-scatter) of 1/p of the data.
    case ring
    /// Rabenseifner: reduce-scatter by recursive halving, all-gather by recursive doubling.
    case recursiveHalvingDoubling = "rhd"
    /// All-gather by recursive doubling; reduce-scatter by its mirror, recursive halving.
    case recursiveDoubling = "recursive_doubling"
    /// NCCL's double binary tree: two trees, each reduces and broadcasts half the data.
    case doubleBinaryTree = "tree"
    /// Binomial tree (broadcast, reduce).
    case binomial
    /// A chain through the ranks, pipelined in chunks (NCCL's ring broadcast and reduce).
    case pipelinedRing = "pipelined_ring"
    /// All-to-all in p-1 steps; step t sends to rank+t and receives from rank-t.
    case pairwise
    /// All-to-all with every send and receive posted at once.
    case allAtOnce = "all_at_once"
    /// Send/recv: each rank sends to the next and receives from the previous.
    case direct

    public init?(parameter: String, for operation: CollectiveOperation) {
        let key = parameter.lowercased().replacingOccurrences(of: "-", with: "_")
        let algorithm: CollectiveAlgorithm? = switch key {
        case "ring": operation == .broadcast || operation == .reduce ? .pipelinedRing : .ring
        case "rhd", "recursive_halving_doubling", "rabenseifner", "halving_doubling": .recursiveHalvingDoubling
        case "recursive_doubling", "recursive_halving", "recursive": .recursiveDoubling
        case "tree", "double_binary_tree", "dbt": .doubleBinaryTree
        case "binomial", "binomial_tree": .binomial
        case "pipelined_ring", "chain", "pipeline": .pipelinedRing
        case "pairwise": .pairwise
        case "all_at_once", "allatonce", "direct_all": .allAtOnce
        case "direct": .direct
        case "default": operation.algorithms.first
        default: nil
        }
        guard let algorithm, operation.algorithms.contains(algorithm) else { return nil }
        self = algorithm
    }
}
