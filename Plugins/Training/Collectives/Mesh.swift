// Plugins/Training / Collectives: the TCP connections between ranks. Every rank listens on its own
// node; for each group of ranks (a communicator), channel and socket index, the lower rank of each
// pair connects to the higher one and says which connection it is in a 16-byte hello. Sockets are
// opened in their rank's namespace through the plugin context, so the runner samples and stops them.

import Glibc
import NetLoomPluginAPI
import Synchronization

/// A communicator: ranks (workload ranks) that run collectives together.
public struct CommunicatorSpec: Sendable, Hashable {
    public var id: Int
    public var members: [Int]
    public var channels: Int
    public var socketsPerPeer: Int

    public init(id: Int, members: [Int], channels: Int = 1, socketsPerPeer: Int = 1) {
        self.id = id
        self.members = members
        self.channels = channels
        self.socketsPerPeer = socketsPerPeer
    }
}

/// Connected sockets: for a communicator, channel, rank and peer, the sockets.
public final class Mesh: Sendable {
    private struct Key: Hashable { var group: Int; var channel: Int; var rank: Int; var peer: Int; var socket: Int }
    private let table: Mutex<[Key: PluginSocket]>

    private init(table: [Key: PluginSocket]) { self.table = Mutex(table) }

    /// Sockets of `rank` to `peer` (workload ranks) in group `group` on `channel`.
    public func sockets(group: Int, channel: Int, rank: Int, peer: Int, count: Int) -> [PluginSocket] {
        table.withLock { t in (0..<count).compactMap { t[Key(group: group, channel: channel, rank: rank, peer: peer, socket: $0)] } }
    }

    /// The descriptors the engine of `rank` uses on `channel` of `group`, by group-local peer.
    func descriptors(_ spec: CommunicatorSpec, channel: Int, localRank: Int) -> [Int: [Int32]] {
        var result: [Int: [Int32]] = [:]
        let rank = spec.members[localRank]
        for (local, peer) in spec.members.enumerated() where peer != rank {
            result[local] = sockets(group: spec.id, channel: channel, rank: rank, peer: peer, count: spec.socketsPerPeer).map(\.descriptor)
        }
        return result
    }

    /// Connects every pair of every communicator. Port `port` on each rank's node.
    public static func connect(_ specs: [CommunicatorSpec], context: PluginContext, port: UInt16) async throws -> Mesh {
        let nodes = context.nodes
        var outgoing = [[(Key, Int)]](repeating: [], count: nodes.count)
        var expected = [Int](repeating: 0, count: nodes.count)
        for spec in specs {
            for (i, a) in spec.members.enumerated() {
                for b in spec.members[(i + 1)...] {
                    for channel in 0..<spec.channels {
                        for socket in 0..<spec.socketsPerPeer {
                            let (low, high) = (min(a, b), max(a, b))
                            outgoing[low].append((Key(group: spec.id, channel: channel, rank: low, peer: high, socket: socket), high))
                            expected[high] += 1
                        }
                    }
                }
            }
        }
        var listeners: [PluginSocket?] = []
        for (rank, node) in nodes.enumerated() {
            guard expected[rank] > 0 else { listeners.append(nil); continue }
            let listener = try context.socket(.tcp, on: node.name)
            try listener.bind(port: port)
            try listener.listen()
            listeners.append(listener)
        }
        let collected = Collected()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for rank in nodes.indices {
                if let listener = listeners[rank] {
                    let count = expected[rank]
                    group.addTask {
                        try await context.blocking("mesh-accept-\(rank)") {
                            for _ in 0..<count {
                                let socket = try listener.accept()
                                context.track(socket)
                                var hello = [Int32](repeating: 0, count: 4)
                                let complete = try hello.withUnsafeMutableBytes { try socket.receiveExactly(into: $0) }
                                guard complete else { throw CollectiveError("a peer of rank \(rank) hung up during setup") }
                                let key = Key(group: Int(Int32(bigEndian: hello[0])), channel: Int(Int32(bigEndian: hello[1])),
                                              rank: rank, peer: Int(Int32(bigEndian: hello[3])), socket: Int(Int32(bigEndian: hello[2])))
                                Mesh.prepare(socket)
                                collected.table.withLock { $0[key] = socket }
                            }
                        }
                    }
                }
                let connections = outgoing[rank]
                guard !connections.isEmpty else { continue }
                group.addTask {
                    try await context.blocking("mesh-connect-\(rank)") {
                        for (key, peer) in connections {
                            let socket = try context.socket(.tcp, on: nodes[rank].name)
                            try socket.connect(to: nodes[peer].address, port: port, retryFor: .seconds(10))
                            let hello = [Int32(key.group), Int32(key.channel), Int32(key.socket), Int32(rank)].map(\.bigEndian)
                            try hello.withUnsafeBytes { try socket.sendAll($0) }
                            Mesh.prepare(socket)
                            collected.table.withLock { $0[key] = socket }
                        }
                    }
                }
            }
            do {
                while try await group.next() != nil {}
            } catch {
                // A failed connect leaves its peer's accept blocked: shutting the listeners ends it.
                for listener in listeners { listener?.shutdownBoth() }
                throw error
            }
        }
        for listener in listeners { listener?.shutdownBoth() }
        return Mesh(table: collected.table.withLock { $0 })
    }

    /// NCCL's socket settings: no Nagle delay; then non-blocking for the engines' poll loops.
    static func prepare(_ socket: PluginSocket) {
        socket.setNoDelay()
        let flags = fcntl(socket.descriptor, F_GETFL)
        _ = fcntl(socket.descriptor, F_SETFL, flags | O_NONBLOCK)
    }

    private final class Collected: Sendable {
        let table = Mutex<[Key: PluginSocket]>([:])
    }

    /// Every socket, e.g. to shut them down.
    public var all: [PluginSocket] { table.withLock { Array($0.values) } }
}
