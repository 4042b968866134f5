import CNetLoomShims
import Glibc
import Synchronization
import SystemPackage

/// The empty files `ip netns add` mounts namespaces on. Here every name is a hard link to
/// one unnamed file (O_TMPFILE): /run is ext4 on many machines (this one too), where a new
/// inode per namespace cost about as much CPU as the namespace itself (ext4 scans for
/// recently deleted inodes, and every lab's teardown deletes many). A new file is started
/// when the kernel no longer links the current one (its last name was removed) or it has
/// as many links as the filesystem allows. Where the filesystem has no unnamed files, each
/// name gets a file of its own, as with `ip netns add`.
final class MountPointFiles: Sendable {
    let directory: String
    /// The unnamed file's descriptor; nil when none is open.
    private let file = Mutex<Int32?>(nil)

    init(directory: String) { self.directory = directory }

    deinit { file.withLock { if let fd = $0 { close(fd) } } }

    /// Creates the empty file `path` (in `directory`); EEXIST if the name is taken.
    func create(_ path: String, operation: String) throws(KernelError) {
        // Linking under the lock: a descriptor replaced here is closed, so no other
        // thread may still be about to link through it.
        let failure = file.withLock { fd -> Errno? in
            for _ in 0..<2 {
                if fd == nil {
                    let opened = netloom_open_tmpfile(directory)
                    guard opened >= 0 else { return Errno.last }
                    fd = opened
                }
                if netloom_link_fd(fd!, path) == 0 { return nil }
                let error = Errno.last
                guard error == .noSuchFileOrDirectory || error == .tooManyLinks else { return error }
                close(fd!)
                fd = nil
            }
            return .tooManyLinks
        }
        switch failure {
        case nil: return
        case .fileExists?: throw KernelError(operation, errno: .fileExists)
        default:
            let placeholder = try syscall(operation) { Glibc.open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0) }
            close(placeholder)
        }
    }
}
