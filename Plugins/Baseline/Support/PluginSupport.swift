/// A duration in seconds, as a Double (for rates and series).
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// A duration in microseconds, as a Double (the unit latency histograms are kept in).
func microseconds(_ duration: Duration) -> Double {
    seconds(duration) * 1e6
}

/// Runs a plugin's work; an error thrown after the run was cancelled (the runner shut the
/// plugin's sockets down, so blocked calls failed) is reported as the cancellation.
func cancellable(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        if Task.isCancelled { throw CancellationError() }
        throw error
    }
}
