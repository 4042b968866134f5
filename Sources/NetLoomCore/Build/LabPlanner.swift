import NetLoomKernel
import NetLoomModel

/// Turns a resolved lab into a `LabPlan` for this machine: namespace names, interface
/// indexes, veth pairs, the backend of every link, and the kernel qdisc trees.
public enum LabPlanner {
    /// Sysctls every host and router namespace gets before its interfaces exist, so
    /// they inherit them: no duplicate address detection (lab addresses are unique,
    /// and DAD holds IPv6 addresses back for seconds; the kernel skips it only when
    /// both `all` and the interface say so), IPv6 addresses kept across link down/up,
    /// and routes through an interface without carrier skipped, so ECMP fails over
    /// when a link goes down, as a routed fabric would. No router solicitations:
    /// NetLoom assigns addresses and routes and no lab node answers them, but a switch
    /// floods each to every port, again with backoff for as long as the lab runs (at
    /// 1,000 hosts, a million frames each time). Only `default` where the
    /// kernel ORs it with `all`: every write here costs time that grows with the
    /// number of namespaces on the machine.
    static let baseSysctls = [
        Sysctl(key: "net.ipv6.conf.all.accept_dad", value: "0"),
        Sysctl(key: "net.ipv6.conf.default.accept_dad", value: "0"),
        Sysctl(key: "net.ipv6.conf.default.keep_addr_on_down", value: "1"),
        Sysctl(key: "net.ipv4.conf.default.ignore_routes_with_linkdown", value: "1"),
        Sysctl(key: "net.ipv6.conf.default.ignore_routes_with_linkdown", value: "1"),
        Sysctl(key: "net.ipv6.conf.default.router_solicitations", value: "0"),
    ]

    /// Namespaces whose interfaces must stay silent (switches, the wire): no IPv6 on
    /// their interfaces, so they send no router solicitations or MLD reports of their own.
    static let silentSysctls = [Sysctl(key: "net.ipv6.conf.default.disable_ipv6", value: "1")]

    /// `settings.ipv6: false`.
    static let disableIPv6 = [
        Sysctl(key: "net.ipv6.conf.all.disable_ipv6", value: "1"),
        Sysctl(key: "net.ipv6.conf.default.disable_ipv6", value: "1"),
    ]

    /// Linux caps a TCP connection's buffers at 6 MiB by default, which limits one
    /// flow to about 2.4 Gbit/s over a 10 ms RTT whatever the link allows. Hosts get
    /// room for 8 times the largest bandwidth-delay product in the lab (the fastest
    /// link's rate over the lab's longest RTT), at most 1 GiB: receive autotuning aims
    /// for a window of 2 (steady) to 4 (growing) times what the application read in the
    /// last RTT, and the buffer also pays for every packet's overhead, so anything less
    /// makes the hosts, not the emulated network, limit one flow (10 Gbit/s, 5 ms, one
    /// engine worker on 2 cores: 2 x BDP 7.4-9.3 Gbit/s, 8 x BDP 9.26-9.56). Autotuning
    /// grows a buffer only as far as a connection needs. Only autotuning's limits
    /// (`tcp_rmem`, `tcp_wmem`) are per namespace; `net.core.rmem_max`, which caps
    /// explicit SO_RCVBUF requests, belongs to the host and is left alone. Nothing is
    /// written when the default suffices, and a node's own `sysctls` still win.
    static let bufferBDPs = 8

    static func tcpBufferSysctls(_ lab: ResolvedLab) -> [Sysctl] {
        let fastest = lab.links.flatMap { [$0.aToB.rate, $0.bToA.rate] }.compactMap { $0?.bitsPerSecond }.max() ?? 0
        let needed = UInt64(Double(bufferBDPs) * Double(fastest) / 8 * seconds(lab.rttReference))
        let linuxDefault: UInt64 = 6 << 20
        guard needed > linuxDefault else { return [] }
        let size = min(needed, 1 << 30)
        return [
            Sysctl(key: "net.ipv4.tcp_rmem", value: "4096 131072 \(size)"),
            Sysctl(key: "net.ipv4.tcp_wmem", value: "4096 16384 \(size)"),
        ]
    }

    public static func plan(
        _ lab: ResolvedLab, instance: String, machine: MachineCapabilities,
        distribution: (String) throws -> NetemDistribution = { try DistributionTable.load($0) }
    ) throws -> LabPlan {
        let tag = OwnershipTag.make(lab: lab.name, instance: instance)
        let kernelHasSeed = kernelAtLeast(machine.kernelRelease, major: 6, minor: 3)

        // Interface indexes per node: a switch's bridge is 2, interfaces follow in order.
        var namespaces: [PlannedNamespace] = []
        var indexOf: [String: [String: Int32]] = [:]
        let hostSysctls = baseSysctls + (lab.settings.ipv6 ? [] : disableIPv6) + tcpBufferSysctls(lab)   // once: it scans every link
        for node in lab.nodes {
            var planned = PlannedNamespace(
                name: node.namespace, node: node.name, kind: node.kind, sysctls: [], bridge: nil,
                interfaces: [], routes: node.routes, offloadsOff: !lab.settings.offloads)
            if node.kind == .switch {
                planned.sysctls = silentSysctls
                planned.bridge = PlannedInterface(name: "br0", index: InterfaceIndexes.bridge, mtu: lab.settings.mtu)
            } else {
                planned.sysctls = hostSysctls
            }
            planned.sysctls += node.sysctls
            let indexes = InterfaceIndexes.map(node)
            indexOf[node.name] = indexes
            for interface in node.interfaces {
                planned.interfaces.append(PlannedInterface(
                    name: interface.name, index: indexes[interface.name]!, mtu: interface.mtu, ipv4: interface.ipv4,
                    ipv6: interface.ipv6, master: node.kind == .switch ? InterfaceIndexes.bridge : nil))
            }
            namespaces.append(planned)
        }
        let nodeNamespace = Dictionary(uniqueKeysWithValues: lab.nodes.map { ($0.name, $0.namespace) })
        let position = Dictionary(uniqueKeysWithValues: namespaces.enumerated().map { ($1.name, $0) })

        func end(_ endpoint: LinkEndpoint) -> VethEnd {
            let namespace = nodeNamespace[endpoint.node]!
            let index = indexOf[endpoint.node]![endpoint.interface]!
            return VethEnd(namespace: namespace, interface: endpoint.interface, index: index)
        }

        let wireName = "\(lab.name).\(wireNodeName)"
        var wire = PlannedNamespace(
            name: wireName, node: nil, kind: nil, sysctls: silentSysctls, bridge: nil, interfaces: [],
            routes: [], offloadsOff: false)
        var veths: [PlannedVeth] = []
        var links: [PlannedLink] = []
        var wireIndex: Int32 = 2
        for (number, link) in lab.links.enumerated() {
            let (backend, reason) = try chooseBackend(link, hasNetem: machine.hasNetem, file: lab.file)
            let a = end(link.a)
            let b = end(link.b)
            var planned = PlannedLink(
                name: link.name, backend: backend, reason: reason, a: a, b: b, aToB: link.aToB, bToA: link.bToA)
            switch backend {
            case .userspace:
                // Two veth pairs meeting in the wire namespace, where the engine forwards.
                let wireA = VethEnd(namespace: wireName, interface: "l\(number)a", index: wireIndex)
                let wireB = VethEnd(namespace: wireName, interface: "l\(number)b", index: wireIndex + 1)
                wireIndex += 2
                for wireEnd in [wireA, wireB] {
                    wire.interfaces.append(PlannedInterface(name: wireEnd.interface, index: wireEnd.index, mtu: link.mtu))
                }
                veths.append(PlannedVeth(a: a, b: wireA))
                veths.append(PlannedVeth(a: wireB, b: b))
                planned.wireA = wireA
                planned.wireB = wireB
            default:
                veths.append(PlannedVeth(a: a, b: b))
                let aTree = try KernelShaping.tree(
                    for: link.aToB, mtu: link.mtu, kernelHasSeed: kernelHasSeed, distribution: distribution)
                let bTree = try KernelShaping.tree(
                    for: link.bToA, mtu: link.mtu, kernelHasSeed: kernelHasSeed, distribution: distribution)
                setEgress(aTree, on: a, in: &namespaces, position: position)
                setEgress(bTree, on: b, in: &namespaces, position: position)
            }
            links.append(planned)
        }
        let usesWire = !wire.interfaces.isEmpty
        if usesWire { namespaces.append(wire) }
        return LabPlan(
            lab: lab, tag: tag, namespaces: namespaces, veths: veths, links: links,
            wireNamespace: usesWire ? wireName : nil)
    }

    /// The wire namespace's node-name part: `<lab>._wire` cannot clash with a node,
    /// whose names are hostnames (no underscore).
    public static let wireNodeName = "_wire"

    static func setEgress(_ tree: KernelTree, on end: VethEnd, in namespaces: inout [PlannedNamespace], position: [String: Int]) {
        guard !tree.isEmpty, let n = position[end.namespace],
              let i = namespaces[n].interfaces.firstIndex(where: { $0.index == end.index })
        else { return }
        namespaces[n].interfaces[i].egress = tree
    }

    /// kernel, userspace, or what `auto` becomes on this machine.
    static func chooseBackend(_ link: ResolvedLink, hasNetem: Bool, file: String) throws -> (Backend, String) {
        let needsNetem = KernelShaping.needsNetem(link.aToB) || KernelShaping.needsNetem(link.bToA)
        let hasRate = link.aToB.rate != nil || link.bToA.rate != nil
        switch link.backend {
        case .userspace:
            return (.userspace, "userspace (asked for)")
        case .kernel:
            if needsNetem && !hasNetem {
                throw CoreError.unsupported(
                    "\(link.location): link \(link.name): backend kernel needs sch_netem for its delay, jitter, loss, "
                        + "duplicate, corrupt or reorder, and this kernel has none; use `backend: auto` or `userspace`, "
                        + "or install sch_netem (linux-modules-extra-$(uname -r) on Ubuntu, kernel-modules-extra on "
                        + "Fedora/RHEL; WSL2 kernels lack it)")
            }
            return (.kernel, needsNetem ? "kernel netem (asked for)" : "kernel (asked for)")
        case .auto:
            if needsNetem {
                return hasNetem ? (.kernel, "kernel netem") : (.userspace, "userspace: this kernel has no sch_netem")
            }
            return (.kernel, hasRate ? "kernel tbf" : "kernel (unshaped)")
        }
    }

    /// Whether a release string like "6.18.44-fc" is at least major.minor.
    static func kernelAtLeast(_ release: String, major: Int, minor: Int) -> Bool {
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard numbers.count == 2 else { return false }
        return (numbers[0], numbers[1]) >= (major, minor)
    }
}
