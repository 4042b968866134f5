/// Durations as Doubles for rates, series and the metrics' arithmetic.

/// A duration in seconds.
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// A duration of `value` seconds (nanosecond steps).
func duration(seconds value: Double) -> Duration {
    .nanoseconds(Int64((value * 1e9).rounded()))
}

/// Sleeps the calling thread until `instant` (engine and sender threads, never the
/// cooperative pool). Returns at once for an instant in the past.
func sleepThread(until instant: ContinuousClock.Instant) {
    let left = instant - ContinuousClock.now
    guard left > .zero else { return }
    let nanoseconds = left.components.seconds * 1_000_000_000 + left.components.attoseconds / 1_000_000_000
    var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
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

import Glibc
