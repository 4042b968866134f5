import NetLoomKernel
import NetLoomModel

/// Everything `up` will create, computed from a resolved lab before any kernel object
/// is touched (so a plan that cannot work fails before anything exists).
public struct LabPlan: Sendable {
    public var lab: ResolvedLab
    public var tag: String
    /// Node namespaces in file order, then the wire namespace if any link is shaped in
    /// userspace.
    public var namespaces: [PlannedNamespace]
    public var veths: [PlannedVeth]
    public var links: [PlannedLink]
    public var wireNamespace: String?
}

/// One network namespace and what goes in it.
public struct PlannedNamespace: Sendable {
    public var name: String
    /// The node it is; nil for the wire namespace.
    public var node: String?
    public var kind: NodeKind?
    /// In order; the first ones set defaults that interfaces inherit when created.
    public var sysctls: [Sysctl]
    /// A switch's bridge (always ifindex 2).
    public var bridge: PlannedInterface?
    public var interfaces: [PlannedInterface]
    public var routes: [ResolvedRoute]
    /// Switch offloads off on these interfaces (`settings.offloads: false`).
    public var offloadsOff: Bool
}

/// An interface NetLoom creates; the index is assigned by NetLoom (namespaces are
/// fresh, so every index is free) and never looked up.
public struct PlannedInterface: Sendable, Codable, Equatable {
    public var name: String
    public var index: Int32
    public var mtu: Int
    public var ipv4: InterfaceAddress?
    public var ipv6: InterfaceAddress?
    /// ifindex of the bridge this port belongs to.
    public var master: Int32?
    /// The qdisc tree on its egress (kernel-shaped links).
    public var egress: KernelTree?
}

/// A veth pair: both ends are created at once, each straight into its namespace.
public struct PlannedVeth: Sendable {
    public var a: VethEnd
    public var b: VethEnd
}

public struct VethEnd: Sendable, Codable, Equatable {
    public var namespace: String
    public var interface: String
    public var index: Int32

    public init(namespace: String, interface: String, index: Int32) {
        self.namespace = namespace
        self.interface = interface
        self.index = index
    }
}

/// How one lab link is built and shaped.
public struct PlannedLink: Sendable, Codable, Equatable {
    public var name: String
    /// `.kernel` or `.userspace`: what `auto` became.
    public var backend: Backend
    /// Why this backend (for `up`'s report).
    public var reason: String
    /// The node-side ends (where `tc` shows the kernel qdiscs).
    public var a: VethEnd
    public var b: VethEnd
    /// The engine's ends in the wire namespace (userspace links).
    public var wireA: VethEnd?
    public var wireB: VethEnd?
    public var aToB: Impairment
    public var bToA: Impairment
}
