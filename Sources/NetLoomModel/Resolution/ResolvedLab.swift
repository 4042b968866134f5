// Lab model / Resolution: the lab the orchestrator builds: everything expanded, defaulted, addressed and
// routed. The only thing that leaves this module; Codable, so it is saved next to results as JSON.

import Foundation

/// Lab-wide settings with every default filled in.
public struct ResolvedSettings: Sendable, Hashable, Codable {
    public var mtu: Int
    /// TSO/GSO/GRO on the veths.
    public var offloads: Bool
    /// Whether nodes get IPv6 addresses and routes.
    public var ipv6: Bool
    /// nil: the kernel's default.
    public var tcpCongestionControl: String?
    /// nil: the kernel's default (1).
    public var tcpSlowStartAfterIdle: Bool?
    /// The pools automatic subnets come from.
    public var ipv4Pool: IPPrefix
    public var ipv6Pool: IPPrefix
}

/// One end of a link.
public struct LinkEndpoint: Sendable, Hashable, Codable, CustomStringConvertible {
    public var node: String
    public var interface: String

    public var description: String { "\(node):\(interface)" }
}

/// A veth pair with its shaping per direction.
public struct ResolvedLink: Sendable, Hashable, Codable {
    /// `<a>--<b>` unless the lab names it.
    public var name: String
    public var a: LinkEndpoint
    public var b: LinkEndpoint
    /// Traffic sent by `a`.
    public var aToB: Impairment
    /// Traffic sent by `b`.
    public var bToA: Impairment
    /// `.auto` only when both backends can do what the link asks; a userspace-only feature makes it `.userspace`.
    public var backend: Backend
    public var mtu: Int
    /// Index into `ResolvedLab.segments`.
    public var segment: Int
    public var location: LabLocation
}

/// An interface of a node: one end of a veth.
public struct ResolvedInterface: Sendable, Hashable, Codable {
    public var name: String
    /// The link's name.
    public var link: String
    public var ipv4: InterfaceAddress?
    public var ipv6: InterfaceAddress?
    public var mtu: Int
    /// The other end of the veth.
    public var peer: LinkEndpoint
}

/// A next hop of a route.
public struct NextHop: Sendable, Hashable, Codable, CustomStringConvertible {
    public var address: IPAddress
    /// The node's interface towards `address`.
    public var interface: String

    public var description: String { "via \(address) dev \(interface)" }
}

/// A route (`ip route add DEST nexthop via A dev I nexthop via ...`); several next hops is ECMP.
public struct ResolvedRoute: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `0.0.0.0/0` or `::/0` for a default route.
    public var destination: IPPrefix
    public var nexthops: [NextHop]

    public var description: String {
        "\(destination.isDefault ? "default" : destination.description) " + nexthops.map(\.description).joined(separator: " ")
    }
}

/// A host, switch or router: one network namespace.
public struct ResolvedNode: Sendable, Hashable, Codable {
    public var name: String
    public var kind: NodeKind
    /// `<lab>.<node>`, the name `ip netns exec` takes.
    public var namespace: String
    /// In link order.
    public var interfaces: [ResolvedInterface]
    /// IPv4 routes first, then IPv6.
    public var routes: [ResolvedRoute]
    /// In the order to apply them: from settings, lab-wide `sysctls`, those the kind implies, the node's own.
    public var sysctls: [Sysctl]
    public var location: LabLocation

    public func interface(named name: String) -> ResolvedInterface? { interfaces.first { $0.name == name } }
}

/// An L2 domain: one switch (or a tree of switches) and everything attached, or one point-to-point link.
public struct ResolvedSegment: Sendable, Hashable, Codable {
    public var ipv4: IPPrefix?
    public var ipv6: IPPrefix?
    public var switches: [String]
    /// The addressed interfaces (hosts and routers), in link order.
    public var members: [LinkEndpoint]
    public var links: [String]
}

/// A workload for the runner; `params` are validated later by the plugin.
public struct ResolvedWorkload: Sendable, Hashable, Codable {
    public var plugin: String
    /// Expanded node names, in the order written.
    public var nodes: [String]
    public var params: LocatedValue?
    @OptionalDurationText public var start: Duration?
    @OptionalDurationText public var duration: Duration?
    public var location: LabLocation
    public var path: String
}

/// What a timeline event does to a link.
public enum TimelineAction: Sendable, Hashable, Codable {
    /// The link's complete new shaping (earlier `set`s included; auto queues resized for a new rate).
    case set(aToB: Impairment, bToA: Impairment)
    /// Down for a while, then up again; nil stays down.
    case down(for: Duration?)
    case up

    private enum CodingKeys: String, CodingKey { case set, down, up }
    private struct Directions: Codable { var aToB: Impairment; var bToA: Impairment }

    /// JSON: `{"set": {"aToB": ..., "bToA": ...}}`, `{"down": "2s"}` (null: stays down), `{"up": true}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let directions = try container.decodeIfPresent(Directions.self, forKey: .set) {
            self = .set(aToB: directions.aToB, bToA: directions.bToA)
        } else if container.contains(.down) {
            self = .down(for: try container.decode(OptionalDurationText.self, forKey: .down).wrappedValue)
        } else if try container.decodeIfPresent(Bool.self, forKey: .up) == true {
            self = .up
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected set, down or up"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .set(let aToB, let bToA): try container.encode(Directions(aToB: aToB, bToA: bToA), forKey: .set)
        case .down(let duration): try container.encode(OptionalDurationText(wrappedValue: duration), forKey: .down)
        case .up: try container.encode(true, forKey: .up)
        }
    }
}

/// A change to a link at a time after the start of the run.
public struct ResolvedTimelineEvent: Sendable, Hashable, Codable {
    @DurationText public var at: Duration
    public var link: String
    public var action: TimelineAction
    public var location: LabLocation
}

/// A lab ready to build. Made only by `load(path:)` or `parse(yaml:file:)`, which throw `LabErrors` instead
/// when anything is wrong.
public struct ResolvedLab: Sendable, Hashable, Codable {
    public var name: String
    /// The lab file it came from.
    public var file: String
    /// The lab-wide backend (each link has its own).
    public var backend: Backend
    public var settings: ResolvedSettings
    public var seed: UInt64?
    /// In file order.
    public var nodes: [ResolvedNode]
    /// In file order, ranges expanded.
    public var links: [ResolvedLink]
    public var segments: [ResolvedSegment]
    public var workloads: [ResolvedWorkload]
    /// Sorted by time (stable).
    public var timeline: [ResolvedTimelineEvent]
    /// The largest unloaded RTT between two hosts along routed paths (at least 1 ms); auto queues hold one
    /// bandwidth-delay product of it.
    @DurationText public var rttReference: Duration
    public var warnings: [LabWarning]

    public func node(named name: String) -> ResolvedNode? { nodes.first { $0.name == name } }
    public func link(named name: String) -> ResolvedLink? { links.first { $0.name == name } }

    /// Reads, validates and resolves a lab file. Relative `rate_trace` paths are resolved against its folder
    /// and must exist.
    public static func load(path: String) throws(LabErrors) -> ResolvedLab {
        try read(path: path).lab
    }

    /// `load`, also returning the text it read (kept with a running lab, so later changes resolve against
    /// the lab as it was built).
    public static func read(path: String) throws(LabErrors) -> (lab: ResolvedLab, text: String) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LabErrors([LabError(.syntax, at: LabLocation(file: path, line: 1, column: 1), path: "",
                                      "cannot read the lab file: \(error.localizedDescription)")])
        }
        return (try LabResolver.resolve(yaml: text, file: path, checkFiles: true), text)
    }

    /// Validates and resolves lab text; `file` is used in error locations and as the base of relative paths,
    /// which are checked to exist when `checkFiles` is set.
    public static func parse(yaml: String, file: String = "<lab>", checkFiles: Bool = false) throws(LabErrors) -> ResolvedLab {
        try LabResolver.resolve(yaml: yaml, file: file, checkFiles: checkFiles)
    }
}
