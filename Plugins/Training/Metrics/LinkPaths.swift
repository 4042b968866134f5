// Plugins/Training / Metrics: the path between two ranks through the lab's links, with each hop's
// configured one-way delay and rate in that direction.
//
// Paths are the fewest hops through switches and routers (not through other ranks); where routes tie
// (ECMP) the first path found is used. This is the lab's route for hosts on switches and for the
// example fabrics; a lab whose routes prefer a longer path is approximated.

import NetLoomModel
import NetLoomPluginAPI

/// One direction of one link on a path.
public struct PathHop: Sendable, Hashable {
    public var link: String
    /// Index of the link in the table's link list, times two, plus 1 for the b-to-a direction.
    public var resource: Int
    public var delaySeconds: Double
    /// Layer-2 rate in bit/s; nil: not shaped.
    public var rate: Double?
}

public struct PathTable: Sendable {
    /// TCP payload per layer-2 byte at MTU 1500 (1448 bytes of payload per 1514-byte frame).
    public static let payloadShare = 1448.0 / 1514.0

    public let ranks: [String]
    /// paths[i][j], hops from rank i to rank j (empty when i == j or unreachable).
    public let paths: [[[PathHop]]]
    /// The rate assumed for links without one (an unshaped veth), bit/s.
    public let unshapedRate: Double

    public init(ranks: [String], links: [PluginLink], unshapedRate: Double = 10e9) {
        self.ranks = ranks
        self.unshapedRate = unshapedRate
        var adjacency: [String: [(peer: String, hop: PathHop)]] = [:]
        for (index, link) in links.enumerated() {
            let forward = PathHop(link: link.name, resource: 2 * index, delaySeconds: Self.seconds(link.aToB.delay),
                                  rate: link.aToB.rate.map { Double($0.bitsPerSecond) })
            let backward = PathHop(link: link.name, resource: 2 * index + 1, delaySeconds: Self.seconds(link.bToA.delay),
                                   rate: link.bToA.rate.map { Double($0.bitsPerSecond) })
            adjacency[link.a, default: []].append((link.b, forward))
            adjacency[link.b, default: []].append((link.a, backward))
        }
        let rankSet = Set(ranks)
        paths = ranks.map { source in
            // Breadth-first from the source; other ranks end a path, they do not forward.
            var previous: [String: (from: String, hop: PathHop)] = [:]
            var frontier = [source], seen: Set<String> = [source]
            while !frontier.isEmpty {
                var next: [String] = []
                for node in frontier where node == source || !rankSet.contains(node) {
                    for (peer, hop) in adjacency[node] ?? [] where !seen.contains(peer) {
                        seen.insert(peer)
                        previous[peer] = (node, hop)
                        next.append(peer)
                    }
                }
                frontier = next
            }
            return ranks.map { destination in
                guard destination != source else { return [] }
                var hops: [PathHop] = []
                var node = destination
                while let step = previous[node] {
                    hops.append(step.hop)
                    node = step.from
                }
                return node == source ? hops.reversed() : []
            }
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// One-way delay of the path from rank i to rank j, seconds.
    public func delay(_ i: Int, _ j: Int) -> Double { paths[i][j].reduce(0) { $0 + $1.delaySeconds } }

    /// Payload bytes per second through the hop.
    public func payloadRate(_ hop: PathHop) -> Double { (hop.rate ?? unshapedRate) / 8 * Self.payloadShare }

    /// Seconds per payload byte at the path's bottleneck (beta).
    public func beta(_ i: Int, _ j: Int) -> Double {
        paths[i][j].map { 1 / payloadRate($0) }.max() ?? 1 / (unshapedRate / 8 * Self.payloadShare)
    }

    /// The slowest rate on any path between ranks (bit/s, layer 2): what busbw is held against.
    public var bottleneckRate: Double {
        var slowest = Double.infinity
        for i in ranks.indices {
            for j in ranks.indices where i != j {
                for hop in paths[i][j] { slowest = min(slowest, hop.rate ?? unshapedRate) }
            }
        }
        return slowest.isFinite ? slowest : unshapedRate
    }

    /// The largest one-way delay between any two ranks.
    public var largestDelay: Double {
        var largest = 0.0
        for i in ranks.indices { for j in ranks.indices where i != j { largest = max(largest, delay(i, j)) } }
        return largest
    }
}
