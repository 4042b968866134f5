// Lab model / Resolution: the segment graph as flat arrays for the route planner's walks.

/// The segments and members as flat integer arrays (adjacency in compressed rows), so the walks, one per
/// destination segment and thousands of them in a 1024-host fabric, touch no strings, dictionaries,
/// nested arrays or reference counts.
struct FlatGraph {
    var memberNode: [Int] = []
    var memberSegment: [Int] = []
    var memberUp: [Int64] = []
    var memberDown: [Int64] = []
    /// Slot of the member's switch in its segment's switch-delay matrix; -1 on a point-to-point segment.
    var memberSwitchSlot: [Int] = []
    /// Members of segment s: segmentList[segmentStart[s] ..< segmentStart[s + 1]].
    var segmentStart: [Int] = [0]
    var segmentList: [Int] = []
    /// Members (interfaces) of node n: attachList[attachStart[n] ..< attachStart[n + 1]].
    var attachStart: [Int] = []
    var attachList: [Int] = []
    var switchCount: [Int] = []
    var switchDelayStart: [Int] = []
    var switchDelay: [Int64] = []
    var isRouter: [Bool] = []
    var isLayer3: [Bool] = []

    /// One-way delay (ns) from member `x` to member `y` of the same segment.
    @inline(__always)
    func delay(from x: Int, to y: Int) -> Int64 {
        let sx = memberSwitchSlot[x]
        if sx < 0 { return memberUp[x] }
        let sy = memberSwitchSlot[y]
        var between: Int64 = 0
        if sx != sy {
            let s = memberSegment[x]
            between = switchDelay[switchDelayStart[s] + sx * switchCount[s] + sy]
        }
        return memberUp[x] + between + memberDown[y]
    }
}

extension LabBuilder {
    func flatGraph() -> FlatGraph {
        var g = FlatGraph()
        g.memberNode = members.map(\.node)
        g.memberSegment = members.map(\.segment)
        g.memberUp = members.map(\.up)
        g.memberDown = members.map(\.down)
        g.memberSwitchSlot = members.map { member in
            guard let sw = member.switchNode else { return -1 }
            return segments[member.segment].switchSlot[sw] ?? 0
        }
        for segment in segments {
            g.segmentList += segment.members
            g.segmentStart.append(g.segmentList.count)
            g.switchCount.append(segment.switchSlot.count)
            g.switchDelayStart.append(g.switchDelay.count)
            g.switchDelay += segment.switchDelay
        }
        var counts = [Int](repeating: 0, count: nodes.count + 1)
        for node in g.memberNode { counts[node + 1] += 1 }
        for i in 0..<nodes.count { counts[i + 1] += counts[i] }
        g.attachStart = counts
        g.attachList = [Int](repeating: 0, count: members.count)
        var fill = counts
        for (m, node) in g.memberNode.enumerated() {
            g.attachList[fill[node]] = m
            fill[node] += 1
        }
        g.isRouter = nodes.map { $0.kind == .router }
        g.isLayer3 = nodes.map { $0.kind.isLayer3 }
        return g
    }
}
