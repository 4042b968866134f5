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

    /// The block's filter and its first port's clsact. Sent on their own: a kernel without
    /// clsact, cls_u32 or act_mirred refuses them, and the switch then floods reports.
    public static func setup(firstPort: Int32, bridge: Int32) throws -> [NetlinkMessage] {
        [
            try QdiscRequest.addClsact(interface: firstPort, ingressBlock: block),
            try FilterRequest.redirectIPv6Destination(InetAddress("ff02::16")!, block: block, priority: 1, toIngressOf: bridge),
        ]
    }

    /// Puts another port of the switch in the block.
    public static func attach(port: Int32) throws -> NetlinkMessage {
        try QdiscRequest.addClsact(interface: port, ingressBlock: block)
    }
}
