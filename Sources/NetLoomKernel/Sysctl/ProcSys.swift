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
    /// kernel can make one, by their path relative to its `sys` folder: one openat each.
    public static func write(_ settings: [(key: String, value: String)]) throws(KernelError) {
        if settings.isEmpty { return }
        let instance = netloom_private_procsys()
        let root = try instance >= 0 ? instance : syscall("open /proc/sys") { Glibc.open("/proc/sys", O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(root) }
        for (key, value) in settings {
            let fd = try syscall("sysctl -w \(key)=\(value)") { openat(root, path(key), O_WRONLY | O_CLOEXEC) }
            defer { close(fd) }
            var text = value
            let written = text.withUTF8 { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written != value.utf8.count {
                throw KernelError("sysctl -w \(key)=\(value)", errno: written < 0 ? .last : .ioError)
            }
        }
    }

    /// `sysctl -n KEY`, without the trailing newline.
    public static func read(_ key: String) throws(KernelError) -> String {
        let path = "/proc/sys/" + path(key)
        let fd = try syscall("sysctl \(key)") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = try syscall("sysctl \(key)") { buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } }
        var text = String(decoding: buffer.prefix(count), as: UTF8.self)
        while text.last == "\n" { text.removeLast() }
        return text
    }

    /// The path under /proc/sys of a dotted key. Interface names may contain dots, so
    /// keys with a slash are taken as paths already (`net/ipv4/conf/eth0.1/forwarding`).
    static func path(_ key: String) -> String {
        key.utf8.contains(UInt8(ascii: "/"))
            ? key : String(decoding: key.utf8.map { $0 == UInt8(ascii: ".") ? UInt8(ascii: "/") : $0 }, as: UTF8.self)
    }
}
