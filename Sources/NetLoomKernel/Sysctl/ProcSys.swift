import Glibc

/// Kernel parameters under /proc/sys, as `sysctl -w` sets them. Network sysctls
/// (`net.*`) belong to the network namespace of the thread that opens the file, so
/// call these inside `NetworkNamespace.run` (or on a thread that entered it).
public enum ProcSys {
    /// `sysctl -w KEY=VALUE`, e.g. `net.ipv4.ip_forward`, `1`.
    public static func write(_ key: String, _ value: String) throws(KernelError) {
        let path = self.path(key)
        let fd = try syscall("sysctl -w \(key)=\(value)") { open(path, O_WRONLY | O_CLOEXEC) }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        if written != bytes.count {
            throw KernelError("sysctl -w \(key)=\(value)", errno: written < 0 ? .last : .ioError)
        }
    }

    /// `sysctl -n KEY`, without the trailing newline.
    public static func read(_ key: String) throws(KernelError) -> String {
        let path = self.path(key)
        let fd = try syscall("sysctl \(key)") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = try syscall("sysctl \(key)") { buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } }
        var text = String(decoding: buffer.prefix(count), as: UTF8.self)
        while text.last == "\n" { text.removeLast() }
        return text
    }

    /// /proc/sys path of a dotted key. Interface names may contain dots, so keys
    /// with a slash are taken as paths already (`net/ipv4/conf/eth0.1/forwarding`).
    static func path(_ key: String) -> String {
        "/proc/sys/" + (key.contains("/") ? key : key.split(separator: ".").joined(separator: "/"))
    }
}
