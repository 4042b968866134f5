// Lab model / Resolution: expanding node and link ranges, naming interfaces, and rejecting topologies
// that cannot work (unknown nodes, self links, duplicate names, loops of switches).

struct TopoNode {
    var name: String
    var kind: NodeKind
    var spec: Int
    var location: LabLocation
    var path: String
    /// (link, side) of every interface, in link order.
    var ports: [(link: Int, isA: Bool)] = []
}

struct TopoPort {
    var node: Int
    /// Explicit name from `node:name`, else assigned by `nameInterfaces`.
    var interface: String
    var explicit: Bool
    var location: LabLocation
    var path: String
}

struct TopoLink {
    var name: String
    var spec: Int
    /// Position within the links its line expands to.
    var expansionIndex: Int
    var a: TopoPort
    var b: TopoPort
    var location: LabLocation

    func port(_ isA: Bool) -> TopoPort { isA ? a : b }
}

extension LabBuilder {
    func expandNodes() {
        for (specIndex, node) in spec.nodes.enumerated() {
            let pattern: NamePattern
            do {
                pattern = try NamePattern(parsing: node.pattern.value)
            } catch {
                diagnostics.error(.badName, node.pattern, error.message, allowed: error.allowed)
                continue
            }
            let names = pattern.expand()
            if let bad = [names.first!, names.last!].compactMap(NamingRules.nodeNameProblem).first {
                diagnostics.error(.badName, node.pattern, bad.message, allowed: bad.allowed)
                continue
            }
            var reportedDuplicate = false
            for name in names {
                if let existing = nodeIndex[name] {
                    if !reportedDuplicate {
                        let first = nodes[existing].location
                        diagnostics.error(.duplicate, node.pattern, "node `\(name)` is defined twice",
                                          allowed: "first defined at \(first.line):\(first.column); node names must be unique")
                        reportedDuplicate = true
                    }
                    continue
                }
                nodeIndex[name] = nodes.count
                nodes.append(TopoNode(name: name, kind: node.kind, spec: specIndex, location: node.pattern.location, path: node.pattern.path))
            }
        }
    }

    /// `gpu[0-7]`, `r1:wan0`, `tor:p[0-7]` into (node, interface?) pairs; nil after reporting an error.
    private func expandEndpoint(_ endpoint: Located<String>) -> [(node: Int, interface: String?)]? {
        let text = endpoint.value
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let nodePattern: NamePattern
        var interfacePattern: NamePattern?
        do {
            nodePattern = try NamePattern(parsing: parts[0])
            if parts.count == 2 {
                if parts[1].isEmpty {
                    diagnostics.error(.badName, endpoint, "\"\(text)\" has an empty interface name", allowed: "write node:interface, e.g. r1:wan0")
                    return nil
                }
                interfacePattern = try NamePattern(parsing: parts[1])
            }
        } catch {
            diagnostics.error(.badName, endpoint, error.message, allowed: error.allowed)
            return nil
        }
        var nodeIDs: [Int] = []
        for name in nodePattern.expand() {
            guard let id = nodeIndex[name] else {
                var allowed = "define it under `nodes:`"
                if let near = KeySuggestion.closest(to: name, among: Array(nodeIndex.keys).sorted()) { allowed = "did you mean `\(near)`?" }
                diagnostics.error(.unknownReference, endpoint, "no node named `\(name)`", allowed: allowed)
                return nil
            }
            nodeIDs.append(id)
        }
        guard let interfacePattern else { return nodeIDs.map { ($0, nil) } }
        let interfaces = interfacePattern.expand()
        if nodePattern.isRange && interfacePattern.isRange {
            guard nodeIDs.count == interfaces.count else {
                diagnostics.error(.badName, endpoint, "\"\(text)\" pairs \(nodeIDs.count) nodes with \(interfaces.count) interface names",
                                  allowed: "ranges in one endpoint must have the same length")
                return nil
            }
            return zip(nodeIDs, interfaces).map { ($0, $1) }
        }
        if nodePattern.isRange { return nodeIDs.map { ($0, interfaces[0]) } }
        return interfaces.map { (nodeIDs[0], $0) }
    }

    func expandLinks() {
        for (specIndex, link) in spec.links.enumerated() {
            guard link.endpoints.count == 2,
                  let sideA = expandEndpoint(link.endpoints[0]),
                  let sideB = expandEndpoint(link.endpoints[1])
            else { continue }
            let count: Int
            if sideA.count == sideB.count {
                count = sideA.count
            } else if sideA.count == 1 || sideB.count == 1 {
                count = max(sideA.count, sideB.count)
            } else {
                diagnostics.error(.badName, at: link.endpoints[0].location, path: "\(link.path).endpoints",
                                  "the endpoints expand to \(sideA.count) and \(sideB.count) nodes",
                                  allowed: "zip ranges of the same length, or fan one node out to a range")
                continue
            }
            var namePattern: NamePattern?
            if let name = link.name {
                do {
                    let pattern = try NamePattern(parsing: name.value)
                    if pattern.count != count && !(pattern.count == 1 && count == 1) {
                        diagnostics.error(.duplicate, name,
                                          pattern.isRange ? "the name expands to \(pattern.count) names for \(count) links"
                                                          : "the line expands to \(count) links, which cannot share one name",
                                          allowed: "use a range of \(count) names, e.g. \(name.value)[0-\(count - 1)], or leave the name out")
                        continue
                    }
                    namePattern = pattern
                } catch {
                    diagnostics.error(.badName, name, error.message, allowed: error.allowed)
                    continue
                }
            }
            if count > 1 {
                for pair in [link.ipv4, link.ipv6].compactMap({ $0 }) {
                    diagnostics.error(.addressing, at: pair.location, path: pair.path,
                                      "explicit addresses need a line that makes one link; this one makes \(count)",
                                      allowed: "write the link on its own line, or leave the addresses automatic")
                }
            }
            for i in 0..<count {
                let a = sideA[sideA.count == 1 ? 0 : i]
                let b = sideB[sideB.count == 1 ? 0 : i]
                let nameA = nodes[a.node].name, nameB = nodes[b.node].name
                if a.node == b.node {
                    diagnostics.error(.topology, at: link.endpoints[0].location, path: "\(link.path).endpoints",
                                      "a link from `\(nameA)` to itself", allowed: "connect two different nodes")
                    continue
                }
                let name = namePattern?.name(at: i) ?? "\(nameA)--\(nameB)"
                let nameLocation = link.name?.location ?? link.endpoints[0].location
                let namePath = link.name?.path ?? "\(link.path).endpoints"
                if let problem = NamingRules.linkNameProblem(name) {
                    diagnostics.error(.badName, at: nameLocation, path: namePath, problem.message, allowed: problem.allowed)
                    continue
                }
                if let existing = linkIndex[name] {
                    let first = links[existing].location
                    diagnostics.error(.duplicate, at: nameLocation, path: namePath, "link name `\(name)` is used twice",
                                      allowed: "first used at \(first.line):\(first.column); give one of them a `name:`")
                    continue
                }
                let portA = TopoPort(node: a.node, interface: a.interface ?? "", explicit: a.interface != nil,
                                     location: link.endpoints[0].location, path: link.endpoints[0].path)
                let portB = TopoPort(node: b.node, interface: b.interface ?? "", explicit: b.interface != nil,
                                     location: link.endpoints[1].location, path: link.endpoints[1].path)
                linkIndex[name] = links.count
                nodes[a.node].ports.append((links.count, true))
                nodes[b.node].ports.append((links.count, false))
                links.append(TopoLink(name: name, spec: specIndex, expansionIndex: i, a: portA, b: portB, location: link.location))
            }
        }
    }

    /// Explicit names are checked and reserved; the rest get eth0, eth1, ... in link order, skipping reserved ones.
    func nameInterfaces() {
        for n in nodes.indices {
            var used: [String: LabLocation] = [:]
            for (link, isA) in nodes[n].ports {
                let port = links[link].port(isA)
                guard port.explicit else { continue }
                if let problem = NamingRules.interfaceNameProblem(port.interface) {
                    diagnostics.error(.badName, at: port.location, path: port.path, problem.message, allowed: problem.allowed)
                    continue
                }
                if let first = used[port.interface] {
                    diagnostics.error(.duplicate, at: port.location, path: port.path,
                                      "interface `\(port.interface)` is used twice on `\(nodes[n].name)`",
                                      allowed: "first used at \(first.line):\(first.column); each interface of a node needs its own name")
                    continue
                }
                used[port.interface] = port.location
            }
            var next = 0
            for (link, isA) in nodes[n].ports where !links[link].port(isA).explicit {
                while used["eth\(next)"] != nil { next += 1 }
                let name = "eth\(next)"
                next += 1
                if isA { links[link].a.interface = name } else { links[link].b.interface = name }
            }
        }
    }

    /// Bridges without STP flood broadcasts around a loop forever: switch-to-switch links must form a forest.
    /// A Linux bridge numbers its ports 1...1023 (BR_MAX_PORTS is 1024, port 0 is
    /// reserved), so a switch with more links cannot be built.
    static let maximumSwitchPorts = 1023

    func checkSwitchPorts() {
        var ports: [Int: Int] = [:]
        var firstSpec: [Int: Int] = [:]
        for link in links {
            for end in [link.a.node, link.b.node] where nodes[end].kind == .switch {
                ports[end, default: 0] += 1
                if firstSpec[end] == nil { firstSpec[end] = link.spec }
            }
        }
        for (node, count) in ports.sorted(by: { $0.key < $1.key }) where count > Self.maximumSwitchPorts {
            let field = spec.links[firstSpec[node]!]
            diagnostics.error(.topology, at: field.location, path: field.path,
                              "switch `\(nodes[node].name)` has \(count) links; a Linux bridge holds at most \(Self.maximumSwitchPorts) ports",
                              allowed: "spread the hosts over several switches joined by an upstream switch")
        }
    }

    func checkSwitchLoops() {
        var parent = Array(nodes.indices)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        var adjacency: [Int: [Int]] = [:]
        var reportedSpecs: Set<Int> = []
        for link in links where nodes[link.a.node].kind == .switch && nodes[link.b.node].kind == .switch {
            let a = link.a.node, b = link.b.node
            if find(a) == find(b) {
                guard reportedSpecs.insert(link.spec).inserted else { continue }
                let path = switchPath(from: a, to: b, adjacency: adjacency)
                let cycle = (path + [a]).map { nodes[$0].name }.joined(separator: " -- ")
                diagnostics.error(.topology, at: spec.links[link.spec].location, path: spec.links[link.spec].path,
                                  "switch links form a loop: \(cycle)",
                                  allowed: "Linux bridges run without STP, so a loop floods broadcasts forever; remove a link or make one of them a router")
                continue
            }
            parent[find(a)] = find(b)
            adjacency[a, default: []].append(b)
            adjacency[b, default: []].append(a)
        }
    }

    private func switchPath(from start: Int, to goal: Int, adjacency: [Int: [Int]]) -> [Int] {
        var previous: [Int: Int] = [start: start]
        var queue = [start]
        var head = 0
        while head < queue.count {
            let x = queue[head]
            head += 1
            if x == goal { break }
            for y in adjacency[x] ?? [] where previous[y] == nil {
                previous[y] = x
                queue.append(y)
            }
        }
        var path = [goal]
        while let p = previous[path.last!], p != path.last! { path.append(p) }
        return Array(path.reversed())
    }
}
