import NetLoomPluginAPI

/// A decode node of disaggregated serving: clients stream from it (HTTP/SSE or TCP). It
/// forwards each prompt to a prefill node, waits for the request's whole KV cache, then
/// admits the request to its own engine's decode batch (the first token, computed by the
/// prefill, is streamed at once; the others one decode step each).
final class DecodeFront: Sendable {
    let engine: ServingEngine
    let ledger: KVLedger
    /// One job sender per prefill node (the connections this node opened).
    let prefill: Locked<[SocketSender]>
    private let waiting = Locked<[Int: (IncomingRequest, any TokenSink)]>([:])

    init(engine: ServingEngine, ledger: KVLedger) {
        self.engine = engine
        self.ledger = ledger
        prefill = Locked([])
    }

    /// The server's dispatch: called on an event loop, never blocks.
    func dispatch(_ request: IncomingRequest, sink: any TokenSink) {
        let senders = prefill.value
        guard !senders.isEmpty else { return sink.fail("no prefill node") }
        waiting.withLock { $0[request.id] = (request, sink) }
        let sender = senders[request.id % senders.count]
        let queued = sender.send(SocketSender.Message(
            header: PrefillNode.jobHeader(key: request.id, promptTokens: request.promptTokens, promptBytes: request.promptBytes),
            payload: request.promptBytes))
        if !queued, waiting.withLock({ $0.removeValue(forKey: request.id) }) != nil {
            sink.fail("the connection to the prefill node failed: \(sender.failure.map { "\($0)" } ?? "closed")")
        }
    }

    /// Reads KV caches from one prefill node's connection until it closes.
    func receive(from socket: PluginSocket) throws {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { scratch.deallocate() }
        while let header = try socket.receiveBytes(PrefillNode.kvHeaderBytes) {
            let key = Int(header.read(UInt32.self, at: 0))
            let layer = Int(header.read(UInt32.self, at: 4))
            let layers = Int(header.read(UInt32.self, at: 8))
            let bytes = Int(header.read(UInt64.self, at: 12))
            guard try socket.discard(bytes, scratch: scratch) else { return }
            let complete = layer == layers - 1
            ledger.received(key, bytes: bytes, complete: complete)
            guard complete, let (request, sink) = waiting.withLock({ $0.removeValue(forKey: key) }) else { continue }
            engine.submit(EngineJob(id: request.id, promptTokens: request.promptTokens, outputTokens: request.outputTokens,
                                    prefilled: true, sink: sink))
        }
    }

    func failWaiting() {
        let left = waiting.withLock { list -> [any TokenSink] in
            defer { list = [:] }
            return list.values.map(\.1)
        }
        for sink in left { sink.fail("stopped before its KV cache arrived") }
    }
}
