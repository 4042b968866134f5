import Foundation
import Logging
import NetLoomKernel

/// What `down` removed and what it refused to touch.
public struct TeardownReport: Sendable {
    public var lab: String
    public var removedNamespaces: [String] = []
    /// Namespaces the journal names that exist but are not this lab's (no tag, other inode).
    public var foreignNamespaces: [String] = []
    public var stoppedProcesses: [Int32] = []
}

/// Removes a lab: every process and namespace its journal lists, in reverse order of
/// creation, each only after proving it is the lab's (the nsfs inode recorded at
/// creation, or the ownership tag on the namespace's loopback). Idempotent, and works
/// from the journal alone, so it also cleans up after an `up` killed half-way.
public enum Teardown {
    public static func run(lab: String, logger: Logger) throws -> TeardownReport {
        var report = TeardownReport(lab: lab)
        let directory = LabDirectory(lab: lab)
        guard directory.exists else { return report }
        let lock = try LabLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        let entries = try Journal.read(directory: directory)
        let tag = entries.last { $0.event == .begin }?.tag

        for entry in entries.reversed() where entry.event == .process {
            guard let pid = entry.pid, let startTime = entry.startTime else { continue }
            if ProcessIdentity.isAlive(pid: pid, startTime: startTime) {
                logger.debug("stopping process", metadata: ["lab": "\(lab)", "pid": "\(pid)", "role": "\(entry.role ?? "")"])
                ProcessIdentity.stop(pid: pid, startTime: startTime)
                report.stoppedProcesses.append(pid)
            }
        }

        var inodes: [String: UInt64] = [:]
        for entry in entries where entry.event == .namespaceCreated {
            if let name = entry.name, let inode = entry.inode { inodes[name] = inode }
        }
        let names = entries.filter { $0.event == .namespace }.compactMap(\.name)
        var seen = Set<String>()
        let ordered = names.reversed().filter { seen.insert($0).inserted }
        let processesByNamespace = NamespaceProcesses.scan()

        for name in ordered where NetworkNamespace.exists(named: name) {
            guard NetworkNamespace.isMounted(named: name), let namespace = try? NetworkNamespace.open(named: name) else {
                try removePlaceholder(name, report: &report, logger: logger)
                continue
            }
            let owned = inodes[name] == namespace.inode || (tag != nil && OwnershipTag.read(namespace) == tag)
            guard owned else {
                logger.warning("not removing a namespace this lab did not create", metadata: ["namespace": "\(name)"])
                report.foreignNamespaces.append(name)
                continue
            }
            for pid in processesByNamespace[namespace.inode] ?? [] where pid != getpid() {
                if let startTime = ProcessIdentity.startTime(of: pid) {
                    ProcessIdentity.stop(pid: pid, startTime: startTime)
                    report.stoppedProcesses.append(pid)
                }
            }
            try NetworkNamespace.delete(named: name)
            report.removedNamespaces.append(name)
        }
        if report.foreignNamespaces.isEmpty { try directory.remove() }
        return report
    }

    /// `/run/netns/NAME` that is not a namespace: the empty file `ip netns add`
    /// creates before mounting, left by a process killed in between. Ours if the
    /// journal names it and it is an empty regular file.
    static func removePlaceholder(_ name: String, report: inout TeardownReport, logger: Logger) throws {
        let path = NetworkNamespace.path(of: name)
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size == 0 else { return }
        unlink(path)
        report.removedNamespaces.append(name)
    }
}

/// Which processes live in which network namespace (what `ip netns pids` scans).
enum NamespaceProcesses {
    static func scan() -> [UInt64: [Int32]] {
        var result: [UInt64: [Int32]] = [:]
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return result }
        for entry in entries {
            guard let pid = Int32(entry) else { continue }
            var info = stat()
            if stat("/proc/\(pid)/ns/net", &info) == 0 { result[UInt64(info.st_ino), default: []].append(pid) }
        }
        return result
    }
}
