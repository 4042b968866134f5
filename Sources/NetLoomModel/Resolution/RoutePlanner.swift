// Lab model / Resolution: the route plan and the lab's reference RTT.
//
// Hosts and routers are L3 nodes; only routers forward. For each destination segment a breadth-first
// walk outwards through routers gives every L3 node its distance in router hops and, as next hops, the
// addresses of the neighbouring routers one hop closer (several = ECMP). A node whose every remote
// segment goes through the same next-hop set gets one default route instead.
//
// The same walk yields one-way delays to each host along those routes (the slowest of ECMP paths), so
// `rttReference`, the largest host-to-host RTT, costs one extra pass per destination host.

extension LabBuilder {
    func planRoutesAndRTT() {
        let g = flatGraph()
        let nodeCount = nodes.count

        // Hosts, for the RTT matrix.
        var hostSlot = [Int](repeating: -1, count: nodeCount)
        var hostCount = 0
        for n in nodes.indices where nodes[n].kind == .host && g.attachStart[n] < g.attachStart[n + 1] {
            hostSlot[n] = hostCount
            hostCount += 1
        }
        let useMatrix = hostCount <= 2048
        var oneWay = [Int64](repeating: -1, count: useMatrix ? hostCount * hostCount : 0)
        var longestOneWay: Int64 = 0

        // Stub hosts: one interface, on a segment with exactly one router interface (a host behind its
        // gateway). Their next hop is that gateway for every remote segment, so the walks skip them and
        // they get a default route at the end; only their delays are computed per destination.
        var stubGateway = [Int](repeating: -1, count: nodeCount)
        var stubs: [Int] = []
        for n in nodes.indices where nodes[n].kind == .host && g.attachStart[n + 1] - g.attachStart[n] == 1 {
            let via = g.attachList[g.attachStart[n]]
            let s = g.memberSegment[via]
            var gateway = -1, routers = 0
            for i in g.segmentStart[s]..<g.segmentStart[s + 1] where g.isRouter[g.memberNode[g.segmentList[i]]] {
                gateway = g.segmentList[i]
                routers += 1
            }
            if routers == 1 {
                stubGateway[n] = gateway
                stubs.append(n)
            }
        }
        var destinationCount = 0

        // Per-walk scratch, reset by epoch instead of reallocation.
        let epoch = ScratchBuffer(repeating: -1, count: nodeCount)
        let dist = ScratchBuffer(repeating: 0, count: nodeCount)
        let memberInDestination = ScratchBuffer(repeating: -1, count: nodeCount)
        let head = ScratchBuffer(repeating: -1, count: nodeCount)
        let value = ScratchBuffer<Int64>(repeating: 0, count: nodeCount)
        var hopGateway = ScratchBuffer<Int>(capacity: 1024), hopVia = ScratchBuffer<Int>(capacity: 1024)
        var hopNext = ScratchBuffer<Int>(capacity: 1024)
        var order = ScratchBuffer<Int>(capacity: nodeCount), frontier = ScratchBuffer<Int>(capacity: nodeCount)
        var next = ScratchBuffer<Int>(capacity: nodeCount)
        var buffer = ScratchBuffer<Int>(capacity: 16)

        // Distinct next-hop sets per node, as flat (gateway member, via member) pairs chained per node.
        var setStore = ScratchBuffer<Int>(capacity: 1024), setStart = ScratchBuffer<Int>(capacity: 256)
        var setLength = ScratchBuffer<Int>(capacity: 256), setNextOfNode = ScratchBuffer<Int>(capacity: 256)
        let nodeFirstSet = ScratchBuffer(repeating: -1, count: nodeCount)
        let nodeSetCount = ScratchBuffer(repeating: 0, count: nodeCount)
        let lastSet = ScratchBuffer(repeating: -1, count: nodeCount)
        // Route entries (node, destination segment, set), in destination order.
        var entryNode = ScratchBuffer<Int>(capacity: 1024), entrySegment = ScratchBuffer<Int>(capacity: 1024)
        var entrySet = ScratchBuffer<Int>(capacity: 1024)
        let unreachable = ScratchBuffer(repeating: 0, count: nodeCount)
        let firstUnreachable = ScratchBuffer(repeating: -1, count: nodeCount)
        defer {
            for scratch in [epoch, dist, memberInDestination, head, hopGateway, hopVia, hopNext, order, frontier, next, buffer,
                            setStore, setStart, setLength, setNextOfNode, nodeFirstSet, nodeSetCount, lastSet,
                            entryNode, entrySegment, entrySet, unreachable, firstUnreachable] {
                scratch.free()
            }
            value.free()
        }

        for d in segments.indices where !segments[d].members.isEmpty && segments[d].ipv4 != nil {
            destinationCount += 1
            order.removeAll()
            frontier.removeAll()
            hopGateway.removeAll()
            hopVia.removeAll()
            hopNext.removeAll()
            for i in g.segmentStart[d]..<g.segmentStart[d + 1] {
                let m = g.segmentList[i]
                let n = g.memberNode[m]
                guard epoch[n] != d else { continue }
                epoch[n] = d
                dist[n] = 0
                head[n] = -1
                memberInDestination[n] = m
                order.append(n)
                if g.isRouter[n] { frontier.append(n) }
            }
            var level = 0
            while !frontier.isEmpty {
                next.removeAll()
                for f in 0..<frontier.count {
                    let r = frontier[f]
                    for a in g.attachStart[r]..<g.attachStart[r + 1] {
                        let gatewayMember = g.attachList[a]
                        let s = g.memberSegment[gatewayMember]
                        guard s != d else { continue }
                        for i in g.segmentStart[s]..<g.segmentStart[s + 1] {
                            let via = g.segmentList[i]
                            let n = g.memberNode[via]
                            if n == r || (stubGateway[n] >= 0 && epoch[n] != d) { continue }
                            if epoch[n] != d {
                                epoch[n] = d
                                dist[n] = level + 1
                                head[n] = -1
                                order.append(n)
                                if g.isRouter[n] { next.append(n) }
                            }
                            if dist[n] == level + 1 {
                                hopGateway.append(gatewayMember)
                                hopVia.append(via)
                                hopNext.append(head[n])
                                head[n] = hopGateway.count - 1
                            }
                        }
                    }
                }
                swap(&frontier, &next)
                level += 1
            }

            // Routes: each remote node's next-hop set, interned per node.
            for o in 0..<order.count {
                let n = order[o]
                guard dist[n] > 0 else { continue }
                buffer.removeAll()
                var h = head[n]
                while h >= 0 {
                    buffer.append(hopGateway[h])
                    buffer.append(hopVia[h])
                    h = hopNext[h]
                }
                Self.canonicalizePairs(&buffer)
                var found = -1
                var candidate = lastSet[n] >= 0 ? lastSet[n] : nodeFirstSet[n]
                var triedLast = lastSet[n] < 0
                while candidate >= 0 && found < 0 {
                    var same = setLength[candidate] == buffer.count
                    if same {
                        let start = setStart[candidate]
                        for i in 0..<buffer.count where setStore[start + i] != buffer[i] {
                            same = false
                            break
                        }
                    }
                    if same {
                        found = candidate
                    } else if !triedLast {
                        triedLast = true
                        candidate = nodeFirstSet[n]
                    } else {
                        candidate = setNextOfNode[candidate]
                    }
                }
                if found < 0 {
                    found = setStart.count
                    setStart.append(setStore.count)
                    setLength.append(buffer.count)
                    for i in 0..<buffer.count { setStore.append(buffer[i]) }
                    setNextOfNode.append(nodeFirstSet[n])
                    nodeFirstSet[n] = found
                    nodeSetCount[n] += 1
                }
                lastSet[n] = found
                entryNode.append(n)
                entrySegment.append(d)
                entrySet.append(found)
            }
            for n in 0..<nodeCount where epoch[n] != d && g.isLayer3[n] {
                if stubGateway[n] >= 0 && epoch[g.memberNode[stubGateway[n]]] == d { continue }
                unreachable[n] += 1
                if firstUnreachable[n] < 0 { firstUnreachable[n] = d }
            }

            // One-way delays to each host whose first interface is on this segment.
            for i in g.segmentStart[d]..<g.segmentStart[d + 1] {
                let hostMember = g.segmentList[i]
                let h = g.memberNode[hostMember]
                guard hostSlot[h] >= 0, g.attachList[g.attachStart[h]] == hostMember else { continue }
                let column = hostSlot[h]
                for o in 0..<order.count {
                    let n = order[o]
                    if dist[n] == 0 {
                        value[n] = n == h ? 0 : g.delay(from: memberInDestination[n], to: hostMember)
                    } else {
                        var worst: Int64 = 0
                        var e = head[n]
                        while e >= 0 {
                            let gateway = hopGateway[e]
                            worst = max(worst, g.delay(from: hopVia[e], to: gateway) + value[g.memberNode[gateway]])
                            e = hopNext[e]
                        }
                        value[n] = worst
                    }
                    let row = hostSlot[n]
                    if row >= 0, n != h {
                        if useMatrix {
                            oneWay[row * hostCount + column] = value[n]
                        } else {
                            longestOneWay = max(longestOneWay, value[n])
                        }
                    }
                }
                for x in stubs where epoch[x] != d {
                    let gateway = stubGateway[x]
                    let gatewayNode = g.memberNode[gateway]
                    guard epoch[gatewayNode] == d else { continue }
                    let oneWayDelay = g.delay(from: g.attachList[g.attachStart[x]], to: gateway) + value[gatewayNode]
                    if useMatrix {
                        oneWay[hostSlot[x] * hostCount + column] = oneWayDelay
                    } else {
                        longestOneWay = max(longestOneWay, oneWayDelay)
                    }
                }
            }
        }

        // Stub hosts: one default route through the gateway when it reaches any remote segment.
        for x in stubs where destinationCount - 1 - unreachable[x] > 0 {
            setStart.append(setStore.count)
            setLength.append(2)
            setStore.append(stubGateway[x])
            setStore.append(g.attachList[g.attachStart[x]])
            setNextOfNode.append(-1)
            nodeFirstSet[x] = setStart.count - 1
            nodeSetCount[x] = 1
        }

        // rttReference: the largest sum of both one-way delays over host pairs that reach each other.
        var longest: Int64 = 0
        if useMatrix {
            for i in 0..<hostCount {
                for j in (i + 1)..<max(i + 1, hostCount) {
                    let there = oneWay[i * hostCount + j], back = oneWay[j * hostCount + i]
                    if there >= 0, back >= 0 { longest = max(longest, there + back) }
                }
            }
        } else {
            longest = 2 * longestOneWay
        }
        rttReference = max(.milliseconds(1), .nanoseconds(longest))

        // Routes, compressed to a default route where every remote segment shares one next-hop set.
        // Next-hop lists are built once per set and shared by every route that uses it.
        var hopsCache: [Int: [NextHop]] = [:]
        func hops(_ set: Int, ipv4: Bool) -> [NextHop] {
            let key = set * 2 + (ipv4 ? 0 : 1)
            if let cached = hopsCache[key] { return cached }
            let pairs = setStore.array(setStart[set] ..< setStart[set] + setLength[set])
            let result = nextHops(pairs, ipv4: ipv4)
            hopsCache[key] = result
            return result
        }
        var entriesOfNode = [[Int]](repeating: [], count: nodeCount)
        for e in 0..<entryNode.count where nodeSetCount[entryNode[e]] > 1 { entriesOfNode[entryNode[e]].append(e) }
        let families = ipv6Enabled ? [true, false] : [true]
        routes = nodes.indices.map { n in
            guard nodeSetCount[n] > 0 else { return [] }
            var result: [ResolvedRoute] = []
            for ipv4 in families {
                if nodeSetCount[n] == 1 {
                    result.append(ResolvedRoute(destination: ipv4 ? .defaultIPv4 : .defaultIPv6, nexthops: hops(nodeFirstSet[n], ipv4: ipv4)))
                    continue
                }
                for e in entriesOfNode[n] {
                    let segment = segments[entrySegment[e]]
                    guard let destination = ipv4 ? segment.ipv4 : segment.ipv6 else { continue }
                    result.append(ResolvedRoute(destination: destination, nexthops: hops(entrySet[e], ipv4: ipv4)))
                }
            }
            return result
        }

        // One warning per node line (a range of nodes) and count, not one per node.
        var groups: [(first: Int, count: Int, last: Int)] = []
        var groupOf: [String: Int] = [:]
        for n in nodes.indices where unreachable[n] > 0 && g.attachStart[n] < g.attachStart[n + 1] {
            let key = "\(nodes[n].spec)/\(unreachable[n])/\(firstUnreachable[n])"
            if let k = groupOf[key] {
                groups[k].count += 1
                groups[k].last = n
            } else {
                groupOf[key] = groups.count
                groups.append((n, 1, n))
            }
        }
        for group in groups {
            let n = group.first
            let example = segments[firstUnreachable[n]]
            let exampleText = "\(example.ipv4.map(\.description) ?? "?") of link \(links[example.links[0]].name)"
            let who = group.count == 1 ? "`\(nodes[n].name)`" : "\(group.count) nodes (\(nodes[n].name) ... \(nodes[group.last].name))"
            diagnostics.warning(at: nodes[n].location, path: nodes[n].path,
                                "\(who) cannot reach \(unreachable[n]) subnet\(unreachable[n] == 1 ? "" : "s") (e.g. \(exampleText)): no chain of routers leads there")
        }
        for n in nodes.indices where g.attachStart[n] == g.attachStart[n + 1] && nodes[n].kind.isLayer3 {
            diagnostics.warning(at: nodes[n].location, path: nodes[n].path, "`\(nodes[n].name)` has no links")
        }
    }

    /// Sorts flat (gateway member, via member) pairs in place and drops repeats.
    private static func canonicalizePairs(_ flat: inout ScratchBuffer<Int>) {
        guard flat.count > 2 else { return }
        let count = flat.count / 2
        // Insertion sort: next-hop sets are small.
        for i in 1..<count {
            let key = (flat[2 * i], flat[2 * i + 1])
            var j = i - 1
            while j >= 0 && (flat[2 * j], flat[2 * j + 1]) > key {
                flat[2 * (j + 1)] = flat[2 * j]
                flat[2 * (j + 1) + 1] = flat[2 * j + 1]
                j -= 1
            }
            flat[2 * (j + 1)] = key.0
            flat[2 * (j + 1) + 1] = key.1
        }
        var kept = 1
        for i in 1..<count where (flat[2 * i], flat[2 * i + 1]) != (flat[2 * (kept - 1)], flat[2 * (kept - 1) + 1]) {
            flat[2 * kept] = flat[2 * i]
            flat[2 * kept + 1] = flat[2 * i + 1]
            kept += 1
        }
        flat.truncate(to: 2 * kept)
    }

    private func nextHops(_ pairs: [Int], ipv4: Bool) -> [NextHop] {
        stride(from: 0, to: pairs.count, by: 2).compactMap { i in
            let gateway = members[pairs[i]], via = members[pairs[i + 1]]
            guard let address = ipv4 ? gateway.ipv4?.address : gateway.ipv6?.address else { return nil }
            return NextHop(address: address, interface: via.interface)
        }
    }
}
