import Logging
import NetLoomKernel
import NetLoomModel

/// Changes to a running lab: links down and up, shaping in place.
public enum LabControl {
    /// `netloom link LAB LINK down|up`. A userspace link is cut in the wire namespace,
    /// so both nodes lose carrier and keep their configuration. A kernel link's two
    /// ends go administratively down; the kernel drops routes through them, so coming
    /// back up re-applies both nodes' routes.
    public static func setLink(lab: String, link name: String, up: Bool, logger: Logger) throws {
        let directory = LabDirectory(lab: lab)
        let lock = try LabLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        let state = try LabState.load(lab: lab)
        let link = try state.link(named: name)
        logger.info("link \(up ? "up" : "down")", metadata: ["lab": "\(lab)", "link": "\(name)"])
        if let wireA = link.wireA, let wireB = link.wireB {
            try setState([wireA, wireB], up: up, tag: state.tag)
            return
        }
        try setState([link.a, link.b], up: up, tag: state.tag)
        if up {
            for endpoint in [state.lab.link(named: name)?.a.node, state.lab.link(named: name)?.b.node].compactMap({ $0 }) {
                guard let node = state.lab.node(named: endpoint), !node.routes.isEmpty else { continue }
                try socket(node.namespace).perform(try routeRequests(node))
            }
        }
    }

    static func setState(_ ends: [VethEnd], up: Bool, tag: String) throws {
        for end in ends {
            try socket(end.namespace).perform(LinkRequest.setState(index: end.index, up: up, alias: tag))
        }
    }

    static func socket(_ namespace: String) throws -> NetlinkSocket {
        try NetlinkSocket.open(in: NetworkNamespace.open(named: namespace))
    }

    /// `ip route replace` for every route of a node.
    static func routeRequests(_ node: ResolvedNode) throws -> [NetlinkMessage] {
        let indexes = InterfaceIndexes.map(node)
        return try node.routes.map { route in
            try RouteRequest.replace(route.destination.kernelPrefix, via: route.nexthops.map {
                RouteNextHop(gateway: $0.address.kernelAddress, interface: indexes[$0.interface])
            })
        }
    }
}

extension LabControl {
    /// `netloom set LAB LINK key=value ...`: new shaping for a running link, resolved
    /// as a timeline `set` would be (earlier changes included) and applied in place: a
    /// kernel link's qdiscs change with `tc qdisc change` when their shape is the same
    /// (no packet lost, no flap), a userspace link's in the engine. Returns the link's
    /// new shaping.
    @discardableResult
    public static func setShaping(lab: String, change: LinkChange, logger: Logger) throws -> PlannedLink {
        let state = try LabState.load(lab: lab)
        let changes = state.changes + [change]
        let shaped = try ResolvedLab.shaping(after: changes, labText: state.labText, file: state.lab.file)
        guard let (aToB, bToA) = shaped[change.link] else {
            throw CoreError.unknownLink(lab: lab, link: change.link, known: state.links.map(\.name))
        }
        return try applyShaping(lab: lab, link: change.link, aToB: aToB, bToA: bToA, recording: changes, logger: logger)
    }

    /// Applies a link's complete new shaping (a resolved timeline `set`, or a change
    /// above). `recording` replaces the list of changes kept with the lab.
    @discardableResult
    public static func applyShaping(
        lab: String, link name: String, aToB: Impairment, bToA: Impairment, recording changes: [LinkChange]? = nil,
        logger: Logger
    ) throws -> PlannedLink {
        let directory = LabDirectory(lab: lab)
        let lock = try LabLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        var state = try LabState.load(lab: lab)
        var link = try state.link(named: name)
        try reshape(&link, aToB: aToB, bToA: bToA, state: state, machine: MachineCapabilities.probe())
        logger.info("link shaping changed", metadata: ["lab": "\(lab)", "link": "\(link.name)"])
        state.links = state.links.map { $0.name == link.name ? link : $0 }
        if let changes { state.changes = changes }
        try state.save()
        return link
    }
}

extension LabControl {
    /// Gives one link of a running lab new shaping in place (the caller holds the lab's
    /// lock and saves the state): the engine's configuration for a userspace link,
    /// `tc qdisc change` (or replace, when the tree's shape changes) for a kernel one.
    static func reshape(
        _ link: inout PlannedLink, aToB: Impairment, bToA: Impairment, state: LabState,
        machine probe: @autoclosure () -> MachineCapabilities
    ) throws {
        switch link.backend {
        case .userspace:
            guard let engine = state.engine else { throw CoreError.corruptState("no link engine recorded") }
            try EngineClient(socket: engine.socket).update(link: link.name, aToB: aToB, bToA: bToA)
        default:
            let machine = probe()
            if (KernelShaping.needsNetem(aToB) || KernelShaping.needsNetem(bToA)) && !machine.hasNetem {
                throw CoreError.unsupported(
                    "link \(link.name) is shaped by the kernel, which has no sch_netem here, so delay, jitter, loss, "
                        + "duplicate, corrupt or reorder cannot be added at run time; give the link `backend: userspace` "
                        + "in the lab file to change them while it runs")
            }
            let mtu = state.lab.link(named: link.name)?.mtu ?? state.lab.settings.mtu
            let hasSeed = LabPlanner.kernelAtLeast(machine.kernelRelease, major: 6, minor: 3)
            for (end, before, after) in [(link.a, link.aToB, aToB), (link.b, link.bToA, bToA)] {
                let old = try KernelShaping.tree(for: before, mtu: mtu, kernelHasSeed: hasSeed)
                let new = try KernelShaping.tree(for: after, mtu: mtu, kernelHasSeed: hasSeed)
                let requests = try old.changeRequests(to: new, interface: end.index)
                if !requests.isEmpty { try socket(end.namespace).perform(requests) }
            }
        }
        link.aToB = aToB
        link.bToA = bToA
    }
}
