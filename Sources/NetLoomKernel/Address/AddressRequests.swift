import CNetLoomShims
import CNetlink
import Glibc

/// Address requests (RTM_NEWADDR), named after `ip address`.
public enum AddressRequest {
    /// `ip address replace PREFIX dev INDEX [nodad]`. IPv6 addresses are added with
    /// IFA_F_NODAD: lab addresses are unique by construction, and duplicate address
    /// detection would leave them unusable ("tentative") for about two seconds.
    public static func add(_ prefix: InetPrefix, interface index: Int32) throws(KernelError) -> NetlinkMessage {
        let operation = "ip address replace \(prefix) dev \(index)"
        guard let address = rtnl_addr_alloc() else { throw KernelError(operation, errno: .noMemory) }
        defer { rtnl_addr_put(address) }
        let local = try libnlAddress(prefix, operation: operation)
        defer { nl_addr_put(local) }
        rtnl_addr_set_ifindex(address, index)
        rtnl_addr_set_family(address, prefix.address.family)
        if rtnl_addr_set_local(address, local) != 0 { throw KernelError(operation, errno: .invalidArgument) }
        rtnl_addr_set_prefixlen(address, Int32(prefix.length))
        if prefix.address.isIPv6 { rtnl_addr_set_flags(address, UInt32(IFA_F_NODAD)) }
        return try libnlMessage(operation) {
            rtnl_addr_build_add_request(address, NLM_F_CREATE | NLM_F_REPLACE, $0)
        }
    }

    /// `ip address show`: a dump request for one family (AF_UNSPEC for both).
    public static func list(family: Int32 = AF_UNSPEC) throws(KernelError) -> NetlinkMessage {
        let builder = NetlinkMessageBuilder(type: UInt16(RTM_GETADDR), operation: "ip address show")
        var header = ifaddrmsg()
        header.ifa_family = UInt8(family)
        builder.putFamilyHeader(header)
        return try builder.finish()
    }
}

/// A libnl address object for `prefix` (caller puts it).
func libnlAddress(_ prefix: InetPrefix, operation: String) throws(KernelError) -> OpaquePointer {
    let built = prefix.address.bytes.withUnsafeBytes {
        nl_addr_build(prefix.address.family, $0.baseAddress, $0.count)
    }
    guard let built else { throw KernelError(operation, errno: .noMemory) }
    nl_addr_set_prefixlen(built, Int32(prefix.length))
    return built
}

/// An address the kernel reports (RTM_NEWADDR reply).
public struct AddressInfo: Sendable, Equatable {
    public var interface: Int32
    public var prefix: InetPrefix
    public var isTentative: Bool

    public init?(_ message: NetlinkMessage) {
        guard Int32(message.type) == RTM_NEWADDR, let header = message.familyHeader(ifaddrmsg.self) else { return nil }
        let attributes = message.attributes(after: ifaddrmsg.self)
        guard let raw = attributes[IFA_LOCAL] ?? attributes[IFA_ADDRESS],
              let address = InetAddress(bytes: Array(raw)),
              let prefix = InetPrefix(address: address, length: header.ifa_prefixlen)
        else { return nil }
        interface = Int32(bitPattern: header.ifa_index)
        self.prefix = prefix
        let flags: UInt32 = attributes.integer(IFA_FLAGS) ?? UInt32(header.ifa_flags)
        isTentative = flags & UInt32(IFA_F_TENTATIVE) != 0
    }
}
