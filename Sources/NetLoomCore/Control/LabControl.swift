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
