import CNetLoomShims

/// A qdisc or class as the kernel reports it, with its parameters decoded for the
/// kinds NetLoom builds and its statistics (`tc -s qdisc show`).
public struct QdiscInfo: Sendable, Equatable {
    public var interface: Int32
    public var handle: QdiscHandle
    public var parent: QdiscHandle
    public var kindName: String
    /// Decoded parameters; nil for kinds NetLoom does not build (noqueue, fq_codel, ...).
    public var kind: QdiscKind?
    /// For an htb class: its rate.
    public var htbClass: HtbClassParameters?
    public var statistics: QdiscStatistics

    /// Parses RTM_NEWQDISC and RTM_NEWTCLASS messages; nil for others.
    public init?(_ message: NetlinkMessage) {
        let type = Int32(message.type)
        guard type == RTM_NEWQDISC || type == RTM_NEWTCLASS, let header = message.familyHeader(tcmsg.self) else {
            return nil
        }
        let attributes = message.attributes(after: tcmsg.self)
        interface = header.tcm_ifindex
        handle = QdiscHandle(raw: header.tcm_handle)
        parent = QdiscHandle(raw: header.tcm_parent)
        kindName = attributes.string(TCA_KIND) ?? ""
        let options = attributes[TCA_OPTIONS] ?? []
        switch (kindName, type == RTM_NEWTCLASS) {
        case ("netem", false): kind = NetemEncoding.decode(options).map { .netem($0) }
        case ("tbf", false): kind = TbfEncoding.decode(options).map { .tbf($0) }
        case ("htb", false):
            let global = NetlinkAttributes(options).value(UInt16(TCA_HTB_INIT), as: tc_htb_glob.self)
            kind = .htb(defaultClass: UInt16(truncatingIfNeeded: global?.defcls ?? 0))
        case ("htb", true): htbClass = HtbRequests.decodeClass(options)
        default: break
        }
        statistics = QdiscStatistics(attributes.nested(TCA_STATS2))
    }
}

/// A qdisc's counters (TCA_STATS2: basic and queue statistics).
public struct QdiscStatistics: Sendable, Equatable, Codable {
    public var bytes: UInt64 = 0
    public var packets: UInt64 = 0
    public var drops: UInt32 = 0
    public var overlimits: UInt32 = 0
    public var requeues: UInt32 = 0
    /// Packets queued now.
    public var queueLength: UInt32 = 0
    /// Bytes queued now.
    public var backlog: UInt32 = 0

    public init() {}

    init(_ stats: NetlinkAttributes?) {
        guard let stats else { return }
        if let basic = stats[TCA_STATS_BASIC], basic.count >= 12 {
            // struct gnet_stats_basic { __u64 bytes; __u32 packets; }
            bytes = basic.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            packets = UInt64(basic.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self) })
        }
        if let packets64: UInt64 = stats.integer(TCA_STATS_PKT64) { packets = packets64 }
        if let queue = stats.value(TCA_STATS_QUEUE, as: gnet_stats_queue.self) {
            queueLength = queue.qlen
            backlog = queue.backlog
            drops = queue.drops
            requeues = queue.requeues
            overlimits = queue.overlimits
        }
    }
}
