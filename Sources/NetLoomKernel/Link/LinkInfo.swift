import CNetLoomShims
import Glibc

/// An interface as the kernel reports it (RTM_NEWLINK reply of `ip -s link show`).
public struct LinkInfo: Sendable, Equatable {
    public var index: Int32
    public var name: String
    public var kind: String?
    public var alias: String?
    public var mtu: UInt32
    public var master: Int32?
    /// Administratively up (IFF_UP).
    public var isUp: Bool
    /// Carrier present (IFF_LOWER_UP).
    public var hasCarrier: Bool
    public var statistics: LinkStatistics

    /// Parses a RTM_NEWLINK message; nil for any other message.
    public init?(_ message: NetlinkMessage) {
        guard Int32(message.type) == RTM_NEWLINK, let header = message.familyHeader(ifinfomsg.self) else { return nil }
        let attributes = message.attributes(after: ifinfomsg.self)
        index = header.ifi_index
        name = attributes.string(IFLA_IFNAME) ?? ""
        alias = attributes.string(IFLA_IFALIAS)
        mtu = attributes.integer(IFLA_MTU) ?? 0
        master = attributes.integer(IFLA_MASTER)
        kind = attributes.nested(IFLA_LINKINFO)?.string(IFLA_INFO_KIND)
        isUp = header.ifi_flags & UInt32(IFF_UP) != 0
        hasCarrier = header.ifi_flags & UInt32(0x10000) /* IFF_LOWER_UP */ != 0
        statistics = attributes.value(IFLA_STATS64, as: rtnl_link_stats64.self).map(LinkStatistics.init) ?? LinkStatistics()
    }
}

/// Interface counters (IFLA_STATS64).
public struct LinkStatistics: Sendable, Equatable, Codable {
    public var rxPackets: UInt64 = 0
    public var txPackets: UInt64 = 0
    public var rxBytes: UInt64 = 0
    public var txBytes: UInt64 = 0
    public var rxDropped: UInt64 = 0
    public var txDropped: UInt64 = 0

    public init() {}

    init(_ stats: rtnl_link_stats64) {
        rxPackets = stats.rx_packets
        txPackets = stats.tx_packets
        rxBytes = stats.rx_bytes
        txBytes = stats.tx_bytes
        rxDropped = stats.rx_dropped
        txDropped = stats.tx_dropped
    }
}
