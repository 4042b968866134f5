import CNetLoomShims
import CNetlink
import Glibc

/// One next hop of a route: a gateway on a directly attached subnet, optionally pinned
/// to an interface.
public struct RouteNextHop: Sendable, Hashable {
    public var gateway: InetAddress
    public var interface: Int32?

    public init(gateway: InetAddress, interface: Int32? = nil) {
        self.gateway = gateway
        self.interface = interface
    }
}

/// Route requests (RTM_NEWROUTE), named after `ip route`.
public enum RouteRequest {
    /// `ip route replace DESTINATION nexthop via GW [dev IF] [nexthop via ...]`: one next
    /// hop gives a plain route, several an ECMP multipath route. Replace, so applying a
    /// lab's routes again (after a link comes back up) is harmless.
    public static func replace(_ destination: InetPrefix, via nextHops: [RouteNextHop]) throws(KernelError) -> NetlinkMessage {
        let operation = "ip route replace \(destination) via \(nextHops.map { "\($0.gateway)" }.joined(separator: ","))"
        guard !nextHops.isEmpty else { throw KernelError(operation, errno: .invalidArgument, hint: "no next hop") }
        guard let route = rtnl_route_alloc() else { throw KernelError(operation, errno: .noMemory) }
        defer { rtnl_route_put(route) }
        _ = rtnl_route_set_family(route, UInt8(destination.address.family))
        rtnl_route_set_table(route, UInt32(RT_TABLE_MAIN.rawValue))
        rtnl_route_set_protocol(route, UInt8(RTPROT_STATIC))
        rtnl_route_set_scope(route, UInt8(RT_SCOPE_UNIVERSE.rawValue))
        _ = rtnl_route_set_type(route, UInt8(RTN_UNICAST))
        let destinationAddress = try libnlAddress(destination, operation: operation)
        defer { nl_addr_put(destinationAddress) }
        _ = rtnl_route_set_dst(route, destinationAddress)
        for hop in nextHops {
            guard let nexthop = rtnl_route_nh_alloc() else { throw KernelError(operation, errno: .noMemory) }
            let gatewayPrefix = InetPrefix(address: hop.gateway, length: UInt8(hop.gateway.bytes.count * 8))!
            let gateway = try libnlAddress(gatewayPrefix, operation: operation)
            rtnl_route_nh_set_gateway(nexthop, gateway)
            nl_addr_put(gateway)
            if let interface = hop.interface { rtnl_route_nh_set_ifindex(nexthop, interface) }
            rtnl_route_add_nexthop(route, nexthop)  // the route owns it now
        }
        return try libnlMessage(operation) {
            rtnl_route_build_add_request(route, NLM_F_CREATE | NLM_F_REPLACE, $0)
        }
    }

    /// `ip route show table main`: a dump request for one family.
    public static func list(family: Int32) throws(KernelError) -> NetlinkMessage {
        let builder = NetlinkMessageBuilder(type: UInt16(RTM_GETROUTE), operation: "ip route show")
        var header = rtmsg()
        header.rtm_family = UInt8(family)
        builder.putFamilyHeader(header)
        return try builder.finish()
    }
}

/// A route the kernel reports (RTM_NEWROUTE reply), main table only.
public struct RouteInfo: Sendable, Equatable {
    public var destination: InetPrefix?
    public var gateways: [InetAddress]

    public init?(_ message: NetlinkMessage) {
        guard Int32(message.type) == RTM_NEWROUTE, let header = message.familyHeader(rtmsg.self),
              header.rtm_table == UInt8(RT_TABLE_MAIN.rawValue)
        else { return nil }
        let attributes = message.attributes(after: rtmsg.self)
        let width = header.rtm_family == UInt8(AF_INET6) ? 16 : 4
        let zero = InetAddress(bytes: [UInt8](repeating: 0, count: width))!
        let address = attributes[RTA_DST.rawValue].flatMap { InetAddress(bytes: Array($0)) } ?? zero
        destination = InetPrefix(address: address, length: header.rtm_dst_len)
        var gateways: [InetAddress] = []
        if let gateway = attributes[RTA_GATEWAY.rawValue].flatMap({ InetAddress(bytes: Array($0)) }) { gateways.append(gateway) }
        if let multipath = attributes[RTA_MULTIPATH.rawValue] {
            // struct rtnexthop { u16 len; u8 flags; u8 hops; int ifindex; } + attributes
            var offset = multipath.startIndex
            while offset + 8 <= multipath.endIndex {
                let length = Int(UInt16(multipath[offset]) | UInt16(multipath[offset + 1]) << 8)
                guard length >= 8, offset + length <= multipath.endIndex else { break }
                let nested = NetlinkAttributes(multipath[(offset + 8)..<(offset + length)])
                if let gateway = nested[RTA_GATEWAY.rawValue].flatMap({ InetAddress(bytes: Array($0)) }) { gateways.append(gateway) }
                offset += netlinkAlign(length)
            }
        }
        self.gateways = gateways
    }
}
