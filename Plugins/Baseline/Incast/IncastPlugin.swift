import Foundation
import NetLoomModel
import NetLoomPluginAPI
import Synchronization

/// `incast`: many senders answer one receiver at once, the partition/aggregate pattern
/// of the TCP incast studies (and of a parameter server or a gradient gather). Every
/// sender keeps one TCP connection to the receiver. Each round the receiver sends a
/// small request on every connection at once, every sender answers with `size` bytes,
/// and the round completes when the receiver has read all of them. Reports each
/// round's completion time (histogram and series) and the goodput.
public struct IncastPlugin: TrafficPlugin {
    public static let name = "incast"
    public static let summary = "Many senders answer one receiver at once, in rounds: completion time of each round, goodput."
    public static let parameters = [
        ParameterSpec("size", .size, default: "1MB", help: "bytes each sender sends per round"),
        ParameterSpec("rounds", .integer(1...10_000_000), default: "10", help: "rounds (the workload's duration, if reached first, ends them)"),
        ParameterSpec("receiver", .string, optional: true, help: "the receiving node (default: the first node)"),
        ParameterSpec("gap", .duration, default: "0s", help: "pause between the end of a round and the next request"),
    ]

    let size: Int
    let rounds: Int
    let receiverName: String
    let gap: Duration

    public init(parameters: PluginParameters) throws(LabError) {
        try parameters.requireNodes(atLeast: 2)
        let size = parameters.size("size").bytes
        if size == 0 || size > 1 << 30 { throw parameters.error("size must be 1B to 1GiB", for: "size") }
        self.size = Int(size)
        rounds = parameters.int("rounds")
        gap = parameters.duration("gap")
        receiverName = parameters.optionalString("receiver") ?? parameters.nodes[0]
        if !parameters.nodes.contains(receiverName) {
            throw parameters.error("\"\(receiverName)\" is not one of the workload's nodes", for: "receiver",
                                   allowed: parameters.nodes.joined(separator: ", "))
        }
    }

    public func run(in context: PluginContext) async throws {
        try await cancellable { try await gather(in: context) }
    }

    func gather(in context: PluginContext) async throws {
        guard let receiver = context.node(receiverName) else { return }
        let senders = context.nodes.filter { $0.name != receiverName }
        let port = context.port()
        let listener = try context.socket(.tcp, on: receiver.name)
        try listener.bind(port: port)
        try listener.listen()
        // A sender that cannot connect makes accept fail instead of waiting forever.
        listener.setReceiveTimeout(.seconds(10))
        let retransmits = SharedCount()

        // Senders connect and wait for requests; the receiver accepts them all, then runs the rounds.
        let answering = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for sender in senders {
                    group.addTask {
                        let socket = try context.socket(.tcp, on: sender.name)
                        try await context.blocking("incast-send") {
                            try self.answer(on: socket, to: receiver.address, port: port, retransmits: retransmits)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        do {
            let connections = try await context.blocking("incast-accept") {
                try (0..<senders.count).map { _ in try listener.accept() }
            }
            for connection in connections { context.track(connection) }
            let completed = try await context.blocking("incast-receive") {
                try self.collect(from: connections, context: context)
            }
            try await answering.value
            listener.shutdownBoth()
            report(context: context, rounds: completed, senders: senders.count, receiver: receiver,
                   retransmits: retransmits.value)
        } catch {
            // Release every thread still waiting in one of this workload's sockets.
            context.shutdownSockets()
            answering.cancel()
            throw error
        }
    }

    /// A sender: answers each 8-byte request with `size` bytes until the receiver closes.
    func answer(on socket: PluginSocket, to address: String, port: UInt16, retransmits: SharedCount) throws {
        try socket.connect(to: address, port: port)
        // The answer goes out in writes of at most 1 MiB from one buffer.
        let chunk = min(size, 1 << 20)
        let data = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 64)
        defer { data.deallocate() }
        data.initializeMemory(as: UInt8.self, repeating: 0x49)
        var request: UInt64 = 0
        while try withUnsafeMutableBytes(of: &request, { try socket.receiveExactly(into: $0) }) {
            var left = size
            while left > 0 {
                let count = min(left, chunk)
                try socket.sendAll(UnsafeRawBufferPointer(rebasing: data[..<count]))
                left -= count
            }
        }
        if let info = socket.tcpInfo() { retransmits.add(Int(info.retransmits)) }
        socket.shutdownWrite()
    }

    /// The receiver: runs the rounds on one thread, reading every connection as data
    /// arrives (poll), and returns the completion time of each round.
    func collect(from connections: [PluginSocket], context: PluginContext) throws -> [Duration] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 64)
        defer { buffer.deallocate() }
        var times: [Duration] = []
        defer {
            // Senders read end of file and return.
            for connection in connections { connection.shutdownWrite() }
        }
        for round in 0..<rounds {
            if let deadline = context.deadline, ContinuousClock.now >= deadline { break }
            if round > 0 && gap > .zero { Thread.sleep(forTimeInterval: seconds(gap)) }
            var remaining = [Int](repeating: size, count: connections.count)
            var pending = connections.count
            let start = ContinuousClock.now
            var request = UInt64(round).bigEndian
            for connection in connections {
                try withUnsafeBytes(of: &request) { try connection.sendAll($0) }
            }
            while pending > 0 {
                // Poll only the connections that still owe bytes this round.
                let waiting = connections.indices.filter { remaining[$0] > 0 }
                var descriptors = waiting.map { pollfd(fd: connections[$0].descriptor, events: Int16(POLLIN), revents: 0) }
                let ready = poll(&descriptors, nfds_t(descriptors.count), 1_000)
                if ready < 0 && errno != EINTR { throw SocketError(operation: "poll", code: errno) }
                for (slot, i) in waiting.enumerated() where descriptors[slot].revents != 0 {
                    let want = min(buffer.count, remaining[i])
                    let count = recv(descriptors[slot].fd, buffer.baseAddress, want, Int32(MSG_DONTWAIT))
                    if count < 0 {
                        if errno == EAGAIN || errno == EINTR { continue }
                        throw SocketError(operation: "recv on connection \(i + 1)", code: errno)
                    }
                    if count == 0 { throw SocketError(operation: "a sender (connection \(i + 1)) closed mid-round", code: ECONNRESET) }
                    remaining[i] -= count
                    if remaining[i] == 0 { pending -= 1 }
                }
            }
            let time = ContinuousClock.now - start
            times.append(time)
            context.metrics.record("completion", microseconds(time), unit: "us")
            context.metrics.sample("completion", seconds(time) * 1e3, unit: "ms")
            context.metrics.progress("completion", seconds(time) * 1e3, unit: "ms")
        }
        return times
    }

    func report(context: PluginContext, rounds: [Duration], senders: Int, receiver: PluginNode, retransmits: Int) {
        let roundBytes = Double(size) * Double(senders)
        let total = rounds.reduce(Duration.zero, +)
        context.metrics.add("bytes", Int64(roundBytes) * Int64(rounds.count))
        context.metrics.result("rounds", Double(rounds.count), unit: "rounds")
        context.metrics.result("senders", Double(senders), unit: "nodes")
        context.metrics.result("retransmits", Double(retransmits), unit: "segments", headline: true)
        guard !rounds.isEmpty, let histogram = context.metrics.snapshot().histograms["completion"] else { return }
        context.metrics.result("goodput", roundBytes * Double(rounds.count) * 8 / 1e6 / seconds(total), unit: "Mbit/s", headline: true)
        context.metrics.result("completion mean", seconds(total) / Double(rounds.count) * 1e3, unit: "ms")
        context.metrics.result("completion p50", histogram.percentile(50) / 1e3, unit: "ms", headline: true)
        context.metrics.result("completion p99", histogram.percentile(99) / 1e3, unit: "ms", headline: true)
        context.metrics.result("completion max", histogram.max / 1e3, unit: "ms")
        // The round at line rate: every byte through the receiver's slowest incoming link.
        if let rate = Self.incomingRate(of: receiver.name, links: context.links) {
            context.metrics.result("ideal completion", roundBytes * 8 / Double(rate.bitsPerSecond) * 1e3, unit: "ms")
        }
    }

    /// The lowest rate of the links into `node`, if any is limited.
    static func incomingRate(of node: String, links: [PluginLink]) -> Bitrate? {
        links.compactMap { link -> Bitrate? in
            if link.a == node { return link.bToA.rate }
            if link.b == node { return link.aToB.rate }
            return nil
        }.min()
    }
}
