// NetLoom / Scripting: running a program inside a node, like `netloom exec NAME NODE -- CMD`, with its
// output captured. The program is spawned into the node's namespace (never a fork of this Swift process),
// and a thread of its own reads its output and waits for it, off the concurrency pool.

import Foundation
import NetLoomKernel
import Synchronization

/// What a program run with `exec` did.
public struct ProgramResult: Sendable {
    /// The exit status; 128 + the signal when it was killed.
    public var status: Int32
    /// What it wrote to standard output and standard error.
    public var output: String
    public var errorOutput: String

    public var succeeded: Bool { status == 0 }
}

extension RunningLab {
    /// Runs `arguments[0]` (a path, or a name searched in PATH) inside `node` and waits for it to exit.
    /// Its environment is this process's plus `environment`; standard input is /dev/null. Cancelling the
    /// task stops the program (SIGTERM, SIGKILL two seconds later).
    ///
    ///     let ping = try await lab.exec("h1", ["ping", "-c", "3", try await lab.address(of: "far")])
    public func exec(_ node: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> ProgramResult {
        try checkUp()
        guard let program = arguments.first else { throw CoreError.unsupported("exec needs a program to run") }
        guard let resolved = lab.node(named: node) else {
            throw CoreError.unknownNode(lab: name, node: node, known: lab.nodes.map(\.name))
        }
        let namespace = try NetworkNamespace.open(named: resolved.namespace)
        let path = try Self.executable(program, node: node)
        var variables = ProcessInfo.processInfo.environment
        for (key, value) in environment { variables[key] = value }
        let spawned = try SpawnedProgram.start(
            in: namespace, path: path, arguments: Array(arguments.dropFirst()),
            environment: variables.map { "\($0.key)=\($0.value)" }, node: node)
        return await withTaskCancellationHandler {
            await spawned.wait()
        } onCancel: {
            spawned.stop()
        }
    }

    /// A path as given, or the first match in PATH.
    static func executable(_ program: String, node: String) throws -> String {
        if program.contains("/") { return program }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ScriptError.execFailed(node: node, program: program, reason: "not found in PATH")
    }
}

/// A spawned program with its standard output and error connected to this process.
final class SpawnedProgram: Sendable {
    let pid: Int32
    let startTime: UInt64
    let stdout: Int32
    let stderr: Int32

    private init(pid: Int32, stdout: Int32, stderr: Int32) {
        self.pid = pid
        startTime = ProcessIdentity.startTime(of: pid) ?? 0
        self.stdout = stdout
        self.stderr = stderr
    }

    static func start(
        in namespace: NetworkNamespace, path: String, arguments: [String], environment: [String], node: String
    ) throws -> SpawnedProgram {
        // Socket pairs rather than pipes: they are made close-on-exec at once (Swift's Glibc has no
        // pipe2), so no program another thread starts meanwhile inherits them.
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        let stream = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, stream, 0, &out) == 0 else { throw CoreError.io("socketpair", errno: errno) }
        guard socketpair(AF_UNIX, stream, 0, &err) == 0 else {
            let code = errno
            out.forEach { close($0) }
            throw CoreError.io("socketpair", errno: code)
        }
        let stdin = open("/dev/null", O_RDONLY | O_CLOEXEC)
        // The parent keeps only its own ends, so reading ends when the program (and anything it left
        // running with them) has exited.
        defer {
            close(out[1])
            close(err[1])
            close(stdin)
        }
        do {
            let pid = try NamespaceExec.spawn(
                in: namespace, path: path, arguments: arguments, environment: environment,
                stdin: stdin, stdout: out[1], stderr: err[1])
            return SpawnedProgram(pid: pid, stdout: out[0], stderr: err[0])
        } catch {
            close(out[0])
            close(err[0])
            throw ScriptError.execFailed(node: node, program: path, reason: "\(error)")
        }
    }

    /// Reads both outputs until they end, or until half a second after the program exited (a process
    /// it left running in the background may hold them open for ever), and reaps the program.
    func wait() async -> ProgramResult {
        await withCheckedContinuation { continuation in
            let thread = Thread { [self] in
                var status: Int32 = 0
                // -1: not yet reaped; 0: reaped here; 1: reaped by `stop` (killed with a signal).
                var reaped: Int32 = -1
                func poll() -> Bool {
                    if reaped < 0 {
                        let result = waitpid(pid, &status, WNOHANG)
                        if result == pid { reaped = 0 } else if result < 0 && errno == ECHILD { reaped = 1 }
                    }
                    return reaped >= 0
                }
                let (output, errorOutput) = readBoth(exited: poll)
                close(stdout)
                close(stderr)
                if reaped < 0 {
                    var result: Int32
                    repeat { result = waitpid(pid, &status, 0) } while result < 0 && errno == EINTR
                    reaped = result < 0 ? 1 : 0
                }
                let code: Int32 = reaped == 1 ? 128 + SIGTERM : ((status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F))
                continuation.resume(returning: ProgramResult(
                    status: code, output: String(decoding: output, as: UTF8.self), errorOutput: String(decoding: errorOutput, as: UTF8.self)))
            }
            thread.start()
        }
    }

    /// Stops the program (on a thread of its own: stopping waits up to the grace period).
    func stop() {
        let (pid, startTime) = (pid, startTime)
        Thread { ProcessIdentity.stop(pid: pid, startTime: startTime) }.start()
    }

    /// Standard output and error, read side by side so neither fills up and blocks the program.
    /// `exited` is asked every 100 ms; once it says yes, reading goes on for half a second at most.
    private func readBoth(exited: () -> Bool) -> ([UInt8], [UInt8]) {
        var collected: [[UInt8]] = [[], []]
        var fds = [pollfd(fd: stdout, events: Int16(POLLIN), revents: 0), pollfd(fd: stderr, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 65536)
        var deadline: ContinuousClock.Instant?
        while fds.contains(where: { $0.fd >= 0 }) {
            if let deadline {
                if ContinuousClock.now >= deadline { break }
            } else if exited() {
                deadline = ContinuousClock.now + .milliseconds(500)
            }
            guard Glibc.poll(&fds, nfds_t(fds.count), 100) >= 0 else {
                if errno == EINTR { continue }
                break
            }
            for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = read(fds[index].fd, &buffer, buffer.count)
                if count > 0 {
                    collected[index] += buffer[0..<count]
                } else if count == 0 || errno != EINTR {
                    fds[index].fd = -1  // poll skips negative descriptors
                }
            }
        }
        return (collected[0], collected[1])
    }
}
