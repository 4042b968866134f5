// Lab model / Resolution: the final values handed to the orchestrator: links, nodes (interfaces, routes,
// sysctls) and segments.

extension LabBuilder {
    func resolveLinks() -> [ResolvedLink] {
        var segmentOfLink = [Int](repeating: 0, count: links.count)
        for (s, segment) in segments.enumerated() { for l in segment.links { segmentOfLink[l] = s } }
        return links.enumerated().map { l, link in
            let shape = shapes[link.spec]
            return ResolvedLink(
                name: link.name,
                a: LinkEndpoint(node: nodes[link.a.node].name, interface: link.a.interface),
                b: LinkEndpoint(node: nodes[link.b.node].name, interface: link.b.interface),
                aToB: impairment(shape.aToB, mtu: shape.mtu, link: l, isA: true),
                bToA: impairment(shape.bToA, mtu: shape.mtu, link: l, isA: false),
                backend: shape.backend,
                mtu: shape.mtu,
                segment: segmentOfLink[l],
                location: link.location)
        }
    }

    func resolveNodes() -> [ResolvedNode] {
        var memberOfPort: [Int: Int] = [:]
        for (m, member) in members.enumerated() { memberOfPort[member.link * 2 + (member.isA ? 0 : 1)] = m }
        return nodes.enumerated().map { n, node in
            let interfaces = node.ports.map { port -> ResolvedInterface in
                let link = links[port.link]
                let member = memberOfPort[port.link * 2 + (port.isA ? 0 : 1)].map { members[$0] }
                let peer = link.port(!port.isA)
                return ResolvedInterface(
                    name: link.port(port.isA).interface,
                    link: link.name,
                    ipv4: member?.ipv4,
                    ipv6: member?.ipv6,
                    mtu: shapes[link.spec].mtu,
                    peer: LinkEndpoint(node: nodes[peer.node].name, interface: peer.interface))
            }
            return ResolvedNode(
                name: node.name,
                kind: node.kind,
                namespace: "\(spec.name).\(node.name)",
                interfaces: interfaces,
                routes: routes.isEmpty ? [] : routes[n],
                sysctls: sysctls(for: node),
                location: node.location)
        }
    }

    /// Settings first, then lab-wide sysctls, then what the kind implies, then the node's own; a later value
    /// for the same key replaces an earlier one in its place.
    func sysctls(for node: TopoNode) -> [Sysctl] {
        var ordered: [Sysctl] = []
        var position: [String: Int] = [:]
        func set(_ key: String, _ value: String) {
            if let i = position[key] {
                ordered[i].value = value
            } else {
                position[key] = ordered.count
                ordered.append(Sysctl(key: key, value: value))
            }
        }
        let settings = spec.settings
        if let cc = settings.tcpCongestionControl { set("net.ipv4.tcp_congestion_control", cc) }
        if let idle = settings.tcpSlowStartAfterIdle { set("net.ipv4.tcp_slow_start_after_idle", idle ? "1" : "0") }
        if !ipv6Enabled {
            set("net.ipv6.conf.all.disable_ipv6", "1")
            set("net.ipv6.conf.default.disable_ipv6", "1")
        }
        for sysctl in settings.sysctls { set(sysctl.value.key, sysctl.value.value) }
        if node.kind == .router {
            set("net.ipv4.ip_forward", "1")
            if ipv6Enabled { set("net.ipv6.conf.all.forwarding", "1") }
        }
        for sysctl in spec.nodes[node.spec].sysctls { set(sysctl.value.key, sysctl.value.value) }
        return ordered
    }

    func resolveSegments() -> [ResolvedSegment] {
        segments.map { segment in
            ResolvedSegment(
                ipv4: segment.ipv4,
                ipv6: segment.ipv6,
                switches: segment.switches.map { nodes[$0].name },
                members: segment.members.map { LinkEndpoint(node: nodes[members[$0].node].name, interface: members[$0].interface) },
                links: segment.links.map { links[$0].name })
        }
    }
}
