import NetLoomModel

/// A node of the workload as the plugin sees it.
public struct PluginNode: Sendable, Codable, Equatable {
    public var name: String
    /// Position in the workload's `nodes` (rank in collective terms).
    public var rank: Int
    public var kind: NodeKind
    /// The node's first IPv4 and IPv6 addresses (what peers connect to).
    public var ipv4: String?
    public var ipv6: String?
    /// The network namespace (`ip netns exec` name).
    public var namespace: String
    /// The interface that holds `address` (for programs that bind to a device by
    /// name, like Gloo's `GLOO_SOCKET_IFNAME`).
    public var interface: String?

    public init(name: String, rank: Int, kind: NodeKind, ipv4: String?, ipv6: String?, namespace: String,
                interface: String? = nil) {
        self.name = name
        self.rank = rank
        self.kind = kind
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.namespace = namespace
        self.interface = interface
    }

    /// The address peers use: IPv4 when the node has one.
    public var address: String { ipv4 ?? ipv6 ?? "" }
}

/// A lab link as the plugin sees it: its endpoints and configured shaping, for
/// predictions (alpha-beta models) and reports.
public struct PluginLink: Sendable, Codable, Equatable {
    public var name: String
    public var a: String
    public var b: String
    public var aToB: Impairment
    public var bToA: Impairment

    public init(name: String, a: String, b: String, aToB: Impairment, bToA: Impairment) {
        self.name = name
        self.a = a
        self.b = b
        self.aToB = aToB
        self.bToA = bToA
    }
}
