import Foundation
import NetLoomKernel
import NetLoomModel

/// A running lab as the kernel reports it now: for every link, each direction's
/// shaping read back from its qdiscs (not from NetLoom's memory) or from the link
/// engine, and the counters.
public struct LabStatusReport: Codable, Sendable {
    public var lab: String
    public var file: String
    public var createdAt: Date
    public var nodes: [NodeStatus]
    public var links: [LinkStatus]
}

public struct NodeStatus: Codable, Sendable {
    public var name: String
    public var kind: NodeKind
    public var namespace: String
    /// Whether the namespace still exists.
    public var present: Bool
}

public struct LinkStatus: Codable, Sendable {
    public var name: String
    public var backend: Backend
    public var up: Bool
    /// Traffic sent by endpoint a, then by endpoint b.
    public var directions: [DirectionStatus]
}

public struct DirectionStatus: Codable, Sendable {
    /// "a->b" or "b->a", with the node names.
    public var direction: String
    /// Where it is shaped: `namespace/interface` egress, or the engine.
    public var shapedAt: String
    /// The shaping as read back, in tc's words (e.g. "netem delay 10ms limit 1000 | tbf rate 1Gbit ...").
    public var shaping: String
    public var counters: DirectionCounters
}

/// Counters of one direction, whichever backend shapes it.
public struct DirectionCounters: Codable, Sendable, Equatable {
    public var bytes: UInt64 = 0
    public var packets: UInt64 = 0
    public var drops: UInt64 = 0
    public var overlimits: UInt64 = 0
    /// Bytes queued now.
    public var backlog: UInt64 = 0
    /// Packets queued now.
    public var queued: UInt64 = 0
    /// Engine only: drops by reason (loss, queue, aqm, link-down, ...).
    public var dropsByReason: [String: UInt64]?
    /// Engine only: packets on the wire (waiting for their release time).
    public var inDelayLine: UInt64?

    public init() {}
}

public enum LabStatusReader {
    public static func read(lab name: String) throws -> LabStatusReport {
        let state = try LabState.load(lab: name)
        var sockets: [String: NetlinkSocket] = [:]
        var qdiscs: [String: [QdiscInfo]] = [:]
        var links: [String: [LinkInfo]] = [:]
        for namespace in state.namespaces where NetworkNamespace.exists(named: namespace) {
            guard let handle = try? NetworkNamespace.open(named: namespace),
                  let socket = try? NetlinkSocket.open(in: handle)
            else { continue }
            sockets[namespace] = socket
            qdiscs[namespace] = try socket.dump(QdiscRequest.list()).compactMap(QdiscInfo.init)
            links[namespace] = try socket.dump(LinkRequest.list()).compactMap(LinkInfo.init)
        }
        let engine = state.engine.flatMap { try? EngineClient(socket: $0.socket).report() } ?? [:]

        let nodes = state.lab.nodes.map {
            NodeStatus(name: $0.name, kind: $0.kind, namespace: $0.namespace, present: sockets[$0.namespace] != nil)
        }
        var linkStatus: [LinkStatus] = []
        for link in state.links {
            let resolved = state.lab.link(named: link.name)
            let names = (resolved?.a.node ?? "a", resolved?.b.node ?? "b")
            // A link is up when both node-side ends are administratively up and, for
            // userspace links, the wire-side ends too (that is where `link down` acts).
            let ends = [link.a, link.b] + [link.wireA, link.wireB].compactMap { $0 }
            let up = ends.allSatisfy { end in links[end.namespace]?.first { $0.index == end.index }?.isUp ?? false }
            let sides = [
                (label: "\(names.0)->\(names.1)", key: EngineDirection.aToB, sender: link.a, wire: link.wireA),
                (label: "\(names.1)->\(names.0)", key: EngineDirection.bToA, sender: link.b, wire: link.wireB),
            ]
            let directions = sides.map { side in
                if link.backend == .userspace {
                    let reported = engine[link.name]?[side.key]
                    return DirectionStatus(
                        direction: side.label, shapedAt: "engine at \(side.wire.map { "\($0.namespace)/\($0.interface)" } ?? "?")",
                        shaping: reported.map { "engine \($0.shaping)" } ?? "engine not answering",
                        counters: reported?.counters ?? DirectionCounters())
                }
                // Egress only: a switch port's clsact holds the filter for received MLD reports.
                let held = (qdiscs[side.sender.namespace] ?? []).filter { $0.interface == side.sender.index && $0.parent != .clsact }
                let stats = (links[side.sender.namespace] ?? []).first { $0.index == side.sender.index }?.statistics
                return DirectionStatus(
                    direction: side.label, shapedAt: "\(side.sender.namespace)/\(side.sender.interface) egress",
                    shaping: QdiscDescription.describe(held), counters: counters(held, link: stats))
            }
            linkStatus.append(LinkStatus(name: link.name, backend: link.backend, up: up, directions: directions))
        }
        return LabStatusReport(
            lab: state.lab.name, file: state.lab.file, createdAt: state.createdAt, nodes: nodes, links: linkStatus)
    }

    /// The root qdisc's counters (everything that left the interface passed it) with
    /// drops summed over the tree; the interface's own counters when unshaped.
    static func counters(_ held: [QdiscInfo], link: LinkStatistics?) -> DirectionCounters {
        var counters = DirectionCounters()
        // noqueue (an unshaped veth) keeps no counters: use the interface's then.
        if let root = held.first(where: { $0.parent == .root && $0.kind != nil }) {
            counters.bytes = root.statistics.bytes
            counters.packets = root.statistics.packets
        } else if let link {
            counters.bytes = link.txBytes
            counters.packets = link.txPackets
        }
        for qdisc in held {
            counters.drops += UInt64(qdisc.statistics.drops)
            counters.overlimits += UInt64(qdisc.statistics.overlimits)
            counters.backlog += UInt64(qdisc.statistics.backlog)
            counters.queued += UInt64(qdisc.statistics.queueLength)
        }
        counters.drops += link?.txDropped ?? 0
        return counters
    }
}
