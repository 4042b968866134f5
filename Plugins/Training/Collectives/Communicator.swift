// Plugins/Training / Collectives: running a schedule. Every rank and channel gets a thread of its
// own (`context.blocking`); they wait at a start gate so thread start-up is not timed, and the
// operation's time runs from the gate to the last rank's last op, as nccl-tests times a collective.

import Foundation
import NetLoomPluginAPI

/// Holds threads until all have arrived, then lets them go together.
final class StartGate: @unchecked Sendable {
    private let condition = NSCondition()
    private var arrived = 0
    private var open = false

    func arriveAndWait() {
        condition.lock()
        arrived += 1
        condition.broadcast()
        while !open { condition.wait() }
        condition.unlock()
    }

    /// Waits for `count` arrivals, opens, and returns the moment it opened.
    func openWhen(_ count: Int) -> ContinuousClock.Instant {
        condition.lock()
        while arrived < count { condition.wait() }
        open = true
        let now = ContinuousClock.now
        condition.broadcast()
        condition.unlock()
        return now
    }
}

/// Time this thread spent runnable but waiting for a CPU (the second field of
/// /proc/thread-self/schedstat), seconds.
func runQueueWaitSeconds() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/thread-self/schedstat", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Double(fields[1]) ?? 0) / 1e9 : 0
}

/// One run of a collective: its time, and how long its threads waited for a CPU on average, as a
/// share of that time (0.1: each rank thread waited a tenth of the operation for a core).
public struct CollectiveTiming: Sendable {
    public var duration: Duration
    public var runQueueShare: Double
}

public enum Communicator {
    /// Runs `data`'s schedule on every rank of `spec` at once; returns the time from the start to
    /// the end of the slowest rank.
    public static func runAll(_ data: CollectiveData, spec: CommunicatorSpec, mesh: Mesh, arithmetic: Bool,
                              context: PluginContext, stop: StopFlag) async throws -> Duration {
        try await timeAll(data, spec: spec, mesh: mesh, arithmetic: arithmetic, context: context, stop: stop).duration
    }

    /// `runAll`, with the threads' run-queue wait.
    public static func timeAll(_ data: CollectiveData, spec: CommunicatorSpec, mesh: Mesh, arithmetic: Bool,
                               context: PluginContext, stop: StopFlag) async throws -> CollectiveTiming {
        let schedule = data.schedule
        let gate = StartGate()
        let workers = schedule.ranks * schedule.channels
        return try await withThrowingTaskGroup(of: (instant: ContinuousClock.Instant, waited: Double?).self) { group in
            for rank in 0..<schedule.ranks {
                let buffers = data.buffers[rank]
                for channel in 0..<schedule.channels {
                    let engine = ChannelEngine(
                        rank: rank, channel: channel, schedule: schedule, buffers: buffers, dataType: data.request.dataType,
                        arithmetic: arithmetic, sockets: mesh.descriptors(spec, channel: channel, localRank: rank), stop: stop)
                    group.addTask {
                        try await context.blocking("rank\(spec.members[rank])-ch\(channel)") {
                            gate.arriveAndWait()
                            let waited = runQueueWaitSeconds()
                            do {
                                try engine.run()
                            } catch {
                                stop.stop()
                                throw error
                            }
                            return (ContinuousClock.now, runQueueWaitSeconds() - waited)
                        }
                    }
                }
            }
            group.addTask { try await context.blocking("gate") { (gate.openWhen(workers), nil) } }
            var start: ContinuousClock.Instant?
            var end: ContinuousClock.Instant?
            var waited = 0.0
            var firstError: (any Error)?
            while let result = await group.nextResult() {
                switch result {
                case .success(let (instant, wait)):
                    if let wait {
                        waited += wait
                        if end == nil || instant > end! { end = instant }
                    } else {
                        start = instant
                    }
                case .failure(let error):
                    if firstError == nil || "\(firstError!)" == "stopped" { firstError = error }
                }
            }
            if let firstError { throw firstError }
            guard let start, let end else { return CollectiveTiming(duration: .zero, runQueueShare: 0) }
            let seconds = PathTable.seconds(end - start)
            return CollectiveTiming(duration: end - start, runQueueShare: seconds > 0 ? waited / Double(workers) / seconds : 0)
        }
    }

    /// Runs one rank's part (all its channels) of a schedule on the calling thread's behalf; the
    /// other members run theirs at the same time on their own threads.
    static func runRank(_ schedule: Schedule, localRank: Int, buffers: [UnsafeMutableRawPointer], dataType: DataType,
                        spec: CommunicatorSpec, mesh: Mesh, arithmetic: Bool, stop: StopFlag) throws {
        for channel in 0..<schedule.channels {
            try ChannelEngine(
                rank: localRank, channel: channel, schedule: schedule, buffers: buffers, dataType: dataType,
                arithmetic: arithmetic, sockets: mesh.descriptors(spec, channel: channel, localRank: localRank), stop: stop
            ).run()
        }
    }
}
