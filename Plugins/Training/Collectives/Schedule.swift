// Plugins/Training / Collectives: a collective as a schedule of transfers between ranks.
//
// A rank's buffers are cut into units: block (a rank's share, or a tree's half) x channel x piece
// (`chunk` bytes). A transfer moves a list of units from one rank to another, where they are copied
// or added. Each transfer becomes a send op on its source and a receive op on its destination; the
// ops of a rank depend on earlier ops that touch the same units (read after write, write after read
// or write), so what can overlap does (pieces pipeline) and nothing races. Transfers are listed in
// one global order that is a valid sequential execution; every connection carries its transfers in
// that order, which both ends know, so no headers are needed and nothing can deadlock.

/// A unit of a rank's buffer: `buffer` 0 is the working (or input) buffer, 1 the output buffer
/// (all-to-all, send/recv), 2 a zero-length token that orders steps (pairwise all-to-all).
public struct BufferUnit: Hashable, Sendable {
    public var buffer: Int
    public var index: Int
}

/// Element ranges of the units of one buffer: blocks of given element counts, each split into
/// `channels` parts and each part into `pieces` pieces (some may be empty).
public struct BlockLayout: Sendable {
    public let blockCounts: [Int]
    public let channels: Int
    public let pieces: Int
    /// Per unit: first element and count.
    public let starts: [Int]
    public let counts: [Int]

    /// `pieces`: force this many pieces per part (layouts whose units must line up across ranks).
    public init(blockCounts: [Int], channels: Int, elementSize: Int, chunkBytes: Int, pieces forced: Int? = nil) {
        self.blockCounts = blockCounts
        self.channels = channels
        let pieces = forced ?? Self.pieces(blockCounts: blockCounts, channels: channels, elementSize: elementSize, chunkBytes: chunkBytes)
        self.pieces = pieces
        var starts: [Int] = [], counts: [Int] = []
        starts.reserveCapacity(blockCounts.count * channels * pieces)
        var blockStart = 0
        for count in blockCounts {
            for c in 0..<channels {
                let partStart = count * c / channels, partEnd = count * (c + 1) / channels
                let part = partEnd - partStart
                for k in 0..<pieces {
                    let s = part * k / pieces, e = part * (k + 1) / pieces
                    starts.append(blockStart + partStart + s)
                    counts.append(e - s)
                }
            }
            blockStart += count
        }
        self.starts = starts
        self.counts = counts
    }

    /// `count` elements in `blocks` equal-ish blocks.
    public init(elements: Int, blocks: Int, channels: Int, elementSize: Int, chunkBytes: Int) {
        self.init(blockCounts: (0..<blocks).map { elements * ($0 + 1) / blocks - elements * $0 / blocks },
                  channels: channels, elementSize: elementSize, chunkBytes: chunkBytes)
    }

    /// Pieces per part so that no piece exceeds `chunkBytes`.
    public static func pieces(blockCounts: [Int], channels: Int, elementSize: Int, chunkBytes: Int) -> Int {
        let largestPart = blockCounts.map { ($0 + channels - 1) / channels }.max() ?? 0
        return max(1, (largestPart * elementSize + chunkBytes - 1) / max(chunkBytes, 1))
    }

    public var elements: Int { blockCounts.reduce(0, +) }
    public func index(block: Int, channel: Int, piece: Int) -> Int { (block * channels + channel) * pieces + piece }
    public func blockStart(_ block: Int) -> Int { blockCounts[..<block].reduce(0, +) }
}

/// A transfer of units from one rank to another.
public struct Transfer: Sendable {
    public var source: Int
    public var destination: Int
    public var channel: Int
    public var sourceUnits: [BufferUnit]
    public var destinationUnits: [BufferUnit]
    /// Add into the destination (else copy).
    public var reduce: Bool
    public var bytes: Int
    /// The op index of its send on (source, channel) and its receive on (destination, channel).
    public var sendOp: Int
    public var receiveOp: Int
}

/// One side of a transfer, as a rank's engine runs it.
public struct ScheduleOp: Sendable {
    public enum Kind: Sendable { case send, receive }
    public var kind: Kind
    public var transfer: Int
    public var peer: Int
    public var units: [BufferUnit]
    public var reduce: Bool
    public var bytes: Int
    /// Earlier ops of the same rank and channel that must complete first.
    public var dependencies: [Int]
    /// Position among the ops of the same kind between the same two ranks on this channel (both ends
    /// count alike), which picks the socket of a small op.
    public var sequence: Int
}

/// A complete collective: the transfers in global order and each rank's ops per channel.
public struct Schedule: Sendable {
    public let ranks: Int
    public let channels: Int
    public let elementSize: Int
    /// layouts[rank][buffer]
    public let layouts: [[BlockLayout]]
    public let transfers: [Transfer]
    /// ops[rank][channel]
    public let ops: [[[ScheduleOp]]]

    public func bytes(of unit: BufferUnit, rank: Int) -> Int {
        unit.buffer >= layouts[rank].count ? 0 : layouts[rank][unit.buffer].counts[unit.index] * elementSize
    }

    /// Element range of a unit.
    public func range(of unit: BufferUnit, rank: Int) -> (start: Int, count: Int) {
        unit.buffer >= layouts[rank].count ? (0, 0)
            : (layouts[rank][unit.buffer].starts[unit.index], layouts[rank][unit.buffer].counts[unit.index])
    }

    /// Bytes each rank sends in total (for the busiest-rank figures).
    public var bytesSentPerRank: [Int] {
        var sent = [Int](repeating: 0, count: ranks)
        for t in transfers { sent[t.source] += t.bytes }
        return sent
    }
}

/// Collects transfers in a valid sequential order and derives each op's dependencies.
struct ScheduleBuilder {
    let ranks: Int
    let channels: Int
    let elementSize: Int
    let layouts: [[BlockLayout]]
    private(set) var transfers: [Transfer] = []
    private var ops: [[[ScheduleOp]]]
    /// Per rank: unit -> (last writer op, readers since), op indices within the unit's channel.
    private var writers: [[BufferUnit: Int]]
    private var readers: [[BufferUnit: [Int]]]
    private var sequences: [String: Int] = [:]

    init(ranks: Int, channels: Int, elementSize: Int, layouts: [[BlockLayout]]) {
        self.ranks = ranks
        self.channels = channels
        self.elementSize = elementSize
        self.layouts = layouts
        ops = Array(repeating: Array(repeating: [], count: channels), count: ranks)
        writers = Array(repeating: [:], count: ranks)
        readers = Array(repeating: [:], count: ranks)
    }

    func layout(_ rank: Int, _ buffer: Int = 0) -> BlockLayout { layouts[rank][buffer] }

    /// Units of buffer `buffer` for the blocks given, on one channel and piece.
    func units(_ rank: Int, buffer: Int = 0, blocks: some Sequence<Int>, channel: Int, piece: Int) -> [BufferUnit] {
        let layout = layouts[rank][buffer]
        return blocks.map { BufferUnit(buffer: buffer, index: layout.index(block: $0, channel: channel, piece: piece)) }
    }

    /// A zero-length unit that orders steps: receives of a step mark its token, sends of the next
    /// step wait for it.
    func token(_ channel: Int, step: Int) -> BufferUnit { BufferUnit(buffer: 2, index: step * channels + channel) }

    private func bytes(_ units: [BufferUnit], rank: Int) -> Int {
        units.reduce(0) { $0 + ($1.buffer < layouts[rank].count ? layouts[rank][$1.buffer].counts[$1.index] * elementSize : 0) }
    }

    /// Adds a transfer; `after` are extra units the send reads and `marks` extra units the receive
    /// writes (tokens that order steps).
    mutating func transfer(from source: Int, to destination: Int, channel: Int, units sourceUnits: [BufferUnit],
                           into destinationUnits: [BufferUnit]? = nil, reduce: Bool,
                           after: [BufferUnit] = [], marks: [BufferUnit] = []) {
        precondition(source != destination, "a transfer goes to another rank")
        let destinationUnits = destinationUnits ?? sourceUnits
        let bytes = bytes(sourceUnits, rank: source)
        precondition(bytes == self.bytes(destinationUnits, rank: destination), "source and destination sizes differ")
        let index = transfers.count
        let sendKey = "s\(source)>\(destination)c\(channel)", receiveKey = "r\(source)>\(destination)c\(channel)"
        let sendSequence = sequences[sendKey, default: 0], receiveSequence = sequences[receiveKey, default: 0]
        sequences[sendKey] = sendSequence + 1
        sequences[receiveKey] = receiveSequence + 1

        // The send reads its units (and tokens): it waits for their last writers.
        let sendOp = ops[source][channel].count
        var sendDependencies = Set<Int>()
        for unit in sourceUnits + after {
            if let writer = writers[source][unit] { sendDependencies.insert(writer) }
            readers[source][unit, default: []].append(sendOp)
        }
        ops[source][channel].append(ScheduleOp(
            kind: .send, transfer: index, peer: destination, units: sourceUnits, reduce: reduce, bytes: bytes,
            dependencies: sendDependencies.sorted(), sequence: sendSequence))

        // The receive writes its units: it waits for their last writer and every reader since.
        let receiveOp = ops[destination][channel].count
        var receiveDependencies = Set<Int>()
        for unit in destinationUnits + marks {
            if let writer = writers[destination][unit] { receiveDependencies.insert(writer) }
            for reader in readers[destination][unit] ?? [] { receiveDependencies.insert(reader) }
            writers[destination][unit] = receiveOp
            readers[destination][unit] = []
        }
        ops[destination][channel].append(ScheduleOp(
            kind: .receive, transfer: index, peer: source, units: destinationUnits, reduce: reduce, bytes: bytes,
            dependencies: receiveDependencies.sorted(), sequence: receiveSequence))

        transfers.append(Transfer(
            source: source, destination: destination, channel: channel, sourceUnits: sourceUnits,
            destinationUnits: destinationUnits, reduce: reduce, bytes: bytes, sendOp: sendOp, receiveOp: receiveOp))
    }

    func build() -> Schedule {
        Schedule(ranks: ranks, channels: channels, elementSize: elementSize, layouts: layouts, transfers: transfers, ops: ops)
    }
}
