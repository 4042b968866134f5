// Plugins/Training / Program: what each rank does in one training iteration (or one trace), as a
// graph of tasks: compute (a delay), collectives in a communicator, and sends and receives. Training
// models and trace readers produce programs; `ProgramRunner` runs them over the lab and
// `ProgramModel` predicts them.
//
// Each rank runs its tasks on streams, as a GPU runtime does: one compute stream, one stream per
// communicator, one per peer and direction. A stream takes its tasks in program order, each once its
// dependencies (earlier tasks of the same rank) are done. Every member of a communicator lists its
// collectives in the same order, and the two ends of a send and its receive list them in the same
// order, so streams meet without any matching protocol.

/// One task of a rank.
public struct ProgramTask: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case compute(seconds: Double)
        /// A collective in communicator `group` (an index into `Program.groups`); `bytes` is nccl-tests' S.
        case collective(group: Int, operation: CollectiveOperation, bytes: Int)
        case send(to: Int, bytes: Int)
        case receive(from: Int, bytes: Int)
    }

    public var kind: Kind
    /// Indices of earlier tasks of the same rank.
    public var dependencies: [Int]
    /// What it is, for the per-collective breakdown ("tp all_reduce", "dp all_reduce", "pp send", ...).
    public var label: String

    public init(_ kind: Kind, after dependencies: [Int] = [], label: String) {
        self.kind = kind
        self.dependencies = dependencies
        self.label = label
    }

    public var isCommunication: Bool { if case .compute = kind { false } else { true } }

    public var bytes: Int {
        switch kind {
        case .compute: 0
        case .collective(_, _, let bytes), .send(_, let bytes), .receive(_, let bytes): bytes
        }
    }

    /// The stream the task runs on.
    var stream: StreamKey {
        switch kind {
        case .compute: .compute
        case .collective(let group, _, _): .group(group)
        case .send(let peer, _): .send(peer)
        case .receive(let peer, _): .receive(peer)
        }
    }
}

enum StreamKey: Hashable, Sendable {
    case compute
    case group(Int)
    case send(Int)
    case receive(Int)
}

/// Every rank's tasks and the communicators they use.
public struct Program: Sendable {
    /// Ranks are workload ranks (node i of the workload).
    public var ranks: Int
    /// tasks[rank]
    public var tasks: [[ProgramTask]]
    /// Communicators: members are workload ranks, in the order that gives their local ranks.
    public var groups: [[Int]]

    public init(ranks: Int, tasks: [[ProgramTask]]? = nil, groups: [[Int]] = []) {
        self.ranks = ranks
        self.tasks = tasks ?? Array(repeating: [], count: ranks)
        self.groups = groups
    }

    /// The index of the communicator with these members, added if new.
    public mutating func group(_ members: [Int]) -> Int {
        if let index = groups.firstIndex(of: members) { return index }
        groups.append(members)
        return groups.count - 1
    }

    /// Appends a task to `rank` and returns its index.
    @discardableResult
    public mutating func add(_ rank: Int, _ kind: ProgramTask.Kind, after dependencies: [Int?] = [], label: String) -> Int {
        tasks[rank].append(ProgramTask(kind, after: dependencies.compactMap { $0 }, label: label))
        return tasks[rank].count - 1
    }

    /// Pairs of ranks that send to each other.
    public var pointToPointPairs: [[Int]] {
        var pairs = Set<[Int]>()
        for (rank, list) in tasks.enumerated() {
            for task in list {
                if case .send(let peer, _) = task.kind { pairs.insert([min(rank, peer), max(rank, peer)]) }
            }
        }
        return pairs.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Problems that would make ranks wait forever: a collective whose members list different
    /// sequences, sends without receives, dependencies on later tasks.
    public func validate() -> [String] {
        var problems: [String] = []
        for (rank, list) in tasks.enumerated() {
            for (index, task) in list.enumerated() where task.dependencies.contains(where: { $0 >= index || $0 < 0 }) {
                problems.append("rank \(rank) task \(index) depends on a task that is not earlier")
            }
        }
        for (g, members) in groups.enumerated() {
            let sequences = members.map { rank in
                tasks[rank].compactMap { task -> String? in
                    if case .collective(g, let operation, let bytes) = task.kind { return "\(operation.rawValue):\(bytes)" }
                    return nil
                }
            }
            if Set(sequences).count > 1 { problems.append("the members of communicator \(members) issue different collectives") }
            for (rank, list) in tasks.enumerated() where !members.contains(rank) {
                if list.contains(where: { if case .collective(g, _, _) = $0.kind { true } else { false } }) {
                    problems.append("rank \(rank) is not a member of communicator \(members)")
                }
            }
        }
        for (rank, list) in tasks.enumerated() {
            for (index, task) in list.enumerated() {
                let peer: Int? = switch task.kind {
                case .send(let to, _): to
                case .receive(let from, _): from
                default: nil
                }
                if let peer, peer < 0 || peer >= ranks || peer == rank {
                    problems.append("rank \(rank) task \(index) has peer \(peer): peers are the other ranks, 0 to \(ranks - 1)")
                }
            }
        }
        for a in 0..<ranks {
            for b in 0..<ranks where a != b {
                let sent = tasks[a].compactMap { if case .send(b, let n) = $0.kind { n } else { nil } }
                let received = tasks[b].compactMap { if case .receive(a, let n) = $0.kind { n } else { nil } }
                if sent != received { problems.append("rank \(a) sends \(sent.count) messages to rank \(b), which receives \(received.count) (sizes must match in order)") }
            }
        }
        return problems
    }
}
