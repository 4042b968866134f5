import CNetLoomShims
import Glibc
import Synchronization

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
    /// kernel can make one (see `Instances`), by their path relative to its `sys` folder.
    public static func write(_ settings: [(key: String, value: String)]) throws(KernelError) {
        if settings.isEmpty { return }
        let instance = Instances.take()
        defer { Instances.giveBack(instance) }
        let root: Int32
        if let instance { root = instance.fd } else { root = try openProcSys() }
        defer { if instance == nil { close(root) } }
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

    private static func openProcSys() throws(KernelError) -> Int32 {
        try syscall("open /proc/sys") { Glibc.open("/proc/sys", O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    }

    /// Private procfs instances (the `sys` folder of each), shared by the threads that
    /// write sysctls, each used for at most `usesEach` namespaces: an instance keeps a
    /// dentry per namespace it served, so its lookups slow down as /proc's do, and
    /// dropping one waits for an RCU grace period (with an instance per namespace, a
    /// 256-host `up` of ~0.5 s spent ~35 ms in those waits).
    enum Instances {
        struct Instance {
            let fd: Int32
            var uses = 0
        }

        static let usesEach = 16
        private static let idle = Mutex<[Instance]>([])

        /// An instance, or nil where the kernel cannot make one (`/proc/sys` then).
        static func take() -> Instance? {
            if let instance = idle.withLock({ $0.popLast() }) { return instance }
            let fd = netloom_private_procsys()
            return fd >= 0 ? Instance(fd: fd) : nil
        }

        static func giveBack(_ instance: Instance?) {
            guard var instance else { return }
            instance.uses += 1
            if instance.uses >= usesEach {
                close(instance.fd)
            } else {
                idle.withLock { $0.append(instance) }
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
