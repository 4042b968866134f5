import CMnl
import CNetLoomShims
import CNetlink
import Glibc

/// How a new interface is placed and configured at creation, so a lab needs no
/// follow-up `ip link set` for the common case.
public struct InterfaceSpec: Sendable, Equatable {
    public var name: String
    /// The namespace to create the interface in; nil = the socket's own.
    public var namespace: NetworkNamespace?
    /// Requested ifindex (unique within its namespace); nil lets the kernel choose.
    /// Lab namespaces are fresh, so NetLoom assigns indexes itself and never needs to
    /// look one up.
    public var index: Int32?
    public var mtu: UInt32?
    public var up: Bool
    /// ifindex of a bridge (in the same namespace) to enslave the interface to.
    public var master: Int32?

    public init(
        name: String, namespace: NetworkNamespace? = nil, index: Int32? = nil, mtu: UInt32? = nil,
        up: Bool = true, master: Int32? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.index = index
        self.mtu = mtu
        self.up = up
        self.master = master
    }

    public static func == (lhs: InterfaceSpec, rhs: InterfaceSpec) -> Bool {
        lhs.name == rhs.name && lhs.namespace?.inode == rhs.namespace?.inode && lhs.index == rhs.index
            && lhs.mtu == rhs.mtu && lhs.up == rhs.up && lhs.master == rhs.master
    }

    /// Copies the spec into a libnl link object.
    func apply(to link: OpaquePointer) {
        rtnl_link_set_name(link, name)
        if let namespace { rtnl_link_set_ns_fd(link, namespace.descriptor.rawValue) }
        if let index { rtnl_link_set_ifindex(link, index) }
        if let mtu { rtnl_link_set_mtu(link, mtu) }
        if up { rtnl_link_set_flags(link, UInt32(IFF_UP)) }
        if let master { rtnl_link_set_master(link, master) }
    }
}

/// Link requests (RTM_NEWLINK, RTM_SETLINK, RTM_DELLINK), named after `ip link`.
public enum LinkRequest {
    /// `ip link add NAME [netns NS] type veth peer name PEER [netns NS2]`: both ends are
    /// created directly in their namespaces, with index, MTU and master. Only
    /// `end` can come up at creation: the kernel configures the peer before the pair is
    /// joined, and opening a veth without its peer fails with ENOTCONN, so `peer.up` is
    /// ignored here; bring the peer up with `setState` afterwards.
    ///
    /// Both ends get one transmit and one receive queue (`numtxqueues 1 numrxqueues 1`),
    /// which is what a veth is left with anyway: without the attributes the kernel
    /// allocates a queue per CPU and cuts the count to one after registering each end,
    /// and that waits for an RCU grace period with the rtnl lock held (twice per pair).
    public static func addVeth(_ end: InterfaceSpec, peer: InterfaceSpec) throws(KernelError) -> NetlinkMessage {
        let operation = "ip link add \(end.name) type veth peer name \(peer.name)"
        guard let link = rtnl_link_veth_alloc() else { throw KernelError(operation, errno: .noMemory) }
        defer { rtnl_link_put(link) }
        end.apply(to: link)
        let peerLink = rtnl_link_veth_get_peer(link)!
        defer { rtnl_link_put(peerLink) }
        var peer = peer
        peer.up = false
        peer.apply(to: peerLink)
        for side in [link, peerLink] {
            rtnl_link_set_num_tx_queues(side, 1)
            rtnl_link_set_num_rx_queues(side, 1)
        }
        return try libnlMessage(operation) {
            rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL, $0)
        }
    }

    /// `ip link add NAME type bridge stp_state 0 mcast_snooping 0`. No spanning tree
    /// (lab topologies are validated loop-free), so ports forward immediately; no
    /// multicast snooping, so IPv6 neighbour discovery floods like a plain hub would.
    public static func addBridge(_ bridge: InterfaceSpec) throws(KernelError) -> NetlinkMessage {
        let builder = NetlinkMessageBuilder(
            type: UInt16(RTM_NEWLINK), flags: NLM_F_CREATE | NLM_F_EXCL,
            operation: "ip link add \(bridge.name) type bridge")
        var info = ifinfomsg()
        info.ifi_family = UInt8(AF_UNSPEC)
        info.ifi_index = bridge.index ?? 0
        if bridge.up {
            info.ifi_flags = UInt32(IFF_UP)
            info.ifi_change = UInt32(IFF_UP)
        }
        builder.putFamilyHeader(info)
        builder.putString(IFLA_IFNAME, bridge.name)
        if let namespace = bridge.namespace { builder.put(IFLA_NET_NS_FD, UInt32(namespace.descriptor.rawValue)) }
        if let mtu = bridge.mtu { builder.put(IFLA_MTU, mtu) }
        builder.nest(IFLA_LINKINFO) {
            builder.putString(IFLA_INFO_KIND, "bridge")
            builder.nest(IFLA_INFO_DATA) {
                builder.put(IFLA_BR_STP_STATE, UInt32(0))
                builder.put(IFLA_BR_FORWARD_DELAY, UInt32(0))
                builder.put(IFLA_BR_MCAST_SNOOPING, UInt8(0))
            }
        }
        return try builder.finish()
    }

    /// `ip link set dev INDEX [master BRIDGE] up|down [alias ALIAS]`. The alias
    /// (IFLA_IFALIAS, NetLoom's ownership tag) can only be set on an existing
    /// interface: the kernel ignores it when creating one. So is the master of a veth's
    /// peer end.
    public static func setState(index: Int32, up: Bool, alias: String? = nil, master: Int32? = nil) throws(KernelError) -> NetlinkMessage {
        let builder = NetlinkMessageBuilder(
            type: UInt16(RTM_NEWLINK), operation: "ip link set dev \(index) \(up ? "up" : "down")")
        var info = ifinfomsg()
        info.ifi_family = UInt8(AF_UNSPEC)
        info.ifi_index = index
        info.ifi_flags = up ? UInt32(IFF_UP) : 0
        info.ifi_change = UInt32(IFF_UP)
        builder.putFamilyHeader(info)
        if let master { builder.put(IFLA_MASTER, UInt32(bitPattern: master)) }
        if let alias { builder.putString(IFLA_IFALIAS, alias) }
        return try builder.finish()
    }

    /// `ip link set dev INDEX mtu MTU`.
    public static func setMTU(index: Int32, mtu: UInt32) throws(KernelError) -> NetlinkMessage {
        let builder = NetlinkMessageBuilder(type: UInt16(RTM_NEWLINK), operation: "ip link set dev \(index) mtu \(mtu)")
        var info = ifinfomsg()
        info.ifi_index = index
        builder.putFamilyHeader(info)
        builder.put(IFLA_MTU, mtu)
        return try builder.finish()
    }

    /// `ip link del dev INDEX`.
    public static func delete(index: Int32) throws(KernelError) -> NetlinkMessage {
        let builder = NetlinkMessageBuilder(type: UInt16(RTM_DELLINK), operation: "ip link del dev \(index)")
        var info = ifinfomsg()
        info.ifi_index = index
        builder.putFamilyHeader(info)
        return try builder.finish()
    }

    /// `ip link show`: a dump request for every interface of the socket's namespace.
    public static func list() throws(KernelError) -> NetlinkMessage {
        let builder = NetlinkMessageBuilder(type: UInt16(RTM_GETLINK), operation: "ip link show")
        builder.putFamilyHeader(ifinfomsg())
        return try builder.finish()
    }
}
