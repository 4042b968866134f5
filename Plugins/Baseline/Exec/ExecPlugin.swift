import Foundation
import NetLoomModel
import NetLoomPluginAPI
import Synchronization

/// `exec`: runs an external program on every node of the workload at once, each
/// inside its node's namespace with the environment torchrun gives its workers (RANK,
/// WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT) and NETLOOM_*
/// variables naming the peers and their addresses, so a real distributed job (a
/// PyTorch gloo job, a Python or C socket program) runs across the emulated network.
/// Each node's stdout and stderr go to `<node>.stdout` / `<node>.stderr` in the
/// workload's folder; every exit code is recorded; the workload fails if any is not 0.
public struct ExecPlugin: TrafficPlugin {
    public static let name = "exec"
    public static let summary = "Runs a program on every node at once with torchrun-style RANK/WORLD_SIZE/MASTER_ADDR and NETLOOM_* peers; captures output and exit codes."
    public static let parameters = [
        ParameterSpec("command", .list(.string), help: "program and arguments; {rank} {world_size} {master_addr} {master_port} {node} {address} are replaced per node"),
        ParameterSpec("env", .list(.string), optional: true, help: "extra environment variables, KEY=VALUE (same replacements)"),
        ParameterSpec("master_port", .integer(1...65_535), optional: true, help: "MASTER_PORT (default: the workload's first port, 10000 + 1000 x its index)"),
        ParameterSpec("directory", .string, optional: true, help: "working directory of the programs (default: netloom's)"),
        ParameterSpec("fail_fast", .bool, default: "true", help: "when one program fails, stop the others (as torchrun and mpirun do)"),
    ]

    static let placeholders = ["rank", "world_size", "master_addr", "master_port", "node", "address"]

    let command: [String]
    let extraEnvironment: [(key: String, value: String)]
    let masterPort: Int?
    let directory: String?
    let failFast: Bool

    public init(parameters: PluginParameters) throws(LabError) {
        command = parameters.strings("command")
        var environment: [(String, String)] = []
        for entry in parameters.has("env") ? parameters.strings("env") : [] {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex,
                  entry[..<equals].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
            else {
                throw parameters.error("\"\(entry)\" is not KEY=VALUE", for: "env", allowed: "e.g. GLOO_LOG_LEVEL=DEBUG")
            }
            environment.append((String(entry[..<equals]), String(entry[entry.index(after: equals)...])))
        }
        extraEnvironment = environment
        masterPort = parameters.has("master_port") ? parameters.int("master_port") : nil
        directory = parameters.optionalString("directory")
        failFast = parameters.bool("fail_fast")
        if command[0].isEmpty { throw parameters.error("the program's name is empty", for: "command") }
        for text in command + extraEnvironment.map(\.value) {
            if let unknown = Self.unknownPlaceholder(in: text) {
                throw parameters.error("unknown placeholder {\(unknown)}", for: extraEnvironment.contains { $0.value == text } ? "env" : "command",
                                       allowed: Self.placeholders.map { "{\($0)}" }.joined(separator: " "))
            }
        }
    }

    public func run(in context: PluginContext) async throws {
        let ranks = context.nodes
        let port = masterPort ?? Int(context.port())
        var launched: [Rank] = []
        do {
            for node in ranks {
                let variables = environment(for: node, context: context, port: port)
                let arguments = command.map { substitute($0, variables) }
                let request = LaunchRequest(
                    node: node.name, executable: arguments[0], arguments: Array(arguments.dropFirst()),
                    environment: Dictionary(variables.environment, uniquingKeysWith: { $1 }), workingDirectory: directory,
                    stdoutPath: "\(context.outputDirectory)/\(node.name).stdout",
                    stderrPath: "\(context.outputDirectory)/\(node.name).stderr")
                launched.append(Rank(node: node, process: try context.launch(request), started: .now))
            }
        } catch {
            for rank in launched { Self.stop(rank.process) }
            throw ExecError.launch(node: ranks[launched.count].name, "\(error)")
        }
        context.logger.info("programs started", metadata: ["ranks": "\(ranks.count)", "program": "\(command[0])"])
        let outcomes = await wait(for: launched, context: context)
        let failures = report(outcomes, context: context)
        // Interrupted: the programs were stopped because the run was, not because they failed.
        try Task.checkCancellation()
        if !failures.isEmpty { throw ExecError.failed(failures) }
    }

    // MARK: - Environment

    /// The variables of one node: torchrun's, NETLOOM_*, and the `env` parameter's.
    func environment(for node: PluginNode, context: PluginContext, port: Int) -> (environment: [(String, String)], values: [String: String]) {
        let master = context.nodes[0]
        let lab = node.namespace.hasSuffix(".\(node.name)") ? String(node.namespace.dropLast(node.name.count + 1)) : node.namespace
        let values: [String: String] = [
            "rank": "\(node.rank)", "world_size": "\(context.nodes.count)", "master_addr": master.address,
            "master_port": "\(port)", "node": node.name, "address": node.address,
        ]
        var variables: [(String, String)] = [
            ("RANK", "\(node.rank)"), ("WORLD_SIZE", "\(context.nodes.count)"),
            ("LOCAL_RANK", "0"), ("LOCAL_WORLD_SIZE", "1"), ("GROUP_RANK", "\(node.rank)"), ("NODE_RANK", "\(node.rank)"),
            ("MASTER_ADDR", master.address), ("MASTER_PORT", "\(port)"),
            ("NETLOOM_LAB", lab), ("NETLOOM_NODE", node.name), ("NETLOOM_ADDRESS", node.address),
            ("NETLOOM_NODES", context.nodes.map(\.name).joined(separator: ",")),
            ("NETLOOM_ADDRESSES", context.nodes.map(\.address).joined(separator: ",")),
            ("NETLOOM_PEERS", context.nodes.map { "\($0.name)=\($0.address)" }.joined(separator: ",")),
            ("NETLOOM_OUTPUT", context.outputDirectory),
            // Output goes to files: unbuffered Python keeps what a stopped program printed.
            ("PYTHONUNBUFFERED", "1"),
        ]
        if let interface = node.interface {
            // Gloo (and NCCL's and TensorPipe's socket transports) find their device by name.
            variables += [("NETLOOM_INTERFACE", interface), ("GLOO_SOCKET_IFNAME", interface),
                          ("NCCL_SOCKET_IFNAME", interface), ("TP_SOCKET_IFNAME", interface)]
        }
        variables += extraEnvironment.map { ($0.key, substitute($0.value, values)) }
        return (variables, values)
    }

    func substitute(_ text: String, _ variables: (environment: [(String, String)], values: [String: String])) -> String {
        substitute(text, variables.values)
    }

    func substitute(_ text: String, _ values: [String: String]) -> String {
        var result = text
        for (name, value) in values { result = result.replacingOccurrences(of: "{\(name)}", with: value) }
        return result
    }

    /// The first `{name}` in `text` that is not a known placeholder (`{{` and shell `${X}` are left alone).
    static func unknownPlaceholder(in text: String) -> String? {
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            let before = open > rest.startIndex ? rest[rest.index(before: open)] : " "
            guard let close = rest[open...].firstIndex(of: "}") else { return nil }
            let name = String(rest[rest.index(after: open)..<close])
            if before != "$" && !name.isEmpty && name.allSatisfy({ $0.isLetter || $0 == "_" }) && !placeholders.contains(name) {
                return name
            }
            rest = rest[rest.index(after: open)...]
        }
        return nil
    }

    // MARK: - Waiting

    struct Rank: Sendable {
        let node: PluginNode
        let process: any LaunchedProcess
        let started: ContinuousClock.Instant
    }

    struct Outcome: Sendable {
        let node: PluginNode
        let status: Int32
        let seconds: Double
        /// Why netloom stopped it, if it did.
        var stoppedBecause: String?
    }

    /// Waits for every program. With `fail_fast`, a failure stops the rest; the
    /// workload's deadline and cancellation stop them all.
    func wait(for ranks: [Rank], context: PluginContext) async -> [Outcome] {
        let reasons = StopReasons()
        let stopAll: @Sendable (String) -> Void = { reason in
            for rank in ranks where reasons.claim(rank.node.rank, reason) { Self.stop(rank.process) }
        }
        let outcomes = await withTaskCancellationHandler {
            await withTaskGroup(of: Outcome?.self) { group in
                for rank in ranks {
                    group.addTask {
                        let status = await rank.process.wait()
                        // Exited by itself: nothing to stop any more.
                        _ = reasons.claim(rank.node.rank, "")
                        return Outcome(node: rank.node, status: status, seconds: seconds(ContinuousClock.now - rank.started))
                    }
                }
                if let deadline = context.deadline {
                    group.addTask {
                        try? await Task.sleep(until: deadline, clock: .continuous)
                        if !Task.isCancelled { stopAll("still running at the workload's duration") }
                        return nil
                    }
                }
                var outcomes: [Outcome] = []
                while let next = await group.next() {
                    guard let outcome = next else { continue }
                    outcomes.append(outcome)
                    if outcome.status != 0 && failFast && reasons.all[outcome.node.rank] == "" {
                        stopAll("rank \(outcome.node.rank) (\(outcome.node.name)) failed")
                    }
                    if outcomes.count == ranks.count { group.cancelAll() }
                }
                return outcomes
            }
        } onCancel: {
            stopAll("the run was cancelled")
        }
        let stopped = reasons.all
        return outcomes.map { outcome in
            var outcome = outcome
            if let reason = stopped[outcome.node.rank], !reason.isEmpty { outcome.stoppedBecause = reason }
            return outcome
        }.sorted { $0.node.rank < $1.node.rank }
    }

    /// SIGTERM, then SIGKILL after a grace period; on a thread of its own (it waits).
    static func stop(_ process: any LaunchedProcess) {
        Thread { process.terminate() }.start()
    }

    // MARK: - Results

    /// Records every rank's outcome; returns a line for each that failed.
    func report(_ outcomes: [Outcome], context: PluginContext) -> [String] {
        let failed = outcomes.filter { $0.status != 0 }
        context.metrics.result("ranks", Double(outcomes.count), unit: "ranks")
        context.metrics.result("ranks failed", Double(failed.count), unit: "ranks", headline: true)
        context.metrics.result("wall time", outcomes.map(\.seconds).max() ?? 0, unit: "s", headline: true)
        for outcome in outcomes {
            context.metrics.result("exit code \(outcome.node.name)", Double(outcome.status), unit: "")
        }
        context.metrics.table(
            "ranks", columns: ["rank", "node", "address", "exit_code", "seconds", "stopped_because"],
            rows: outcomes.map {
                ["\($0.node.rank)", $0.node.name, $0.node.address, "\($0.status)", String(format: "%.3f", $0.seconds),
                 $0.stoppedBecause ?? ""]
            })
        return failed.map { outcome in
            let what = outcome.stoppedBecause.map { "was stopped (\($0)), exit status \(outcome.status)" }
                ?? "exited with \(outcome.status)"
            let tail = Self.lastLine(of: "\(context.outputDirectory)/\(outcome.node.name).stderr").map { ": \($0)" } ?? ""
            return "rank \(outcome.node.rank) (\(outcome.node.name)) \(what)\(outcome.stoppedBecause == nil ? tail : "")"
        }
    }

    /// The last non-empty line of a file (its last 4 KiB), for error messages.
    static func lastLine(of path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 4096 ? size - 4096 : 0)
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).last.map { String($0.prefix(300)) }
    }
}

/// Why each rank ended: "" when its program exited by itself, else why netloom
/// stopped it. The first word for a rank wins.
final class StopReasons: Sendable {
    private let reasons = Mutex<[Int: String]>([:])

    /// Records `reason` for `rank` unless it already has one; true if it was recorded.
    func claim(_ rank: Int, _ reason: String) -> Bool {
        reasons.withLock { reasons in
            guard reasons[rank] == nil else { return false }
            reasons[rank] = reason
            return true
        }
    }

    var all: [Int: String] { reasons.withLock { $0 } }
}

enum ExecError: Error, CustomStringConvertible {
    case launch(node: String, String)
    case failed([String])

    var description: String {
        switch self {
        case .launch(let node, let error): "could not start the program on \(node): \(error)"
        case .failed(let ranks): ranks.joined(separator: "; ")
        }
    }
}
