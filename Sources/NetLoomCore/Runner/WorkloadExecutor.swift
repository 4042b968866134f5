import Foundation
import Logging
import NetLoomModel
import NetLoomPluginAPI
import Synchronization

/// Runs one workload: waits for its start time, runs the plugin under its deadline,
/// and returns its summary. A plugin that outlives `duration + grace` is cancelled
/// (its sockets shut down so blocked threads return); one that still does not return
/// after another grace period is abandoned and reported as overrunning.
struct WorkloadExecutor: Sendable {
    let index: Int
    let workload: ResolvedWorkload
    let plugin: any TrafficPlugin
    let context: PluginContext
    let clock: RunClock
    let grace: Duration
    let results: ResultsWriter
    let report: @Sendable (RunEvent) -> Void

    func run() async -> WorkloadSummary {
        let directory = WorkloadResults.directory(index: index, plugin: workload.plugin)
        if let start = workload.start, start > clock.elapsed {
            try? await Task.sleep(for: start - clock.elapsed)
        }
        let started = clock.seconds
        results.appendEvent(seconds: started, kind: "workload-start", detail: "\(index) \(workload.plugin)")
        report(.workloadStarted(index: index, plugin: workload.plugin))
        context.logger.info("workload started", metadata: ["workload": "\(index)", "plugin": "\(workload.plugin)"])

        // A run interrupted while this workload waited for its start: it never runs (a plugin
        // started now would open its sockets after the cancellation shut theirs down).
        let (status, error) = Task.isCancelled ? ("cancelled", "the run was interrupted before it started") : await supervise()

        let finished = clock.seconds
        results.appendEvent(seconds: finished, kind: "workload-end", detail: "\(index) \(workload.plugin) \(status)")
        report(.workloadFinished(index: index, plugin: workload.plugin, status: status))
        let snapshot = context.metrics.snapshot()
        do {
            try WorkloadResults.write(snapshot, to: directory, results: results)
        } catch {
            context.logger.error("could not write the workload's results", metadata: ["error": "\(error)"])
        }
        return WorkloadSummary(
            index: index, plugin: workload.plugin, nodes: workload.nodes, status: status, error: error,
            started: started, finished: finished,
            headline: snapshot.results.filter { $0.value.headline }, results: snapshot.results,
            counters: snapshot.counters, histograms: snapshot.histograms.mapValues(\.summary),
            series: snapshot.series.keys.sorted(), tables: snapshot.tables.keys.sorted(), directory: directory)
    }

    /// Runs the plugin with its deadline; returns its status and error text.
    private func supervise() async -> (String, String?) {
        let plugin = self.plugin
        let context = self.context
        let task = Task { try await plugin.run(in: context) }
        let stop: @Sendable () -> Void = {
            task.cancel()
            context.shutdownSockets()
        }
        let limit = workload.duration.map { $0 + grace } ?? .seconds(365 * 86_400)
        let result = await withTaskCancellationHandler { await Self.race(task, limit: limit) } onCancel: { stop() }
        guard let result else {
            stop()
            let stopped = await Self.race(task, limit: grace) != nil
            let duration = DurationSyntax.format(workload.duration ?? .zero)
            return ("overran", stopped
                ? "did not finish within its duration \(duration) + \(DurationSyntax.format(grace)) grace; cancelled"
                : "did not finish within its duration \(duration) and did not return when cancelled; abandoned")
        }
        switch result {
        case .success: return ("ok", nil)
        case .failure(let error) where error is CancellationError: return ("cancelled", "the run was interrupted")
        case .failure(let error): return ("failed", "\(error)")
        }
    }

    /// The task's result, or nil if `limit` passes first (the task keeps running).
    static func race(_ task: Task<Void, any Error>, limit: Duration) async -> Result<Void, any Error>? {
        await withCheckedContinuation { continuation in
            let once = Once()
            let timer = Task {
                // Cancelled means the task finished first: only a full sleep is a timeout.
                do { try await Task.sleep(for: limit) } catch { return }
                if once.claim() { continuation.resume(returning: nil) }
            }
            Task {
                let result = await task.result
                if once.claim() { continuation.resume(returning: result) }
                timer.cancel()
            }
        }
    }
}

/// True for exactly one caller.
final class Once: Sendable {
    private let claimed = Mutex(false)

    func claim() -> Bool {
        claimed.withLock { claimed in
            defer { claimed = true }
            return !claimed
        }
    }
}
