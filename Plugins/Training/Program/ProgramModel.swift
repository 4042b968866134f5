// Plugins/Training / Program: a program's timeline on paper. Compute takes its modelled time;
// a collective starts when every member is ready and takes the alpha-beta time of its schedule on
// the lab's paths; a send and its receive start when both ends are ready and take one message's
// alpha-beta time. With communication at zero this gives the compute-only time (pipeline bubbles
// included), against which the exposed communication of a measured run is counted.

public struct ProgramModel: Sendable {
    public let program: Program
    let runner: ProgramRunner
    let model: AlphaBetaModel?

    /// `model` nil: communication takes no time.
    public init(program: Program, chunkBytes: Int = 512 * 1024, model: AlphaBetaModel?) {
        self.program = program
        runner = ProgramRunner(program: program, chunkBytes: chunkBytes)
        self.model = model
    }

    /// Seconds from the start to the last task's end, and each task's (start, end).
    public func evaluate() -> (total: Double, times: [[(start: Double, end: Double)]]) {
        let ranks = program.ranks
        var cost: [String: Double] = [:]
        func duration(_ task: ProgramTask, rank: Int) -> Double {
            switch task.kind {
            case .compute(let seconds): return seconds
            case .collective(let group, let operation, let bytes):
                guard let model else { return 0 }
                let key = "c\(group):\(operation.rawValue):\(bytes)"
                if let known = cost[key] { return known }
                let (schedule, _, _) = runner.schedule(for: task, rank: program.groups[group][0])!
                let seconds = model.evaluate(schedule, members: program.groups[group])
                cost[key] = seconds
                return seconds
            case .send(let peer, let bytes), .receive(let peer, let bytes):
                guard let model else { return 0 }
                let (from, to): (Int, Int)
                if case .send = task.kind { (from, to) = (rank, peer) } else { (from, to) = (peer, rank) }
                return model.alpha(from, to, bytes: bytes) + Double(bytes) * model.paths.beta(from, to)
            }
        }
        // Tasks that must meet: collectives by (group, n-th of that group), messages by (from, to, n-th).
        var meetingIDs: [String: Int] = [:]
        var meeting: [[Int]] = []
        for rank in 0..<ranks {
            var counts: [String: Int] = [:]
            meeting.append(program.tasks[rank].map { task in
                let base: String = switch task.kind {
                case .compute: ""
                case .collective(let group, _, _): "g\(group)"
                case .send(let peer, _): "m\(rank)>\(peer)"
                case .receive(let peer, _): "m\(peer)>\(rank)"
                }
                guard !base.isEmpty else { return -1 }
                let n = counts[base, default: 0]
                counts[base] = n + 1
                let key = "\(base)#\(n)"
                if let id = meetingIDs[key] { return id }
                meetingIDs[key] = meetingIDs.count
                return meetingIDs.count - 1
            })
        }
        var meetingSize = [Int](repeating: 0, count: meetingIDs.count)
        for ids in meeting { for id in ids where id >= 0 { meetingSize[id] += 1 } }
        // One pass in dependency order: a task's ready time is the end of its dependencies and of the task
        // before it on its stream; a meeting starts when its last member is ready.
        var times = program.tasks.map { [(start: Double, end: Double)](repeating: (0, 0), count: $0.count) }
        var waiting = program.tasks.map { [Int](repeating: 0, count: $0.count) }
        var successors = program.tasks.map { [[Int]](repeating: [], count: $0.count) }
        var ready = program.tasks.map { [Double](repeating: 0, count: $0.count) }
        for rank in 0..<ranks {
            var previous: [StreamKey: Int] = [:]
            for (index, task) in program.tasks[rank].enumerated() {
                var predecessors = Set(task.dependencies)
                if let before = previous[task.stream] { predecessors.insert(before) }
                previous[task.stream] = index
                waiting[rank][index] = predecessors.count
                for p in predecessors { successors[rank][p].append(index) }
            }
        }
        var queue: [(rank: Int, index: Int)] = []
        for rank in 0..<ranks { for index in program.tasks[rank].indices where waiting[rank][index] == 0 { queue.append((rank, index)) } }
        var arrived = [[(rank: Int, index: Int)]](repeating: [], count: meetingIDs.count)
        var head = 0
        func finish(_ rank: Int, _ index: Int, start: Double) {
            times[rank][index] = (start, start + duration(program.tasks[rank][index], rank: rank))
            for next in successors[rank][index] {
                waiting[rank][next] -= 1
                ready[rank][next] = max(ready[rank][next], times[rank][index].end)
                if waiting[rank][next] == 0 { queue.append((rank, next)) }
            }
        }
        while head < queue.count {
            let (rank, index) = queue[head]
            head += 1
            let id = meeting[rank][index]
            if id < 0 {
                finish(rank, index, start: ready[rank][index])
                continue
            }
            arrived[id].append((rank, index))
            guard arrived[id].count == meetingSize[id] else { continue }
            let start = arrived[id].map { ready[$0.rank][$0.index] }.max() ?? 0
            for member in arrived[id] { finish(member.rank, member.index, start: start) }
        }
        let total = times.joined().map(\.end).max() ?? 0
        return (total, times)
    }
}
