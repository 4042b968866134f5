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
        // Instances that must meet: collectives by (group, n-th of that group), messages by (from, to, n-th).
        var meeting: [[String]] = []
        for rank in 0..<ranks {
            var counts: [String: Int] = [:]
            meeting.append(program.tasks[rank].map { task in
                let base: String = switch task.kind {
                case .compute: "compute\(rank)"
                case .collective(let group, _, _): "g\(group)"
                case .send(let peer, _): "m\(rank)>\(peer)"
                case .receive(let peer, _): "m\(peer)>\(rank)"
                }
                let n = counts[base, default: 0]
                counts[base] = n + 1
                return "\(base)#\(n)"
            })
        }
        var ready = program.tasks.map { [Double](repeating: 0, count: $0.count) }
        var times = program.tasks.map { [(start: Double, end: Double)](repeating: (0, 0), count: $0.count) }
        // Relax until nothing moves: each pass pushes start times along dependencies, streams and meetings.
        for _ in 0..<10_000 {
            var changed = false
            var meetAt: [String: Double] = [:]
            for rank in 0..<ranks {
                var streamEnd: [StreamKey: Double] = [:]
                for (index, task) in program.tasks[rank].enumerated() {
                    var r = streamEnd[task.stream] ?? 0
                    for dependency in task.dependencies { r = max(r, times[rank][dependency].end) }
                    ready[rank][index] = r
                    meetAt[meeting[rank][index], default: 0] = max(meetAt[meeting[rank][index], default: 0], r)
                    streamEnd[task.stream] = times[rank][index].end
                }
            }
            for rank in 0..<ranks {
                for (index, task) in program.tasks[rank].enumerated() {
                    let start = task.isCommunication ? meetAt[meeting[rank][index]]! : ready[rank][index]
                    let end = start + duration(task, rank: rank)
                    if abs(times[rank][index].start - start) > 1e-12 || abs(times[rank][index].end - end) > 1e-12 {
                        times[rank][index] = (start, end)
                        changed = true
                    }
                }
            }
            if !changed { break }
        }
        let total = times.joined().map(\.end).max() ?? 0
        return (total, times)
    }
}
