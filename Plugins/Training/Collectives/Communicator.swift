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

public enum Communicator {
    /// Runs `data`'s schedule on every rank of `spec` at once; returns the time from the start to
    /// the end of the slowest rank.
    public static func runAll(_ data: CollectiveData, spec: CommunicatorSpec, mesh: Mesh, arithmetic: Bool,
                              context: PluginContext, stop: StopFlag) async throws -> Duration {
        let schedule = data.schedule
        let gate = StartGate()
        let workers = schedule.ranks * schedule.channels
        return try await withThrowingTaskGroup(of: ContinuousClock.Instant?.self) { group in
            for rank in 0..<schedule.ranks {
                let buffers = data.buffers[rank]
                for channel in 0..<schedule.channels {
                    let engine = ChannelEngine(
                        rank: rank, channel: channel, schedule: schedule, buffers: buffers, dataType: data.request.dataType,
                        arithmetic: arithmetic, sockets: mesh.descriptors(spec, channel: channel, localRank: rank), stop: stop)
                    group.addTask {
                        try await context.blocking("rank\(spec.members[rank])-ch\(channel)") {
                            gate.arriveAndWait()
                            do {
                                try engine.run()
                            } catch {
                                stop.stop()
                                throw error
                            }
                            return ContinuousClock.now
                        }
                    }
                }
            }
            group.addTask { try await context.blocking("gate") { gate.openWhen(workers) } }
            var start: ContinuousClock.Instant?
            var end: ContinuousClock.Instant?
            var firstError: (any Error)?
            while let result = await group.nextResult() {
                switch result {
                case .success(let instant):
                    if let instant {
                        // The gate's instant is never later than any worker's end.
                        if start == nil || instant < start! { start = instant }
                        if end == nil || instant > end! { end = instant }
                    }
                case .failure(let error):
                    if firstError == nil || "\(firstError!)" == "stopped" { firstError = error }
                }
            }
            if let firstError { throw firstError }
            guard let start, let end else { return .zero }
            return end - start
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
