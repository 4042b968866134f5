import CMnl
import CNetLoomShims
import Glibc

/// Builds one netlink request with libmnl, for the messages libnl 3.7 cannot express
/// (tbf above 2^32 bytes/s, netem's 64-bit, Gilbert-Elliott, slot and seed attributes).
/// The buffer is zeroed first: libmnl does not clear padding, and the kernel would
/// read stale bytes as flags.
public final class NetlinkMessageBuilder {
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    private let header: UnsafeMutablePointer<nlmsghdr>
    private var overflowed = false
    private let operation: String

    /// `flags` are NLM_F_* flags; NLM_F_REQUEST and NLM_F_ACK are always added.
    public init(type: UInt16, flags: Int32 = 0, operation: String, capacity: Int = 32 * 1024) {
        self.capacity = capacity
        self.operation = operation
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: capacity)
        header = mnl_nlmsg_put_header(buffer)!
        header.pointee.nlmsg_type = type
        header.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_ACK | flags)
    }

    deinit { buffer.deallocate() }

    /// Appends the family header (`ifinfomsg`, `tcmsg`, ...).
    public func putFamilyHeader<T>(_ value: T) {
        let raw = mnl_nlmsg_put_extra_header(header, MemoryLayout<T>.size)!
        withUnsafeBytes(of: value) { raw.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    public func put<T: FixedWidthInteger>(_ type: some FixedWidthInteger, _ value: T) {
        withUnsafeBytes(of: value) { putBytes(type, $0) }
    }

    /// A C struct as the attribute's payload.
    public func putStruct<T>(_ type: some FixedWidthInteger, _ value: T) {
        withUnsafeBytes(of: value) { putBytes(type, $0) }
    }

    /// A NUL-terminated string.
    public func putString(_ type: some FixedWidthInteger, _ value: String) {
        var bytes = Array(value.utf8)
        bytes.append(0)
        bytes.withUnsafeBytes { putBytes(type, $0) }
    }

    public func putBytes(_ type: some FixedWidthInteger, _ bytes: UnsafeRawBufferPointer) {
        if !mnl_attr_put_check(header, capacity, UInt16(type), bytes.count, bytes.baseAddress) {
            overflowed = true
        }
    }

    /// A nested attribute. iproute2 sends tc options without NLA_F_NESTED; the kernel
    /// accepts both, and leaving it off keeps our requests identical to tc's.
    public func nest(_ type: some FixedWidthInteger, flagged: Bool = false, _ body: () throws -> Void) rethrows {
        guard let start = mnl_attr_nest_start_check(header, capacity, UInt16(type)) else {
            overflowed = true
            return
        }
        if !flagged { start.pointee.nla_type = UInt16(type) }
        try body()
        mnl_attr_nest_end(header, start)
    }

    /// tc's "compat" nesting (netem): `TCA_OPTIONS` holds a C struct and then attributes,
    /// with the outer length covering both.
    public func nestCompat<T>(_ type: some FixedWidthInteger, leading value: T, _ body: () throws -> Void) rethrows {
        let start = mnl_nlmsg_get_payload_tail(header)!.assumingMemoryBound(to: nlattr.self)
        putStruct(type, value)
        try body()
        let tail = mnl_nlmsg_get_payload_tail(header)!
        start.pointee.nla_len = UInt16(tail - UnsafeMutableRawPointer(start))
    }

    /// The finished message. Throws if an attribute did not fit.
    public func finish() throws(KernelError) -> NetlinkMessage {
        if overflowed {
            throw KernelError(operation, errno: .messageTooLong, hint: "netlink message exceeds \(capacity) bytes")
        }
        let length = Int(header.pointee.nlmsg_len)
        let bytes = Array(UnsafeRawBufferPointer(start: buffer, count: length))
        return NetlinkMessage(bytes: bytes, operation: operation)
    }
}
