import Foundation

/// An exclusive flock on a lab's lock file, so two netloom commands never work on one
/// lab at once. The kernel releases it when the holder exits, even by SIGKILL.
public final class LabLock {
    private let descriptor: Int32

    /// Takes the lock or fails at once with `CoreError.busy`.
    public init(directory: LabDirectory) throws {
        descriptor = open(directory.lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CoreError.io("open \(directory.lock)", errno: errno) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK { throw CoreError.busy(lab: directory.lab) }
            throw CoreError.io("flock \(directory.lock)", errno: code)
        }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
