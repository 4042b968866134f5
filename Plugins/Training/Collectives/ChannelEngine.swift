// Plugins/Training / Collectives: what one rank does on one channel: its ops of a schedule, over
// its non-blocking TCP sockets, with poll. Sends of 64 KiB or more are split across the sockets to
// a peer (as NCCL's socket transport splits requests); smaller ones take turns.

import Glibc
import NetLoomPluginAPI
import Synchronization

/// An error of the data path.
public struct CollectiveError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Raw buffer addresses: each engine is the only user of its rank's buffers while it runs.
struct ChannelEngine: @unchecked Sendable {
    let rank: Int
    let channel: Int
    let schedule: Schedule
    /// Base addresses of the rank's buffers (0 working/input, 1 output).
    let buffers: [UnsafeMutableRawPointer]
    let dataType: DataType
    /// Add on reduce (the collective plugin); false only moves the bytes (training, traces).
    let arithmetic: Bool
    /// peer -> its sockets on this channel.
    let sockets: [Int: [Int32]]
    let stop: StopFlag

    static let splitThreshold = 64 * 1024

    private struct Part { var op: Int; var start: Int; var end: Int }

    private final class Connection {
        let fd: Int32
        var sends: [Part] = []
        var sendHead = 0, sendOffset = 0
        var receives: [Part] = []
        var receiveHead = 0, receiveOffset = 0
        init(fd: Int32) { self.fd = fd }
    }

    func run() throws {
        let ops = schedule.ops[rank][channel]
        let count = ops.count
        guard count > 0 else { return }
        var connections: [Connection] = []
        var connectionOf: [Int32: Int] = [:]
        func connection(_ fd: Int32) -> Connection {
            if let index = connectionOf[fd] { return connections[index] }
            connectionOf[fd] = connections.count
            connections.append(Connection(fd: fd))
            return connections.last!
        }
        var remaining = [Int](repeating: 0, count: count)
        var dependents = [[Int]](repeating: [], count: count)
        var partsLeft = [Int](repeating: 0, count: count)
        for (index, op) in ops.enumerated() {
            remaining[index] = op.dependencies.count
            for dependency in op.dependencies { dependents[dependency].append(index) }
            guard op.bytes > 0 else { continue }
            guard let peerSockets = sockets[op.peer], !peerSockets.isEmpty else {
                throw CollectiveError("rank \(rank) has no connection to rank \(op.peer) on channel \(channel)")
            }
            let n = peerSockets.count
            if op.bytes >= Self.splitThreshold && n > 1 {
                for s in 0..<n {
                    let part = Part(op: index, start: op.bytes * s / n, end: op.bytes * (s + 1) / n)
                    if op.kind == .send { connection(peerSockets[s]).sends.append(part) } else { connection(peerSockets[s]).receives.append(part) }
                }
                partsLeft[index] = n
            } else {
                let part = Part(op: index, start: 0, end: op.bytes)
                let fd = peerSockets[op.sequence % n]
                if op.kind == .send { connection(fd).sends.append(part) } else { connection(fd).receives.append(part) }
                partsLeft[index] = 1
            }
        }

        var staging = [UnsafeMutableRawPointer?](repeating: nil, count: count)
        var sendFrom = [UnsafeRawPointer?](repeating: nil, count: count)
        var ownsStaging = [Bool](repeating: false, count: count)
        var done = [Bool](repeating: false, count: count)
        var doneCount = 0
        defer {
            for (index, pointer) in staging.enumerated() where pointer != nil && ownsStaging[index] { pointer!.deallocate() }
        }
        let size = dataType.size
        func address(_ unit: BufferUnit) -> (UnsafeMutableRawPointer, Int) {
            let (start, elements) = schedule.range(of: unit, rank: rank)
            return (buffers[unit.buffer] + start * size, elements)
        }

        var ready: [Int] = []
        // An op whose dependencies are done: a send gets its bytes in one place, a receive that has
        // all its bytes is applied.
        func activate(_ index: Int) {
            let op = ops[index]
            if op.kind == .send {
                let units = op.units.filter { schedule.bytes(of: $0, rank: rank) > 0 }
                if units.count == 1 {
                    sendFrom[index] = UnsafeRawPointer(address(units[0]).0)
                } else if op.bytes > 0 {
                    let gather = UnsafeMutableRawPointer.allocate(byteCount: op.bytes, alignment: 64)
                    var offset = 0
                    for unit in units {
                        let (pointer, elements) = address(unit)
                        (gather + offset).copyMemory(from: pointer, byteCount: elements * size)
                        offset += elements * size
                    }
                    staging[index] = gather
                    ownsStaging[index] = true
                    sendFrom[index] = UnsafeRawPointer(gather)
                }
                if partsLeft[index] == 0 { ready.append(index) }
            } else if partsLeft[index] == 0 {
                apply(index)
                ready.append(index)
            }
        }
        func apply(_ index: Int) {
            let op = ops[index]
            guard op.bytes > 0, let source = staging[index] else { return }
            var offset = 0
            for unit in op.units {
                let (pointer, elements) = address(unit)
                guard elements > 0 else { continue }
                if !op.reduce {
                    pointer.copyMemory(from: source + offset, byteCount: elements * size)
                } else if arithmetic {
                    dataType.reduce(into: pointer, from: source + offset, count: elements)
                }
                offset += elements * size
            }
            source.deallocate()
            staging[index] = nil
        }
        func complete(_ first: Int) {
            ready.append(first)
            while let index = ready.popLast() {
                guard !done[index] else { continue }
                done[index] = true
                doneCount += 1
                if let pointer = staging[index], ops[index].kind == .send {
                    pointer.deallocate()
                    staging[index] = nil
                }
                for dependent in dependents[index] {
                    remaining[dependent] -= 1
                    if remaining[dependent] == 0 { activate(dependent) }
                }
            }
        }
        for index in 0..<count where remaining[index] == 0 { activate(index) }
        let initial = ready
        ready = []
        for index in initial { complete(index) }

        var pollSet: [pollfd] = []
        while doneCount < count {
            var progressed = false
            for connection in connections {
                // Send what is ready, in order.
                while connection.sendHead < connection.sends.count {
                    let part = connection.sends[connection.sendHead]
                    guard remaining[part.op] == 0, let base = sendFrom[part.op] else { break }
                    let length = part.end - part.start - connection.sendOffset
                    let sent = Glibc.send(connection.fd, base + part.start + connection.sendOffset, length, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
                    if sent < 0 {
                        if errno == EINTR { continue }
                        if errno == EAGAIN || errno == EWOULDBLOCK { break }
                        throw CollectiveError("rank \(rank) send to rank \(ops[part.op].peer): \(String(cString: strerror(errno)))")
                    }
                    progressed = true
                    connection.sendOffset += sent
                    if connection.sendOffset == part.end - part.start {
                        connection.sendHead += 1
                        connection.sendOffset = 0
                        partsLeft[part.op] -= 1
                        if partsLeft[part.op] == 0 { complete(part.op) }
                    }
                }
                // Receive whatever has come, in order, into staging.
                while connection.receiveHead < connection.receives.count {
                    let part = connection.receives[connection.receiveHead]
                    if staging[part.op] == nil {
                        staging[part.op] = UnsafeMutableRawPointer.allocate(byteCount: ops[part.op].bytes, alignment: 64)
                        ownsStaging[part.op] = true
                    }
                    let length = part.end - part.start - connection.receiveOffset
                    let got = Glibc.recv(connection.fd, staging[part.op]! + part.start + connection.receiveOffset, length, Int32(MSG_DONTWAIT))
                    if got < 0 {
                        if errno == EINTR { continue }
                        if errno == EAGAIN || errno == EWOULDBLOCK { break }
                        throw CollectiveError("rank \(rank) receive from rank \(ops[part.op].peer): \(String(cString: strerror(errno)))")
                    }
                    if got == 0 { throw CollectiveError("rank \(ops[part.op].peer) closed its connection to rank \(rank)") }
                    progressed = true
                    connection.receiveOffset += got
                    if connection.receiveOffset == part.end - part.start {
                        connection.receiveHead += 1
                        connection.receiveOffset = 0
                        partsLeft[part.op] -= 1
                        if partsLeft[part.op] == 0 && remaining[part.op] == 0 {
                            apply(part.op)
                            complete(part.op)
                        }
                    }
                }
            }
            if progressed { continue }
            if stop.isStopped { throw CollectiveError("stopped") }
            pollSet.removeAll(keepingCapacity: true)
            for connection in connections {
                var events: Int16 = 0
                if connection.sendHead < connection.sends.count, remaining[connection.sends[connection.sendHead].op] == 0 {
                    events |= Int16(POLLOUT)
                }
                if connection.receiveHead < connection.receives.count { events |= Int16(POLLIN) }
                if events != 0 { pollSet.append(pollfd(fd: connection.fd, events: events, revents: 0)) }
            }
            if pollSet.isEmpty {
                throw CollectiveError("rank \(rank) channel \(channel): \(count - doneCount) ops wait on nothing (a schedule bug)")
            }
            let status = poll(&pollSet, nfds_t(pollSet.count), 200)
            if status < 0 && errno != EINTR { throw CollectiveError("poll: \(String(cString: strerror(errno)))") }
            for entry in pollSet where entry.revents & Int16(POLLNVAL) != 0 {
                throw CollectiveError("rank \(rank): a socket was closed under the collective")
            }
        }
    }
}
