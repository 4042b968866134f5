import Glibc
import SystemPackage

/// A failed kernel operation: what was attempted (named after the iproute2 command it
/// equals), the errno, and the kernel's own explanation when netlink sent one.
public struct KernelError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The operation, e.g. `ip netns add ring8.gpu0` or `tc qdisc add dev eth0 root netem`.
    public var operation: String
    public var errno: Errno
    /// The extended-ack text the kernel attached to a netlink error, if any.
    public var kernelMessage: String?
    /// What the user can do about it, when we know.
    public var hint: String?

    public init(_ operation: String, errno: Errno, kernelMessage: String? = nil, hint: String? = nil) {
        self.operation = operation
        self.errno = errno
        self.kernelMessage = kernelMessage
        self.hint = hint
    }

    public var description: String {
        var text = "\(operation): \(errno)"
        if let kernelMessage, !kernelMessage.isEmpty { text += " (kernel: \(kernelMessage))" }
        if let hint { text += "; \(hint)" }
        return text
    }
}

/// Runs a libc call that returns -1 and sets errno on failure, retrying EINTR in one place.
@discardableResult
func syscall<T: FixedWidthInteger>(_ operation: @autoclosure () -> String, _ call: () -> T) throws(KernelError) -> T {
    while true {
        let result = call()
        if result != -1 { return result }
        let error = Errno.last
        if error == .interrupted { continue }
        throw KernelError(operation(), errno: error)
    }
}

extension Errno {
    /// The calling thread's errno (swift-system keeps its own accessor internal).
    static var last: Errno { Errno(rawValue: Glibc.errno) }
}
