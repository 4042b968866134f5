import CNetLoomShims
import Glibc
import SystemPackage

/// Running programs inside a network namespace (never by forking the Swift process to
/// run Swift code: the child execs at once).
public enum NamespaceExec {
    /// `ip netns exec NAME CMD ARGS...`: replaces the calling process with `command`
    /// (searched in PATH) inside `namespace`, with /sys remounted for it. Returns only
    /// on failure.
    public static func replaceProcess(in namespace: NetworkNamespace, command: String, arguments: [String]) -> KernelError {
        let argv = ([command] + arguments).map { strdup($0) } + [nil]
        _ = netloom_exec_in_netns(namespace.descriptor.rawValue, command, argv)
        return KernelError("exec \(command)", errno: .last,
                           hint: Errno.last == .noSuchFileOrDirectory ? "\(command) not found in PATH" : nil)
    }

    /// Starts `path` inside `namespace` (nil: NetLoom's own) with the given environment
    /// and standard streams, in its own session if `detached`; returns its pid.
    public static func spawn(
        in namespace: NetworkNamespace?, path: String, arguments: [String], environment: [String],
        stdin: Int32 = -1, stdout: Int32 = -1, stderr: Int32 = -1, detached: Bool = false
    ) throws(KernelError) -> pid_t {
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = netloom_spawn(
            namespace?.descriptor.rawValue ?? -1, path, argv, envp, stdin, stdout, stderr, detached ? 1 : 0, &pid)
        guard status == 0 else { throw KernelError("spawn \(path)", errno: Errno(rawValue: status)) }
        return pid
    }
}
