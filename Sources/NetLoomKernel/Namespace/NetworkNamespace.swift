import CNetLoomShims
import Glibc
import Synchronization
import SystemPackage

/// A persistent, named network namespace, as `ip netns` manages them: a bind mount of
/// the namespace's nsfs inode on `/run/netns/NAME`, so `ip netns exec NAME ...` works.
///
/// The handle owns an open descriptor of the namespace. Code runs inside it with
/// `run(_:)`, on a dedicated thread (setns changes the calling thread only).
public final class NetworkNamespace: Sendable {
    public static let directory = "/run/netns"

    /// The name under /run/netns, or nil for a namespace opened by descriptor path.
    public let name: String?
    public let descriptor: FileDescriptor
    /// The nsfs inode: the namespace's identity (stable while it exists).
    public let inode: UInt64

    init(name: String?, descriptor: FileDescriptor) throws(KernelError) {
        self.name = name
        self.descriptor = descriptor
        var info = stat()
        try syscall("fstat netns \(name ?? "")") { fstat(descriptor.rawValue, &info) }
        self.inode = UInt64(info.st_ino)
    }

    deinit { try? descriptor.close() }

    public static func path(of name: String) -> String { "\(directory)/\(name)" }

    /// `ip netns add NAME`. `prepare` runs inside the new namespace on the calling
    /// thread, before the name is published: a namespace that exists under its name has
    /// been prepared (NetLoom tags it there, so teardown can prove ownership), and if
    /// `prepare` throws nothing is left behind. Fails with EEXIST if the name is taken.
    ///
    /// The calling thread enters the new namespace and returns to its own before this
    /// returns (with a thread per namespace, a 256-host `up` took 7 % longer). Returning
    /// can only fail if the process lost CAP_SYS_ADMIN meanwhile; the thread would then
    /// be left in a lab namespace, so that stops the process.
    public static func create(
        named name: String, prepare: ((NetworkNamespace) throws -> Void)? = nil
    ) throws -> NetworkNamespace {
        try validate(name)
        try prepareDirectory()
        let path = path(of: name)
        try mountPoints.create(path, operation: "ip netns add \(name)")
        do {
            let home = try current()
            try syscall("ip netns add \(name): unshare") { netloom_unshare(netloom_clone_newnet()) }
            defer {
                if netloom_setns(home.descriptor.rawValue, netloom_clone_newnet()) != 0 {
                    fatalError("ip netns add \(name): cannot return the thread to its namespace: \(Errno.last)")
                }
            }
            let fd = try syscall("open /proc/thread-self/ns/net") {
                Glibc.open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
            }
            let namespace = try NetworkNamespace(name: name, descriptor: FileDescriptor(rawValue: fd))
            try prepare?(namespace)
            try syscall("ip netns add \(name): bind mount") {
                mount("/proc/thread-self/ns/net", path, "none", UInt(MS_BIND), nil)
            }
            return namespace
        } catch {
            unlink(path)
            throw error
        }
    }

    /// Where this process makes the files namespaces are mounted on.
    static let mountPoints = MountPointFiles(directory: directory)

    /// Opens an existing named namespace.
    public static func open(named name: String) throws(KernelError) -> NetworkNamespace {
        let fd = try syscall("open \(path(of: name))") {
            Glibc.open(path(of: name), O_RDONLY | O_CLOEXEC)
        }
        return try NetworkNamespace(name: name, descriptor: FileDescriptor(rawValue: fd))
    }

    /// The namespace of the calling thread (NetLoom's own when called from the main thread).
    public static func current() throws(KernelError) -> NetworkNamespace {
        let fd = try syscall("open /proc/thread-self/ns/net") {
            Glibc.open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        }
        return try NetworkNamespace(name: nil, descriptor: FileDescriptor(rawValue: fd))
    }

    /// Whether `/run/netns/NAME` exists.
    public static func exists(named name: String) -> Bool {
        access(path(of: name), F_OK) == 0
    }

    /// Whether `/run/netns/NAME` holds a namespace (an nsfs bind mount) rather than the
    /// empty file `ip netns add` creates first and mounts over.
    public static func isMounted(named name: String) -> Bool {
        netloom_is_nsfs(path(of: name)) == 1
    }

    /// `ip netns del NAME`: unmounts and removes the name. The kernel destroys the
    /// namespace, and every interface in it, once nothing else holds it open.
    public static func delete(named name: String) throws(KernelError) {
        let path = path(of: name)
        if umount2(path, Int32(MNT_DETACH)) != 0 && Errno.last != .invalidArgument && Errno.last != .noSuchFileOrDirectory {
            throw KernelError("ip netns del \(name): umount", errno: .last)
        }
        if unlink(path) != 0 {
            throw KernelError("ip netns del \(name)", errno: .last)
        }
    }

    /// `ip netns list`: the names under /run/netns, sorted.
    public static func list() -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Runs `body` inside this namespace on a dedicated thread and returns its result.
    /// Sockets opened in `body` stay in this namespace and can be used from any thread.
    public func run<T>(_ body: () throws -> T) throws -> T {
        try DedicatedThread.run(name: "netns-run") {
            try enter()
            return try body()
        }
    }

    /// Moves the calling thread into this namespace. Only for threads NetLoom owns
    /// (`DedicatedThread`, the link engine's workers), never for Swift concurrency.
    public func enter() throws(KernelError) {
        try syscall("setns \(name ?? "netns")") { netloom_setns(descriptor.rawValue, netloom_clone_newnet()) }
    }

    static func validate(_ name: String) throws(KernelError) {
        if name.isEmpty || name == "." || name == ".." || name.contains("/") || name.utf8.count > 255 {
            throw KernelError("ip netns add \(name)", errno: .invalidArgument, hint: "not a valid namespace name")
        }
    }

    /// Whether this process has made /run/netns a shared mount point already.
    private static let directoryPrepared = Mutex(false)

    /// Makes /run/netns a shared mount point, as iproute2 does, so namespaces mounted
    /// there stay visible to processes in other mount namespaces. Once per process: the
    /// recursive remount walks every namespace mounted there, so doing it per namespace
    /// made creating N namespaces cost O(N^2).
    private static func prepareDirectory() throws(KernelError) {
        try directoryPrepared.withLock { (prepared: inout Bool) throws(KernelError) in
            guard !prepared else { return }
            try makeDirectoryShared()
            prepared = true
        }
    }

    private static func makeDirectoryShared() throws(KernelError) {
        if mkdir(directory, 0o755) != 0 && Errno.last != .fileExists {
            throw KernelError("mkdir \(directory)", errno: .last)
        }
        if mount("", directory, "none", UInt(MS_SHARED | MS_REC), nil) == 0 { return }
        guard Errno.last == .invalidArgument else {
            throw KernelError("mount --make-rshared \(directory)", errno: .last)
        }
        try syscall("mount --bind \(directory)") {
            mount(directory, directory, "none", UInt(MS_BIND | MS_REC), nil)
        }
        try syscall("mount --make-rshared \(directory)") {
            mount("", directory, "none", UInt(MS_SHARED | MS_REC), nil)
        }
    }
}
