import CNetLoomShims

/// One netlink message as bytes: a `struct nlmsghdr` followed by its payload.
/// Requests are built by `NetlinkMessageBuilder` (libmnl) or converted from libnl
/// objects; replies come from `NetlinkSocket`. Byte-exact, so tests compare requests
/// without a kernel.
public struct NetlinkMessage: Sendable, Equatable {
    public internal(set) var bytes: [UInt8]
    /// What the message does, in iproute2's words, for error messages.
    public var operation: String

    public init(bytes: [UInt8], operation: String = "netlink request") {
        precondition(bytes.count >= MemoryLayout<nlmsghdr>.size, "short netlink message")
        self.bytes = bytes
        self.operation = operation
    }

    public var type: UInt16 { read(UInt16.self, at: 4) }
    public var flags: UInt16 { read(UInt16.self, at: 6) }
    public var sequence: UInt32 {
        get { read(UInt32.self, at: 8) }
        set { write(newValue, at: 8) }
    }
    public var portID: UInt32 { read(UInt32.self, at: 12) }

    /// The payload after the netlink header.
    public var payload: ArraySlice<UInt8> { bytes[MemoryLayout<nlmsghdr>.size...] }

    /// The fixed family header (`ifinfomsg`, `tcmsg`, ...) that starts the payload.
    public func familyHeader<T>(_: T.Type) -> T? {
        let offset = MemoryLayout<nlmsghdr>.size
        guard bytes.count >= offset + MemoryLayout<T>.size else { return nil }
        return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }

    /// The attributes after a family header of type `T`.
    public func attributes<T>(after _: T.Type) -> NetlinkAttributes {
        let start = MemoryLayout<nlmsghdr>.size + netlinkAlign(MemoryLayout<T>.size)
        return NetlinkAttributes(bytes.count > start ? bytes[start...] : [])
    }

    func read<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }

    mutating func write<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: value, toByteOffset: offset, as: T.self) }
    }
}

/// NLMSG_ALIGN / NLA_ALIGN: netlink pads everything to 4 bytes.
@inline(__always)
func netlinkAlign(_ length: Int) -> Int { (length + 3) & ~3 }
