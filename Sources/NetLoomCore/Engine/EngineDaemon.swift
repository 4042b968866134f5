import Foundation
import Logging
import NetLoomKernel
import NetLoomModel

/// The link engine of a lab built by `up` runs in a small daemon, `netloom
/// engine-daemon LAB`, because `up` returns while the lab lives on. It is a netloom
/// process whose engine works on dedicated threads; `down` stops it through the journal.
public enum EngineDaemon {
    /// What the daemon needs to know, written by `up` before it starts the daemon.
    public struct Configuration: Codable, Sendable {
        public var lab: String
        public var wireNamespace: String
        public var links: [PlannedLink]
    }

    static func configurationPath(_ directory: LabDirectory) -> String { "\(directory.path)/engine.json" }

    /// Starts the daemon for a plan's userspace links and waits until it forwards.
    /// Returns nil when the plan has none.
    public static func start(plan: LabPlan, journal: Journal, logger: Logger) throws -> EngineProcess? {
        guard let wire = plan.wireNamespace, plan.links.contains(where: { $0.backend == .userspace }) else { return nil }
        let directory = LabDirectory(lab: plan.lab.name)
        let configuration = Configuration(lab: plan.lab.name, wireNamespace: wire, links: plan.links.filter { $0.backend == .userspace })
        try AtomicFile.write(try JSONEncoder().encode(configuration), to: configurationPath(directory), durable: false)

        let log = open(directory.engineLog, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o600)
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer {
            close(log)
            close(null)
        }
        let executable = try daemonExecutable()
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let pid = try NamespaceExec.spawn(
            in: nil, path: executable, arguments: ["engine-daemon", plan.lab.name], environment: environment,
            stdin: null, stdout: log, stderr: log, detached: true)
        let startTime = ProcessIdentity.startTime(of: pid) ?? 0
        try journal.append(.process(pid: pid, startTime: startTime, role: "engine"))
        let process = EngineProcess(pid: pid, startTime: startTime, socket: directory.engineSocket)

        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            if (try? EngineClient(socket: process.socket).ping()) != nil { return process }
            ProcessIdentity.reap(pid)
            if !ProcessIdentity.isAlive(pid: pid, startTime: startTime) || ContinuousClock.now > deadline {
                let tail = (try? String(contentsOfFile: directory.engineLog, encoding: .utf8))?
                    .split(separator: "\n").suffix(5).joined(separator: "\n") ?? ""
                throw CoreError.unsupported("the link engine did not start: \(tail.isEmpty ? "no output" : tail)")
            }
            usleep(5_000)
        }
    }

    /// The `netloom` program that runs the daemon: `$NETLOOM_EXECUTABLE`, else this
    /// process when it is netloom, else a `netloom` beside this process's executable
    /// (a test bundle or a Swift script built in the same package), else one in PATH.
    static func daemonExecutable() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["NETLOOM_EXECUTABLE"], !explicit.isEmpty { return explicit }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if me.lastPathComponent == "netloom" { return me.path }
        var candidates = [me.deletingLastPathComponent().appendingPathComponent("netloom").path]
        candidates += (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/netloom" }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw CoreError.unsupported(
            "userspace links need the `netloom` program to run the link engine; build it (swift build) or set NETLOOM_EXECUTABLE")
    }

    /// The daemon's body: journal itself, start the engine, serve the control socket
    /// until told to stop (or SIGTERM). Never returns normally.
    public static func run(lab: String, logger: Logger) throws -> Never {
        let directory = LabDirectory(lab: lab)
        // Journal ourselves first, so `down` finds us even if `up` dies before it can.
        let pid = getpid()
        try Journal(directory: directory).append(.process(pid: pid, startTime: ProcessIdentity.startTime(of: pid) ?? 0, role: "engine"))
        guard let data = FileManager.default.contents(atPath: configurationPath(directory)) else {
            throw CoreError.corruptState("\(configurationPath(directory)) is missing")
        }
        let configuration = try JSONDecoder().decode(Configuration.self, from: data)
        let host = try EngineHost(
            namespace: NetworkNamespace.open(named: configuration.wireNamespace), links: configuration.links, logger: logger)
        try host.start()
        try host.serve(socketPath: directory.engineSocket)
        exit(0)
    }
}
