// Plugins/Training / Collectives: each algorithm as a schedule of transfers.
//
// Ring-type algorithms, whose every step uses the same connection, are listed step by step with the
// pieces inside each step, so piece k of step t+1 goes as soon as piece k of step t has arrived
// (NCCL's pipelining of slices through a ring). Tree and recursive algorithms, whose steps use
// different connections, are listed piece by piece; their pieces pipeline through the tree.

/// What a collective is asked to do.
public struct CollectiveRequest: Sendable, Hashable {
    public var operation: CollectiveOperation
    public var algorithm: CollectiveAlgorithm
    public var ranks: Int
    /// Elements of the nccl-tests size S (for all-to-allv: the mean per rank).
    public var elements: Int
    public var dataType: DataType
    public var channels: Int
    public var chunkBytes: Int
    /// Broadcast and reduce.
    public var root: Int

    public init(operation: CollectiveOperation, algorithm: CollectiveAlgorithm? = nil, ranks: Int, elements: Int,
                dataType: DataType = .float32, channels: Int = 1, chunkBytes: Int = 512 * 1024, root: Int = 0) {
        self.operation = operation
        self.algorithm = algorithm ?? operation.algorithms[0]
        self.ranks = ranks
        self.elements = elements
        self.dataType = dataType
        self.channels = max(1, channels)
        self.chunkBytes = max(dataType.size, chunkBytes)
        self.root = root
    }

    public var bytes: Int { elements * dataType.size }

    /// all-to-allv: elements rank i sends to rank j (uneven: weights 1 to 3, each row summing to about
    /// `elements`).
    public func allToAllvCount(from i: Int, to j: Int) -> Int {
        let weights = (0..<ranks).map { 1 + (i + 2 * $0) % 3 }
        let total = weights.reduce(0, +)
        let start = elements * weights[..<j].reduce(0, +) / total
        return elements * (weights[..<j].reduce(0, +) + weights[j]) / total - start
    }
}

public enum CollectiveSchedules {
    /// The schedule of a request.
    public static func make(_ request: CollectiveRequest) -> Schedule {
        let p = request.ranks
        let size = request.dataType.size
        let layout = { (blocks: Int) in
            BlockLayout(elements: request.elements, blocks: blocks, channels: request.channels, elementSize: size,
                        chunkBytes: request.chunkBytes)
        }
        let layouts: [[BlockLayout]]
        switch (request.operation, request.algorithm) {
        case (.allReduce, .doubleBinaryTree): layouts = Array(repeating: [layout(2)], count: p)
        case (.allReduce, _), (.allGather, _), (.reduceScatter, _): layouts = Array(repeating: [layout(p)], count: p)
        case (.broadcast, _), (.reduce, _): layouts = Array(repeating: [layout(1)], count: p)
        case (.allToAll, _): layouts = Array(repeating: [layout(p), layout(p)], count: p)
        case (.allToAllv, _):
            // Every rank's units must line up with its peers': one piece count for all.
            let sends = (0..<p).map { r in (0..<p).map { request.allToAllvCount(from: r, to: $0) } }
            let pieces = sends.map {
                BlockLayout.pieces(blockCounts: $0, channels: request.channels, elementSize: size, chunkBytes: request.chunkBytes)
            }.max() ?? 1
            layouts = (0..<p).map { r in
                [BlockLayout(blockCounts: sends[r], channels: request.channels, elementSize: size,
                             chunkBytes: request.chunkBytes, pieces: pieces),
                 BlockLayout(blockCounts: (0..<p).map { sends[$0][r] }, channels: request.channels, elementSize: size,
                             chunkBytes: request.chunkBytes, pieces: pieces)]
            }
        case (.sendRecv, _): layouts = Array(repeating: [layout(1), layout(1)], count: p)
        }
        var b = ScheduleBuilder(ranks: p, channels: request.channels, elementSize: size, layouts: layouts)
        guard p > 1 else { return b.build() }
        for c in 0..<request.channels {
            switch (request.operation, request.algorithm) {
            case (.allReduce, .ring): ringAllReduce(&b, c)
            case (.allReduce, .doubleBinaryTree): treeAllReduce(&b, c)
            case (.allReduce, _): recursive(&b, c, reduceScatter: true, allGather: true)
            case (.reduceScatter, .ring): ringReduceScatter(&b, c)
            case (.reduceScatter, _): recursive(&b, c, reduceScatter: true, allGather: false)
            case (.allGather, .ring): ringAllGather(&b, c)
            case (.allGather, _): recursive(&b, c, reduceScatter: false, allGather: true)
            case (.broadcast, .binomial): binomialBroadcast(&b, c, root: request.root)
            case (.broadcast, _): chainBroadcast(&b, c, root: request.root)
            case (.reduce, .binomial): binomialReduce(&b, c, root: request.root)
            case (.reduce, _): chainReduce(&b, c, root: request.root)
            case (.allToAll, let algorithm), (.allToAllv, let algorithm): allToAll(&b, c, pairwise: algorithm == .pairwise)
            case (.sendRecv, _): sendRecv(&b, c)
            }
        }
        return b.build()
    }

    static func mod(_ a: Int, _ n: Int) -> Int { ((a % n) + n) % n }

    // MARK: ring

    /// Reduce-scatter (rank r ends with block r+1 complete), then all-gather of those blocks.
    static func ringAllReduce(_ b: inout ScheduleBuilder, _ c: Int) {
        let p = b.ranks, pieces = b.layout(0).pieces
        for t in 0..<(p - 1) {
            for k in 0..<pieces {
                for r in 0..<p {
                    b.transfer(from: r, to: (r + 1) % p, channel: c, units: b.units(r, blocks: [mod(r - t, p)], channel: c, piece: k), reduce: true)
                }
            }
        }
        for t in 0..<(p - 1) {
            for k in 0..<pieces {
                for r in 0..<p {
                    b.transfer(from: r, to: (r + 1) % p, channel: c, units: b.units(r, blocks: [mod(r + 1 - t, p)], channel: c, piece: k), reduce: false)
                }
            }
        }
    }

    /// Step t: rank r sends block r-t-1 and adds block r-t-2 from its left; it ends with block r.
    static func ringReduceScatter(_ b: inout ScheduleBuilder, _ c: Int) {
        let p = b.ranks, pieces = b.layout(0).pieces
        for t in 0..<(p - 1) {
            for k in 0..<pieces {
                for r in 0..<p {
                    b.transfer(from: r, to: (r + 1) % p, channel: c, units: b.units(r, blocks: [mod(r - t - 1, p)], channel: c, piece: k), reduce: true)
                }
            }
        }
    }

    /// Step t: rank r forwards block r-t to its right.
    static func ringAllGather(_ b: inout ScheduleBuilder, _ c: Int) {
        let p = b.ranks, pieces = b.layout(0).pieces
        for t in 0..<(p - 1) {
            for k in 0..<pieces {
                for r in 0..<p {
                    b.transfer(from: r, to: (r + 1) % p, channel: c, units: b.units(r, blocks: [mod(r - t, p)], channel: c, piece: k), reduce: false)
                }
            }
        }
    }

    // MARK: recursive halving and doubling

    /// Recursive halving (reduce-scatter) and/or recursive doubling (all-gather) among the largest
    /// power of two p' <= p. Rank p'+e (e < p-p') first folds into rank e and gets its result back at
    /// the end; virtual rank v owns block v, and block p'+v when it has such a partner.
    static func recursive(_ b: inout ScheduleBuilder, _ c: Int, reduceScatter: Bool, allGather: Bool) {
        let p = b.ranks, pieces = b.layout(0).pieces
        var power = 1
        while power * 2 <= p { power *= 2 }
        let extra = p - power
        func blocks(_ virtual: Range<Int>) -> [Int] {
            virtual.flatMap { v in v < extra ? [v, power + v] : [v] }
        }
        let all = Array(0..<p)
        for k in 0..<pieces {
            // Fold the extra ranks in.
            for e in 0..<extra {
                // Reductions fold the whole buffer in; an all-gather only the extra rank's block.
                let units = b.units(power + e, blocks: reduceScatter ? all : [power + e], channel: c, piece: k)
                b.transfer(from: power + e, to: e, channel: c, units: units, reduce: reduceScatter)
            }
            var owned = (0..<power).map { _ in 0..<power }
            if reduceScatter {
                var mask = power / 2
                while mask >= 1 {
                    var next = owned
                    for v in 0..<power {
                        let partner = v ^ mask, range = owned[v], mid = range.lowerBound + mask
                        let keep = v & mask == 0 ? range.lowerBound..<mid : mid..<range.upperBound
                        let give = v & mask == 0 ? mid..<range.upperBound : range.lowerBound..<mid
                        b.transfer(from: v, to: partner, channel: c, units: b.units(v, blocks: blocks(give), channel: c, piece: k), reduce: true)
                        next[v] = keep
                    }
                    owned = next
                    mask /= 2
                }
            } else {
                owned = (0..<power).map { $0..<($0 + 1) }
            }
            if allGather {
                var mask = 1
                while mask < power {
                    var next = owned
                    for v in 0..<power {
                        let partner = v ^ mask
                        b.transfer(from: v, to: partner, channel: c, units: b.units(v, blocks: blocks(owned[v]), channel: c, piece: k), reduce: false)
                        next[v] = min(owned[v].lowerBound, owned[partner].lowerBound)..<max(owned[v].upperBound, owned[partner].upperBound)
                    }
                    owned = next
                    mask *= 2
                }
            }
            // Unfold: the extra ranks get their result.
            for e in 0..<extra {
                let result = allGather ? all.filter { reduceScatter || $0 != power + e } : [power + e]
                b.transfer(from: e, to: power + e, channel: c, units: b.units(e, blocks: result, channel: c, piece: k), reduce: false)
            }
        }
    }

    // MARK: double binary tree

    /// NCCL's binary tree (ncclGetBtree): rank 0 is the root; a rank's parent clears its lowest set
    /// bit and sets the next one up (or only clears it when that is out of range).
    public static func binaryTreeParent(_ rank: Int, ranks p: Int) -> Int? {
        guard rank > 0 else { return nil }
        let bit = rank & -rank
        let up = (rank ^ bit) | (bit << 1)
        return up < p ? up : rank ^ bit
    }

    /// The two trees: the second is the first shifted by one (odd p) or mirrored (even p), so that
    /// most ranks are a leaf in one tree and inner in the other.
    public static func doubleTreeParent(_ rank: Int, tree: Int, ranks p: Int) -> Int? {
        if tree == 0 { return binaryTreeParent(rank, ranks: p) }
        if p % 2 == 1 { return binaryTreeParent(mod(rank - 1, p), ranks: p).map { ($0 + 1) % p } }
        return binaryTreeParent(p - 1 - rank, ranks: p).map { p - 1 - $0 }
    }

    static func treeAllReduce(_ b: inout ScheduleBuilder, _ c: Int) {
        let p = b.ranks, pieces = b.layout(0).pieces
        var orders: [[(rank: Int, parent: Int)]] = []
        for tree in 0..<2 {
            let depth = { (r: Int) -> Int in
                var d = 0, x = r
                while let up = doubleTreeParent(x, tree: tree, ranks: p) { d += 1; x = up }
                return d
            }
            orders.append((0..<p).compactMap { r in doubleTreeParent(r, tree: tree, ranks: p).map { (r, $0) } }
                .sorted { depth($0.rank) > depth($1.rank) || depth($0.rank) == depth($1.rank) && $0.rank < $1.rank })
        }
        for k in 0..<pieces {
            for tree in 0..<2 {
                for (r, parent) in orders[tree] {
                    b.transfer(from: r, to: parent, channel: c, units: b.units(r, blocks: [tree], channel: c, piece: k), reduce: true)
                }
            }
            for tree in 0..<2 {
                for (r, parent) in orders[tree].reversed() {
                    b.transfer(from: parent, to: r, channel: c, units: b.units(parent, blocks: [tree], channel: c, piece: k), reduce: false)
                }
            }
        }
    }

    // MARK: broadcast and reduce

    static func binomialBroadcast(_ b: inout ScheduleBuilder, _ c: Int, root: Int) {
        let p = b.ranks
        for k in 0..<b.layout(0).pieces {
            var mask = 1
            while mask < p {
                for v in 0..<mask where v + mask < p {
                    let from = (v + root) % p
                    b.transfer(from: from, to: (v + mask + root) % p, channel: c, units: b.units(from, blocks: [0], channel: c, piece: k), reduce: false)
                }
                mask *= 2
            }
        }
    }

    static func binomialReduce(_ b: inout ScheduleBuilder, _ c: Int, root: Int) {
        let p = b.ranks
        for k in 0..<b.layout(0).pieces {
            var mask = 1
            while mask < p {
                for v in stride(from: mask, to: p, by: 2 * mask) {
                    let from = (v + root) % p
                    b.transfer(from: from, to: (v - mask + root) % p, channel: c, units: b.units(from, blocks: [0], channel: c, piece: k), reduce: true)
                }
                mask *= 2
            }
        }
    }

    static func chainBroadcast(_ b: inout ScheduleBuilder, _ c: Int, root: Int) {
        let p = b.ranks
        for k in 0..<b.layout(0).pieces {
            for v in 0..<(p - 1) {
                let from = (v + root) % p
                b.transfer(from: from, to: (v + 1 + root) % p, channel: c, units: b.units(from, blocks: [0], channel: c, piece: k), reduce: false)
            }
        }
    }

    static func chainReduce(_ b: inout ScheduleBuilder, _ c: Int, root: Int) {
        let p = b.ranks
        for k in 0..<b.layout(0).pieces {
            for v in stride(from: p - 1, to: 0, by: -1) {
                let from = (v + root) % p
                b.transfer(from: from, to: (v - 1 + root) % p, channel: c, units: b.units(from, blocks: [0], channel: c, piece: k), reduce: true)
            }
        }
    }

    // MARK: all-to-all and send/recv

    /// Rank r's input block j goes to rank j's output block r (its own block is copied locally before
    /// the operation). Pairwise: step t sends to r+t and receives from r-t, and waits for step t-1's
    /// receive before sending.
    static func allToAll(_ b: inout ScheduleBuilder, _ c: Int, pairwise: Bool) {
        let p = b.ranks, pieces = b.layout(0, 0).pieces
        for t in 1..<p {
            for k in 0..<pieces {
                for r in 0..<p {
                    let to = (r + t) % p
                    b.transfer(from: r, to: to, channel: c, units: b.units(r, buffer: 0, blocks: [to], channel: c, piece: k),
                               into: b.units(to, buffer: 1, blocks: [r], channel: c, piece: k), reduce: false,
                               after: pairwise && t > 1 ? [b.token(c, step: t - 1)] : [], marks: pairwise ? [b.token(c, step: t)] : [])
                }
            }
        }
    }

    static func sendRecv(_ b: inout ScheduleBuilder, _ c: Int) {
        let p = b.ranks
        for k in 0..<b.layout(0).pieces {
            for r in 0..<p {
                let to = (r + 1) % p
                b.transfer(from: r, to: to, channel: c, units: b.units(r, buffer: 0, blocks: [0], channel: c, piece: k),
                           into: b.units(to, buffer: 1, blocks: [0], channel: c, piece: k), reduce: false)
            }
        }
    }
}
