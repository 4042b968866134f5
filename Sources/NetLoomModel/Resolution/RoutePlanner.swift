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
        let nodeCount = nodes.count
        var attach = [[Int]](repeating: [], count: nodeCount)
        for (m, member) in members.enumerated() { attach[member.node].append(m) }

        // Hosts, for the RTT matrix.
        var hostSlot = [Int](repeating: -1, count: nodeCount)
        var hostCount = 0
        for n in nodes.indices where nodes[n].kind == .host && !attach[n].isEmpty {
            hostSlot[n] = hostCount
            hostCount += 1
        }
        let useMatrix = hostCount <= 2048
        var oneWay = [Int64](repeating: -1, count: useMatrix ? hostCount * hostCount : 0)
        var longestOneWay: Int64 = 0

        // Per-walk scratch, reset by epoch instead of reallocation.
        var epoch = [Int](repeating: -1, count: nodeCount)
        var dist = [Int](repeating: 0, count: nodeCount)
        var memberInDestination = [Int](repeating: -1, count: nodeCount)
        var head = [Int](repeating: -1, count: nodeCount)
        var hopGateway: [Int] = [], hopVia: [Int] = [], hopNext: [Int] = []
        var value = [Int64](repeating: 0, count: nodeCount)

        // Route entries per node: (destination segment, index into that node's distinct next-hop sets).
        var distinctSets = [[[Int]]](repeating: [], count: nodeCount)
        var entries = [[(segment: Int, set: Int)]](repeating: [], count: nodeCount)
        var unreachable = [Int](repeating: 0, count: nodeCount)
        var firstUnreachable = [Int](repeating: -1, count: nodeCount)
        var buffer: [Int] = []

        for d in segments.indices where !segments[d].members.isEmpty && segments[d].ipv4 != nil {
            var order: [Int] = []
            hopGateway.removeAll(keepingCapacity: true)
            hopVia.removeAll(keepingCapacity: true)
            hopNext.removeAll(keepingCapacity: true)
            var frontier: [Int] = []
            for m in segments[d].members {
                let n = members[m].node
                guard epoch[n] != d else { continue }
                epoch[n] = d
                dist[n] = 0
                head[n] = -1
                memberInDestination[n] = m
                order.append(n)
                if nodes[n].kind == .router { frontier.append(n) }
            }
            var level = 0
            while !frontier.isEmpty {
                var next: [Int] = []
                for r in frontier {
                    for gatewayMember in attach[r] {
                        let s = members[gatewayMember].segment
                        guard s != d else { continue }
                        for via in segments[s].members {
                            let n = members[via].node
                            if n == r { continue }
                            if epoch[n] != d {
                                epoch[n] = d
                                dist[n] = level + 1
                                head[n] = -1
                                order.append(n)
                                if nodes[n].kind == .router { next.append(n) }
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
                frontier = next
                level += 1
            }

            // Routes: each remote node's next-hop set, interned per node.
            for n in order where dist[n] > 0 {
                buffer.removeAll(keepingCapacity: true)
                var h = head[n]
                while h >= 0 {
                    buffer.append(hopGateway[h])
                    buffer.append(hopVia[h])
                    h = hopNext[h]
                }
                let set = Self.canonicalPairs(buffer)
                if let index = distinctSets[n].firstIndex(of: set) {
                    entries[n].append((d, index))
                } else {
                    distinctSets[n].append(set)
                    entries[n].append((d, distinctSets[n].count - 1))
                }
            }
            for n in nodes.indices where epoch[n] != d && nodes[n].kind.isLayer3 {
                unreachable[n] += 1
                if firstUnreachable[n] < 0 { firstUnreachable[n] = d }
            }

            // One-way delays to each host whose first interface is on this segment.
            for hostMember in segments[d].members {
                let h = members[hostMember].node
                guard hostSlot[h] >= 0, attach[h].first == hostMember else { continue }
                for n in order {
                    if dist[n] == 0 {
                        value[n] = n == h ? 0 : segments[d].delay(from: members[memberInDestination[n]], to: members[hostMember])
                    } else {
                        var worst: Int64 = 0
                        var e = head[n]
                        while e >= 0 {
                            let via = members[hopVia[e]], gateway = members[hopGateway[e]]
                            worst = max(worst, segments[via.segment].delay(from: via, to: gateway) + value[gateway.node])
                            e = hopNext[e]
                        }
                        value[n] = worst
                    }
                    if hostSlot[n] >= 0, n != h {
                        if useMatrix {
                            oneWay[hostSlot[n] * hostCount + hostSlot[h]] = value[n]
                        } else {
                            longestOneWay = max(longestOneWay, value[n])
                        }
                    }
                }
            }
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
        routes = nodes.indices.map { n in
            guard !entries[n].isEmpty else { return [] }
            var result: [ResolvedRoute] = []
            let families = ipv6Enabled ? [true, false] : [true]
            for ipv4 in families {
                if distinctSets[n].count == 1 {
                    result.append(ResolvedRoute(destination: ipv4 ? .defaultIPv4 : .defaultIPv6,
                                                nexthops: nextHops(distinctSets[n][0], ipv4: ipv4)))
                } else {
                    for entry in entries[n] {
                        guard let destination = ipv4 ? segments[entry.segment].ipv4 : segments[entry.segment].ipv6 else { continue }
                        result.append(ResolvedRoute(destination: destination, nexthops: nextHops(distinctSets[n][entry.set], ipv4: ipv4)))
                    }
                }
            }
            return result
        }

        // One warning per node line (a range of nodes) and count, not one per node.
        var groups: [(first: Int, count: Int, last: Int)] = []
        var groupOf: [String: Int] = [:]
        for n in nodes.indices where unreachable[n] > 0 && !attach[n].isEmpty {
            let key = "\(nodes[n].spec)/\(unreachable[n])/\(firstUnreachable[n])"
            if let g = groupOf[key] {
                groups[g].count += 1
                groups[g].last = n
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
        for n in nodes.indices where attach[n].isEmpty && nodes[n].kind.isLayer3 {
            diagnostics.warning(at: nodes[n].location, path: nodes[n].path, "`\(nodes[n].name)` has no links")
        }
    }

    /// Flat (gateway member, via member) pairs, sorted and without repeats.
    private static func canonicalPairs(_ flat: [Int]) -> [Int] {
        if flat.count == 2 { return flat }
        var pairs: [(Int, Int)] = []
        pairs.reserveCapacity(flat.count / 2)
        for i in stride(from: 0, to: flat.count, by: 2) { pairs.append((flat[i], flat[i + 1])) }
        pairs.sort { $0 < $1 }
        var result: [Int] = []
        var last: (Int, Int)?
        for pair in pairs where last == nil || last! != pair {
            result.append(pair.0)
            result.append(pair.1)
            last = pair
        }
        return result
    }

    private func nextHops(_ pairs: [Int], ipv4: Bool) -> [NextHop] {
        stride(from: 0, to: pairs.count, by: 2).compactMap { i in
            let gateway = members[pairs[i]], via = members[pairs[i + 1]]
            guard let address = ipv4 ? gateway.ipv4?.address : gateway.ipv6?.address else { return nil }
            return NextHop(address: address, interface: via.interface)
        }
    }
}
