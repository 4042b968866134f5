// Lab model / Resolution: L2 segments. A segment is a switch (or a tree of switches joined by links)
// with everything attached to it, or a single link between two non-switch nodes. Each segment is one
// subnet; its members are the interfaces of hosts and routers on it.

/// An interface of a host or router, as a member of a segment.
struct Member {
    var node: Int
    var link: Int
    var isA: Bool
    var segment: Int
    var interface: String
    /// The switch the member's link goes to; nil on a point-to-point segment.
    var switchNode: Int?
    /// One-way delay (ns) from the member into the segment: to its switch, or to the peer on a point-to-point link.
    var up: Int64
    /// One-way delay (ns) from the switch to the member.
    var down: Int64
    var ipv4: InterfaceAddress?
    var ipv6: InterfaceAddress?
}

struct Segment {
    var links: [Int] = []
    var switches: [Int] = []
    var members: [Int] = []
    var ipv4: IPPrefix?
    var ipv6: IPPrefix?
    /// For segments of several switches: local index of each switch, and delays (ns) between them.
    var switchSlot: [Int: Int] = [:]
    var switchDelay: [Int64] = []

    var isPointToPoint: Bool { switches.isEmpty }

    /// One-way delay (ns) from member `x` to member `y` across this segment.
    func delay(from x: Member, to y: Member) -> Int64 {
        guard let sx = x.switchNode, let sy = y.switchNode else { return x.up }
        var between: Int64 = 0
        if sx != sy, let i = switchSlot[sx], let j = switchSlot[sy] {
            between = switchDelay[i * switchSlot.count + j]
        }
        return x.up + between + y.down
    }
}

extension LabBuilder {
    func delayNanoseconds(_ d: ImpairmentSpec) -> Int64 { d.delay?.value.totalNanoseconds ?? 0 }

    func buildSegments() {
        // Switch trees: union of switches joined by links (loops were rejected before).
        var parent = Array(nodes.indices)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        for link in links where nodes[link.a.node].kind == .switch && nodes[link.b.node].kind == .switch {
            parent[find(link.a.node)] = find(link.b.node)
        }
        var segmentOfTree: [Int: Int] = [:]
        var switchSeen: Set<Int> = []
        for (l, link) in links.enumerated() {
            let aSwitch = nodes[link.a.node].kind == .switch
            let bSwitch = nodes[link.b.node].kind == .switch
            let segment: Int
            if !aSwitch && !bSwitch {
                segment = segments.count
                segments.append(Segment())
            } else {
                let root = find(aSwitch ? link.a.node : link.b.node)
                if let existing = segmentOfTree[root] {
                    segment = existing
                } else {
                    segment = segments.count
                    segmentOfTree[root] = segment
                    segments.append(Segment())
                }
            }
            segments[segment].links.append(l)
            let shape = shapes[link.spec]
            let aToB = delayNanoseconds(shape.aToB), bToA = delayNanoseconds(shape.bToA)
            for isA in [true, false] {
                let port = link.port(isA)
                if nodes[port.node].kind == .switch {
                    if switchSeen.insert(port.node).inserted { segments[segment].switches.append(port.node) }
                    continue
                }
                let other = link.port(!isA)
                let switchNode = nodes[other.node].kind == .switch ? other.node : nil
                segments[segment].members.append(members.count)
                members.append(Member(node: port.node, link: l, isA: isA, segment: segment, interface: port.interface,
                                      switchNode: switchNode, up: isA ? aToB : bToA, down: isA ? bToA : aToB))
            }
        }
        for s in segments.indices where segments[s].switches.count > 1 {
            computeSwitchDelays(&segments[s])
        }
        // A bridge forwards at the smallest MTU of its ports: mixed MTUs on one switch drop large frames.
        for segment in segments where !segment.isPointToPoint {
            let first = links[segment.links[0]]
            let mtu = shapes[first.spec].mtu
            if let other = segment.links.first(where: { shapes[links[$0].spec].mtu != mtu }) {
                let link = links[other]
                diagnostics.warning(at: link.location, path: spec.links[link.spec].path,
                                    "link `\(link.name)` has MTU \(shapes[link.spec].mtu) but `\(first.name)` on the same switch has \(mtu); frames larger than the smallest MTU are dropped")
            }
        }
    }

    /// All-pairs one-way delays between the switches of a tree (one walk from each switch).
    private func computeSwitchDelays(_ segment: inout Segment) {
        let count = segment.switches.count
        for (i, sw) in segment.switches.enumerated() { segment.switchSlot[sw] = i }
        var adjacency = [[(to: Int, delay: Int64)]](repeating: [], count: count)
        for l in segment.links {
            let link = links[l]
            guard let i = segment.switchSlot[link.a.node], let j = segment.switchSlot[link.b.node] else { continue }
            let shape = shapes[link.spec]
            adjacency[i].append((j, delayNanoseconds(shape.aToB)))
            adjacency[j].append((i, delayNanoseconds(shape.bToA)))
        }
        segment.switchDelay = [Int64](repeating: 0, count: count * count)
        for start in 0..<count {
            var seen = [Bool](repeating: false, count: count)
            var stack = [start]
            seen[start] = true
            while let x = stack.popLast() {
                for (y, d) in adjacency[x] where !seen[y] {
                    seen[y] = true
                    segment.switchDelay[start * count + y] = segment.switchDelay[start * count + x] + d
                    stack.append(y)
                }
            }
        }
    }
}
