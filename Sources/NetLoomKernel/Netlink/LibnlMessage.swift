import CNetlink

/// Turns a libnl request builder (`rtnl_link_build_add_request` and friends) into a
/// `NetlinkMessage`; NetLoom sends every request over its own `NetlinkSocket`.
func libnlMessage(
    _ operation: String, _ build: (UnsafeMutablePointer<OpaquePointer?>) -> Int32
) throws(KernelError) -> NetlinkMessage {
    var message: OpaquePointer?
    let status = build(&message)
    guard status == 0, let message else {
        throw KernelError(operation, errno: .invalidArgument, kernelMessage: libnlErrorText(status))
    }
    defer { nlmsg_free(message) }
    let header = nlmsg_hdr(message)!
    let bytes = Array(UnsafeRawBufferPointer(start: header, count: Int(header.pointee.nlmsg_len)))
    return NetlinkMessage(bytes: bytes, operation: operation)
}

/// libnl reports its own error codes (NLE_*), not errno values.
func libnlErrorText(_ status: Int32) -> String {
    String(cString: nl_geterror(status))
}

/// Owns a reference-counted libnl object: `put` in deinit.
final class LibnlObject {
    let pointer: OpaquePointer
    private let release: (OpaquePointer) -> Void

    init(_ pointer: OpaquePointer, release: @escaping (OpaquePointer) -> Void) {
        self.pointer = pointer
        self.release = release
    }

    deinit { release(pointer) }
}
