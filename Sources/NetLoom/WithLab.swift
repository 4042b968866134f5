// NetLoom / Scripting: `withLab`, the scope a lab is up in. Teardown is the scope's end: on return, on a
// throw and on cancellation (which reaches the body as a thrown CancellationError), the lab comes down
// before `withLab` returns. Async code has no `defer`, hence do/catch and rethrow.

/// Brings a lab up, runs `body` with it, and takes it down again whatever happens in `body`.
///
///     let p50 = try await withLab(.file("Labs/quickstart.yaml")) { lab in
///         try await lab.set("wan", delay: .milliseconds(20))
///         let run = try await lab.run(Workload("rr", nodes: ["h1", "far"], params: ["time": "2s"]))
///         return run["latency p50"]?.value
///     }
///
/// `name` replaces the lab's name (its namespaces are `NAME.NODE`), so a program can run a lab file
/// that is also up elsewhere. Needs root. Throws `LabErrors` (nothing built) for a lab with errors; when
/// `body` throws, its error is rethrown after the teardown; when only the teardown fails, its error.
/// A process killed with SIGKILL cannot clean up: `netloom down NAME` then removes the lab. Use
/// `withSignalCancellation` so Ctrl-C cancels the body and the lab comes down.
public func withLab<Result>(
    _ source: LabSource, name: String? = nil, options: ScriptOptions = ScriptOptions(),
    isolation: isolated (any Actor)? = #isolation,
    _ body: (RunningLab) async throws -> Result
) async throws -> Result {
    let lab = try await RunningLab.up(source, name: name, options: options)
    let result: Result
    do {
        result = try await body(lab)
    } catch {
        do {
            try await lab.down()
        } catch let teardown {
            options.logger.error("the lab did not come down", metadata: ["lab": "\(lab.name)", "error": "\(teardown)"])
        }
        throw error
    }
    try await lab.down()
    return result
}
