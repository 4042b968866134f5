// Plugins/Training / Program: runs a program over the lab. Each rank's streams are threads of their
// own; compute is a sleep (the modelled GPU time, not CPU work: the ranks share the machine's cores);
// collectives run the same schedules and engine as the collective plugin, moving real bytes without
// the arithmetic; sends and receives are one transfer between the two ranks.

import Foundation
import NetLoomPluginAPI
import Synchronization

/// What one task did in one run: its rank, index, start and end (seconds from the run's start).
public struct TaskTiming: Sendable {
    public var rank: Int
    public var index: Int
    public var start: Double
    public var end: Double
}

/// Done flags of one rank's tasks, which its streams wait on.
final class RankProgress: @unchecked Sendable {
    private let condition = NSCondition()
    private var done: [Bool]

    init(count: Int) { done = Array(repeating: false, count: count) }

    func wait(for dependencies: [Int], stop: StopFlag) throws {
        condition.lock()
        defer { condition.unlock() }
        while !dependencies.allSatisfy({ done[$0] }) {
            if stop.isStopped { throw CollectiveError("stopped") }
            _ = condition.wait(until: Date().addingTimeInterval(0.2))
        }
    }

    func finish(_ index: Int) {
        condition.lock()
        done[index] = true
        condition.broadcast()
        condition.unlock()
    }
}

public struct ProgramRunner: Sendable {
    public private(set) var program: Program
    /// Communicator specs in program group order, then one per point-to-point pair.
    let specs: [CommunicatorSpec]
    let pairSpec: [[Int]: CommunicatorSpec]
    public let chunkBytes: Int
    let dataType = DataType.bfloat16
    /// Schedules built so far (by collective and size), shared by every rank's streams.
    let cache = ScheduleCache()

    public init(program: Program, chunkBytes: Int = 512 * 1024) {
        self.program = program
        self.chunkBytes = chunkBytes
        var specs = program.groups.enumerated().map { CommunicatorSpec(id: $0.offset, members: $0.element) }
        var pairs: [[Int]: CommunicatorSpec] = [:]
        for pair in program.pointToPointPairs {
            let spec = CommunicatorSpec(id: specs.count, members: pair)
            specs.append(spec)
            pairs[pair] = spec
        }
        self.specs = specs
        pairSpec = pairs
    }

    /// The same communicators and pairs (so the same connections) for another program over them:
    /// another iteration of the same job.
    public func running(_ other: Program) -> ProgramRunner {
        var runner = self
        runner.program = other
        return runner
    }

    /// Connects every communicator and pair.
    public func connect(context: PluginContext) async throws -> Mesh {
        try await Mesh.connect(specs.filter { $0.members.count > 1 }, context: context, port: context.port(0))
    }

    /// The schedule of a task on its communicator (a collective) or pair (a send: rank 0 of the pair
    /// spec sends when it is the lower rank).
    func schedule(for task: ProgramTask, rank: Int) -> (Schedule, CommunicatorSpec, Int)? {
        switch task.kind {
        case .compute:
            return nil
        case .collective(let group, let operation, let bytes):
            let members = program.groups[group]
            let multiple = operation.elementMultiple(ranks: members.count) * dataType.size
            let request = CollectiveRequest(operation: operation, ranks: members.count, elements: max(multiple, bytes / multiple * multiple) / dataType.size,
                                            dataType: dataType, chunkBytes: chunkBytes)
            let schedule = cache.schedule("c\(members.count):\(operation.rawValue):\(bytes)") { CollectiveSchedules.make(request) }
            return (schedule, specs[group], members.firstIndex(of: rank)!)
        case .send(let peer, let bytes), .receive(let peer, let bytes):
            let pair = [min(rank, peer), max(rank, peer)]
            let spec = pairSpec[pair]!
            let sender: Int
            if case .send = task.kind { sender = rank } else { sender = peer }
            let from = sender == pair[0] ? 0 : 1
            let schedule = cache.schedule("p\(from):\(bytes)") {
                Self.pointToPoint(bytes: bytes, from: from, chunkBytes: chunkBytes, dataType: dataType)
            }
            return (schedule, spec, pair.firstIndex(of: rank)!)
        }
    }

    /// One message from local rank `from` to the other of a pair, in pieces.
    static func pointToPoint(bytes: Int, from: Int, chunkBytes: Int, dataType: DataType) -> Schedule {
        let layout = BlockLayout(elements: max(1, bytes / dataType.size), blocks: 1, channels: 1, elementSize: dataType.size, chunkBytes: chunkBytes)
        var builder = ScheduleBuilder(ranks: 2, channels: 1, elementSize: dataType.size, layouts: [[layout], [layout]])
        for k in 0..<layout.pieces {
            builder.transfer(from: from, to: 1 - from, channel: 0, units: builder.units(from, blocks: [0], channel: 0, piece: k), reduce: false)
        }
        return builder.build()
    }

    /// Runs the program once on every rank; returns every task's timing.
    public func run(mesh: Mesh, context: PluginContext, stop: StopFlag, timeScale: Double = 1) async throws -> [TaskTiming] {
        let progress = (0..<program.ranks).map { RankProgress(count: program.tasks[$0].count) }
        let timingsBox = TimingBox()
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for rank in 0..<program.ranks {
                var streams: [StreamKey: [Int]] = [:]
                var order: [StreamKey] = []
                for (index, task) in program.tasks[rank].enumerated() {
                    if streams[task.stream] == nil { order.append(task.stream) }
                    streams[task.stream, default: []].append(index)
                }
                for key in order {
                    let indices = streams[key]!
                    group.addTask {
                        try await context.blocking("r\(rank)-\(key)") {
                            do {
                                try self.runStream(rank: rank, indices: indices, progress: progress[rank], mesh: mesh, stop: stop,
                                                   start: start, timeScale: timeScale, timings: timingsBox)
                            } catch {
                                stop.stop()
                                throw error
                            }
                        }
                    }
                }
            }
            var firstError: (any Error)?
            while let result = await group.nextResult() {
                if case .failure(let error) = result, firstError == nil || "\(firstError!)" == "stopped" { firstError = error }
            }
            if let firstError { throw firstError }
        }
        return timingsBox.all
    }

    private func runStream(rank: Int, indices: [Int], progress: RankProgress, mesh: Mesh, stop: StopFlag,
                           start: ContinuousClock.Instant, timeScale: Double, timings: TimingBox) throws {
        var scratch: [UnsafeMutableRawPointer] = []
        var capacity: [Int] = []
        defer { for pointer in scratch { pointer.deallocate() } }
        for index in indices {
            let task = program.tasks[rank][index]
            try progress.wait(for: task.dependencies, stop: stop)
            let planned = schedule(for: task, rank: rank)
            let begun = PathTable.seconds(ContinuousClock.now - start)
            switch task.kind {
            case .compute(let seconds):
                let scaled = seconds * timeScale
                if scaled > 0 { Thread.sleep(forTimeInterval: scaled) }
            default:
                let (schedule, spec, local) = planned!
                let needed = schedule.layouts[local].map { max(64, $0.elements * dataType.size) }
                for (b, bytes) in needed.enumerated() {
                    if b >= scratch.count {
                        scratch.append(UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64))
                        capacity.append(bytes)
                    } else if capacity[b] < bytes {
                        scratch[b].deallocate()
                        scratch[b] = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
                        capacity[b] = bytes
                    }
                }
                try Communicator.runRank(schedule, localRank: local, buffers: scratch, dataType: dataType, spec: spec, mesh: mesh,
                                         arithmetic: false, stop: stop)
            }
            let ended = PathTable.seconds(ContinuousClock.now - start)
            timings.append(TaskTiming(rank: rank, index: index, start: begun, end: ended))
            progress.finish(index)
        }
    }
}

/// Schedules by key, built once.
final class ScheduleCache: Sendable {
    private let table = Mutex<[String: Schedule]>([:])

    func schedule(_ key: String, _ make: () -> Schedule) -> Schedule {
        if let known = table.withLock({ $0[key] }) { return known }
        let made = make()
        table.withLock { $0[key] = made }
        return made
    }
}

final class TimingBox: Sendable {
    private let list = Mutex<[TaskTiming]>([])
    func append(_ timing: TaskTiming) { list.withLock { $0.append(timing) } }
    var all: [TaskTiming] { list.withLock { $0 } }
}
