import CNetLoomShims
import Glibc

/// Kernel parameters under /proc/sys, as `sysctl -w` sets them. Network sysctls
/// (`net.*`) belong to the network namespace of the thread that opens the file, so
/// call these inside `NetworkNamespace.run` (or on a thread that entered it).
public enum ProcSys {
    /// `sysctl -w KEY=VALUE`, e.g. `net.ipv4.ip_forward`, `1`.
    public static func write(_ key: String, _ value: String) throws(KernelError) {
        try write([(key, value)])
    }

    /// `sysctl -w` for several keys, in order. Every namespace has its own dentry for a
    /// per-namespace folder such as `conf` under the shared `net/ipv6`, all in one hash
    /// chain, so looking one up through /proc costs time proportional to the number of
    /// network namespaces on the machine (a lab of 1024 hosts spent a fifth of its CPU
    /// there). The files are therefore opened through a private procfs instance where the
    /// kernel can make one, each folder once, relative to its parent.
    public static func write(_ settings: [(key: String, value: String)]) throws(KernelError) {
        var folders = Folders()
        defer { folders.closeAll() }
        for (key, value) in settings {
            let components = components(key)
            let operation = "sysctl -w \(key)=\(value)"
            let folder = try folders.open(components.dropLast(), operation: operation)
            let fd = try syscall(operation) { openat(folder, components.last ?? "", O_WRONLY | O_CLOEXEC) }
            defer { close(fd) }
            let bytes = Array(value.utf8)
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written != bytes.count {
                throw KernelError(operation, errno: written < 0 ? .last : .ioError)
            }
        }
    }

    /// Folders under /proc/sys opened so far, by path.
    private struct Folders {
        private var open: [ArraySlice<String>: Int32] = [:]

        mutating func open(_ path: ArraySlice<String>, operation: String) throws(KernelError) -> Int32 {
            if let fd = open[path] { return fd }
            let fd: Int32
            if let name = path.last {
                let parent = try self.open(path.dropLast(), operation: operation)
                fd = try syscall(operation) { openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            } else {
                let instance = netloom_private_procsys()
                fd = try instance >= 0 ? instance : syscall(operation) { Glibc.open("/proc/sys", O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            }
            open[path] = fd
            return fd
        }

        func closeAll() { for fd in open.values { close(fd) } }
    }

    /// `sysctl -n KEY`, without the trailing newline.
    public static func read(_ key: String) throws(KernelError) -> String {
        let path = "/proc/sys/" + components(key).joined(separator: "/")
        let fd = try syscall("sysctl \(key)") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = try syscall("sysctl \(key)") { buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } }
        var text = String(decoding: buffer.prefix(count), as: UTF8.self)
        while text.last == "\n" { text.removeLast() }
        return text
    }

    /// Path components of a dotted key. Interface names may contain dots, so keys
    /// with a slash are taken as paths already (`net/ipv4/conf/eth0.1/forwarding`).
    static func components(_ key: String) -> [String] {
        key.split(separator: key.contains("/") ? "/" : ".").map(String.init)
    }
}
