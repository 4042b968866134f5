// NetLoom / Scripting: Ctrl-C in a script. Without this, SIGINT kills the process and a lab that is up
// stays up (`netloom down NAME` removes it). With it, SIGINT and SIGTERM cancel the work, so `withLab`
// takes the lab down and the program ends normally.

import Dispatch
import Foundation

/// Runs `body` in a task that SIGINT and SIGTERM cancel (and that cancelling the caller cancels too).
/// The signals' previous dispositions are restored when `body` returns (so nested calls work).
///
///     try await withSignalCancellation {
///         try await withLab(.file("Labs/quickstart.yaml")) { lab in ... }
///     }
public func withSignalCancellation<Result: Sendable>(
    signals: [Int32] = [SIGINT, SIGTERM], _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    let task = Task { try await body() }
    let previous = signals.map { signal($0, SIG_IGN) }
    let sources = signals.map { number in
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { task.cancel() }
        source.resume()
        return source
    }
    defer {
        for source in sources { source.cancel() }
        for (number, disposition) in zip(signals, previous) { signal(number, disposition) }
    }
    return try await withTaskCancellationHandler {
        try await task.value
    } onCancel: {
        task.cancel()
    }
}
