import Foundation
import NetLoomKernel
import NetLoomPluginAPI
import Synchronization

/// The plugin environment of a running lab: sockets opened inside a node's namespace
/// on a dedicated thread, programs spawned inside it.
final class NamespacePluginEnvironment: PluginEnvironment {
    private let namespaces: [String: String]
    private let handles = Mutex<[String: NetworkNamespace]>([:])

    /// `namespaces`: node name -> namespace name.
    init(namespaces: [String: String]) {
        self.namespaces = namespaces
    }

    func namespace(of node: String) throws -> NetworkNamespace {
        guard let name = namespaces[node] else { throw CoreError.unsupported("no node \(node) in this lab") }
        if let handle = handles.withLock({ $0[name] }) { return handle }
        let handle = try NetworkNamespace.open(named: name)
        handles.withLock { $0[name] = handle }
        return handle
    }

    func openSocket(domain: Int32, type: Int32, node: String) throws -> Int32 {
        let namespace = try namespace(of: node)
        return try namespace.run {
            let descriptor = socket(domain, type | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { throw CoreError.io("socket in \(node)", errno: errno) }
            return descriptor
        }
    }

    func launch(_ request: LaunchRequest) throws -> any LaunchedProcess {
        let namespace = try namespace(of: request.node)
        let executable = try Self.resolve(request.executable)
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in request.environment { environment[key] = value }
        let stdout = open(request.stdoutPath, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
        let stderr = open(request.stderrPath, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
        let stdin = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer {
            close(stdout)
            close(stderr)
            close(stdin)
        }
        guard stdout >= 0, stderr >= 0 else { throw CoreError.io("open \(request.stdoutPath)", errno: errno) }
        var arguments = request.arguments
        var path = executable
        if let directory = request.workingDirectory {
            // netloom_spawn has no chdir; go through the shell's `cd`, quoting nothing we did not get.
            arguments = ["-c", "cd \"$0\" && exec \"$@\"", directory, executable] + request.arguments
            path = "/bin/sh"
        }
        let pid = try NamespaceExec.spawn(
            in: namespace, path: path, arguments: arguments,
            environment: environment.map { "\($0.key)=\($0.value)" }, stdin: stdin, stdout: stdout, stderr: stderr)
        return SpawnedProcess(pid: pid, startTime: ProcessIdentity.startTime(of: pid) ?? 0)
    }

    /// A path as given, or the first match in PATH.
    static func resolve(_ executable: String) throws -> String {
        if executable.contains("/") { return executable }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw CoreError.unsupported("program \(executable) not found in PATH")
    }
}

/// A program a plugin started; reaped by `wait()`.
struct SpawnedProcess: LaunchedProcess {
    let pid: Int32
    let startTime: UInt64

    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                var status: Int32 = 0
                var result: Int32
                repeat { result = waitpid(pid, &status, 0) } while result < 0 && errno == EINTR
                // Reaped by `terminate` first: it was stopped with a signal.
                if result < 0 { return continuation.resume(returning: 128 + SIGTERM) }
                // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
                let signal = status & 0x7F
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xFF : 128 + signal)
            }
            thread.start()
        }
    }

    func terminate() {
        ProcessIdentity.stop(pid: pid, startTime: startTime)
    }
}
