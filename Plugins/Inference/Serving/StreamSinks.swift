import NIOCore
import NIOHTTP1

/// Streams a request's tokens as server-sent events on an HTTP/1.1 response. Called
/// from the engine's thread: every write is handed to the channel's event loop.
struct SSESink: TokenSink {
    let channel: any Channel
    let id: Int
    let model: String
    /// Tokens streamed so far (the engine's thread only writes, in order).
    private let streamed = TokenTally()

    init(channel: any Channel, id: Int, model: String) {
        self.channel = channel
        self.id = id
        self.model = model
    }

    func tokens(_ count: Int, last: Bool) {
        streamed.add(count)
        write(ServingWire.chunkEvent(id: id, model: model, tokens: count, last: last))
    }

    func finish(promptTokens: Int) {
        write(ServingWire.usageEvent(id: id, model: model, promptTokens: promptTokens, completionTokens: streamed.value)
              + ServingWire.doneEvent)
        channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
    }

    func fail(_ message: String) {
        write("event: error\ndata: {\"error\":\"\(message)\"}\n\n")
        channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
    }

    private func write(_ text: String) {
        let buffer = channel.allocator.buffer(string: text)
        channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
    }
}

/// Streams a request's tokens as raw TCP frames.
struct FrameSink: TokenSink {
    let channel: any Channel

    func tokens(_ count: Int, last: Bool) {
        var buffer = channel.allocator.buffer(capacity: ServingWire.frameHeaderBytes + 4 * count)
        ServingWire.writeFrame(into: &buffer, kind: .tokens, first: count, payload: String(repeating: ServingWire.tokenText, count: count))
        channel.writeAndFlush(buffer, promise: nil)
    }

    func finish(promptTokens: Int) {
        var buffer = channel.allocator.buffer(capacity: ServingWire.frameHeaderBytes)
        ServingWire.writeFrame(into: &buffer, kind: .done, first: promptTokens)
        channel.writeAndFlush(buffer, promise: nil)
    }

    func fail(_ message: String) {
        var buffer = channel.allocator.buffer(capacity: ServingWire.frameHeaderBytes + message.utf8.count)
        ServingWire.writeFrame(into: &buffer, kind: .error, first: 0, payload: message)
        channel.writeAndFlush(buffer, promise: nil)
    }
}

import Synchronization

/// A count one thread adds to and others may read.
final class TokenTally: Sendable {
    private let total = Mutex(0)
    func add(_ amount: Int) { total.withLock { $0 += amount } }
    var value: Int { total.withLock { $0 } }
}
