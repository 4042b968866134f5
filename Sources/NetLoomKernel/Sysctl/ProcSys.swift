import Glibc

/// Kernel parameters under /proc/sys, as `sysctl -w` sets them. Network sysctls
/// (`net.*`) belong to the network namespace of the thread that opens the file, so
/// call these inside `NetworkNamespace.run` (or on a thread that entered it).
public enum ProcSys {
    /// `sysctl -w KEY=VALUE`, e.g. `net.ipv4.ip_forward`, `1`.
    public static func write(_ key: String, _ value: String) throws(KernelError) {
        try write([(key, value)])
    }

    /// `sysctl -w` for several keys, in order. Opening /proc/sys/net/<family> costs
    /// time proportional to the number of network namespaces on the machine (their
    /// dentries share one parent), so each such folder is opened once and the files
    /// are opened relative to it.
    public static func write(_ settings: [(key: String, value: String)]) throws(KernelError) {
        var folders: [String: Int32] = [:]
        defer { for fd in folders.values { close(fd) } }
        for (key, value) in settings {
            let components = components(key)
            let operation = "sysctl -w \(key)=\(value)"
            let fd: Int32
            if components.count > 3 {
                let folder = components.prefix(2).joined(separator: "/")
                if folders[folder] == nil {
                    folders[folder] = try syscall(operation) { open("/proc/sys/\(folder)", O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
                }
                let rest = components.dropFirst(2).joined(separator: "/")
                fd = try syscall(operation) { openat(folders[folder]!, rest, O_WRONLY | O_CLOEXEC) }
            } else {
                fd = try syscall(operation) { open("/proc/sys/" + components.joined(separator: "/"), O_WRONLY | O_CLOEXEC) }
            }
            defer { close(fd) }
            let bytes = Array(value.utf8)
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written != bytes.count {
                throw KernelError(operation, errno: written < 0 ? .last : .ioError)
            }
        }
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
