// Lab model / Lab: a whole lab file as written, before ranges are expanded and defaults applied.

/// `settings:` as written.
public struct SettingsSpec: Sendable, Codable, Equatable {
    public var mtu: Located<Int>?
    public var offloads: Bool?
    public var ipv6: Bool?
    public var tcpCongestionControl: String?
    public var tcpSlowStartAfterIdle: Bool?
    public var sysctls: [Located<Sysctl>] = []
}

/// `addressing:` as written.
public struct AddressingSpec: Sendable, Codable, Equatable {
    public var ipv4: Located<IPPrefix>?
    public var ipv6: Located<IPPrefix>?
}

/// A `workloads:` entry.
public struct WorkloadSpec: Sendable, Codable, Equatable {
    public var plugin: String
    public var nodes: [Located<String>]
    public var params: LocatedValue?
    public var start: Duration?
    public var duration: Duration?
    public var location: LabLocation
    public var path: String
}

/// What a timeline event does, as written.
public enum TimelineActionSpec: Sendable, Codable, Equatable {
    case set(LinkFieldsSpec)
    /// `down: 2s` (then up again) or `down: true` (stays down).
    case down(Duration?)
    case up
}

/// A `timeline:` entry.
public struct TimelineEventSpec: Sendable, Codable, Equatable {
    public var at: Duration
    public var link: Located<String>
    public var action: TimelineActionSpec
    public var location: LabLocation
    public var path: String
}

/// A lab file as written.
public struct LabSpec: Sendable, Codable, Equatable {
    public var file: String
    public var name: String
    public var backend: Located<Backend>?
    public var settings = SettingsSpec()
    public var addressing = AddressingSpec()
    public var defaults = LinkFieldsSpec()
    public var nodes: [NodeSpec] = []
    public var links: [LinkSpec] = []
    public var workloads: [WorkloadSpec] = []
    public var timeline: [TimelineEventSpec] = []
    public var seed: UInt64?
    /// Where the file starts (for lab-wide errors and warnings).
    public var location: LabLocation
}
