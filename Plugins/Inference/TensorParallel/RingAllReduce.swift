import NetLoomPluginAPI

/// A ring all-reduce between the shards of one tensor-parallel server, over TCP
/// connections made in the shards' namespaces: shard i sends to shard i+1 and receives
/// from shard i-1. `bytes` is split into n chunks; n-1 reduce-scatter steps and n-1
/// all-gather steps each send one chunk to the next shard while receiving one from the
/// previous (2 (n-1)/n x bytes each way per shard, the ring's cost in DESIGN.md). The
/// emulation moves the sizes, not values: nothing is added up.
///
/// The training plugins' collectives were not on `main` when this was written; this is
/// the small ring the serving plugin needs (two all-reduces per layer).
final class RingAllReduce: Sendable {
    let rank: Int
    let size: Int
    let next: SocketSender?
    let previous: PluginSocket?
    private let scratch: ScratchBuffer

    init(rank: Int, size: Int, next: SocketSender?, previous: PluginSocket?) {
        self.rank = rank
        self.size = size
        self.next = next
        self.previous = previous
        scratch = ScratchBuffer(bytes: 1 << 20)
    }

    /// Blocks until this shard's part of the all-reduce of `bytes` is done.
    func allReduce(bytes: Int) throws {
        guard size > 1, let next, let previous else { return }
        let chunk = (bytes + size - 1) / size
        for _ in 0..<(2 * (size - 1)) {
            next.send(SocketSender.Message(header: [], payload: chunk))
            guard try previous.discard(chunk, scratch: scratch.pointer) else {
                throw SocketError(operation: "all-reduce: the previous shard closed its connection", code: ECONNRESET)
            }
        }
    }

    /// Bytes each shard sends per all-reduce of `bytes`.
    static func bytesSent(bytes: Int, shards: Int) -> Int {
        shards > 1 ? 2 * (shards - 1) * ((bytes + shards - 1) / shards) : 0
    }
}

/// A buffer one thread reads into (its owner's).
final class ScratchBuffer: @unchecked Sendable {
    let pointer: UnsafeMutableRawBufferPointer

    init(bytes: Int) { pointer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes, alignment: 64) }

    deinit { pointer.deallocate() }
}

import Glibc
