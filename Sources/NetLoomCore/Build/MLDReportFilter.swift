import NetLoomKernel

/// What keeps a switch from flooding MLD reports: every port's received frames to
/// ff02::16 are handed to the switch's own bridge interface (which has no IPv6, so they
/// end there). Every interface that comes up reports its IPv6 multicast groups to ff02::16,
/// three or four times; a Linux bridge floods those reports to every port even with
/// multicast snooping on, so N hosts on one switch made N^2 frames (at 1,000 hosts, most of
/// `up`'s CPU). Nothing in a lab listens to them: lab switches do not snoop and no node
/// routes multicast. One u32 filter in an ingress block all the switch's ports share.
public enum MLDReportFilter {
    static let block: UInt32 = 1

    /// Every port of the switch in the block (a clsact qdisc with the block as its
    /// ingress block). Sent before the filter, and on their own: a kernel without clsact
    /// refuses them. A port that joins a block which already holds a filter waits for an
    /// RCU grace period with the rtnl lock held (the kernel swaps the port's filter list);
    /// one that joins an empty block does not.
    public static func ports(_ ports: [Int32]) throws -> [NetlinkMessage] {
        try ports.map { try QdiscRequest.addClsact(interface: $0, ingressBlock: block) }
    }

    /// The block's one filter, once the ports are in. Sent on its own: a kernel without
    /// cls_u32 or act_mirred refuses it.
    public static func filter(bridge: Int32) throws -> NetlinkMessage {
        try FilterRequest.redirectIPv6Destination(InetAddress("ff02::16")!, block: block, priority: 1, toIngressOf: bridge)
    }
}
