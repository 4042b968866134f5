import NIOCore
import NIOHTTP1
import NIOPosix
import NetLoomPluginAPI

/// A request for a client connection to send; the handler stamps it and fills its
/// record as the stream arrives, then completes `promise`.
struct ClientRequest: Sendable {
    var id: Int
    var promptTokens: Int
    var outputTokens: Int
    var prompt: String
    var model: String
    /// The benchmark's clock zero: record times are seconds since it.
    var origin: ContinuousClock.Instant
    /// When the request was issued (seconds since origin), before a connection was found for it,
    /// as vLLM's benchmark starts its clock; nil: when it is written.
    var issued: Double?
    var promise: EventLoopPromise<RequestRecord>

    var sent: Double { issued ?? secondsSince(origin) }

    /// This request's record before any of its stream arrived.
    var freshRecord: RequestRecord {
        RequestRecord(id: id, promptTokens: promptTokens, requestedOutputTokens: outputTokens, sent: sent)
    }

    /// Its record when it failed before any of its stream arrived.
    func failedRecord(_ message: String) -> RequestRecord {
        var record = freshRecord
        record.error = message
        return record
    }
}

/// The request a client connection is serving (one at a time) and its record so far.
struct InFlightRequest {
    private(set) var current: (request: ClientRequest, record: RequestRecord)?

    mutating func start(_ request: ClientRequest) { current = (request, request.freshRecord) }

    mutating func update(_ record: RequestRecord) {
        if let request = current?.request { current = (request, record) }
    }

    /// Completes the request with `record`.
    mutating func finish(_ record: RequestRecord) {
        guard let request = current?.request else { return }
        current = nil
        request.promise.succeed(record)
    }

    /// Completes the request, if one is in flight, with what arrived and `message` as its error.
    mutating func fail(_ message: String) {
        guard var record = current?.record else { return }
        record.error = message
        finish(record)
    }
}

func secondsSince(_ origin: ContinuousClock.Instant) -> Double { seconds(ContinuousClock.now - origin) }

/// HTTP/1.1 client side: writes the POST, reads the event stream, one request at a time.
final class HTTPStreamHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = ClientRequest
    typealias OutboundOut = HTTPClientRequestPart

    private var inFlight = InFlightRequest()
    private var parser = SSEParser()
    private var status: HTTPResponseStatus = .ok
    private var done = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        let body = ServingWire.requestBody(model: request.model, prompt: request.prompt, outputTokens: request.outputTokens)
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "server")
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: "text/event-stream")
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        headers.add(name: "X-Request-Id", value: "\(request.id)")
        parser = SSEParser()
        status = .ok
        done = false
        inFlight.start(request)
        context.write(wrapOutboundOut(.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/v1/completions", headers: headers))),
                      promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let (request, stored) = inFlight.current else { return }
        var record = stored
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = head.status
        case .body(let buffer):
            let now = secondsSince(request.origin)
            if status != .ok {
                record.error = "HTTP \(status.code): \(String(buffer: buffer))"
            } else {
                for event in parser.feed(buffer.readableBytesView) {
                    switch event {
                    case .tokens(let count) where count > 0:
                        record.chunkTimes.append(now)
                        record.chunkTokens.append(count)
                    case .tokens: break
                    case .usage(let prompt): record.serverPromptTokens = prompt
                    case .done: done = true
                    case .error(let message): record.error = "server: \(message)"
                    }
                }
            }
            inFlight.update(record)
        case .end:
            if record.error == nil && !done { record.error = status == .ok ? "the stream ended without [DONE]" : "HTTP \(status.code)" }
            inFlight.finish(record)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inFlight.fail("the connection closed")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        inFlight.fail("\(error)")
        context.close(promise: nil)
    }
}

/// Raw TCP framing, client side.
final class TCPStreamHandler: ChannelDuplexHandler {
    typealias InboundIn = ServingFrameDecoder.Frame
    typealias OutboundIn = ClientRequest
    typealias OutboundOut = ByteBuffer

    private var inFlight = InFlightRequest()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        var buffer = context.channel.allocator.buffer(capacity: ServingWire.requestHeaderBytes + request.prompt.utf8.count)
        ServingWire.writeRequest(into: &buffer, id: request.id, promptTokens: request.promptTokens,
                                 outputTokens: request.outputTokens, prompt: request.prompt)
        inFlight.start(request)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let (request, stored) = inFlight.current else { return }
        var record = stored
        switch unwrapInboundIn(data) {
        case .tokens(let count):
            record.chunkTimes.append(secondsSince(request.origin))
            record.chunkTokens.append(count)
            inFlight.update(record)
        case .done(let prompt):
            record.serverPromptTokens = prompt
            inFlight.finish(record)
        case .error(let message):
            record.error = "server: \(message)"
            inFlight.finish(record)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inFlight.fail("the connection closed")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        inFlight.fail("\(error)")
        context.close(promise: nil)
    }
}

/// One client connection: a TCP socket made and connected in the client node's
/// namespace, adopted by SwiftNIO through a duplicate descriptor (the plugin's socket
/// stays open, so the runner samples its TCP_INFO and can shut it down).
final class StreamConnection: Sendable {
    let channel: any Channel
    let socket: PluginSocket

    init(channel: any Channel, socket: PluginSocket) {
        self.channel = channel
        self.socket = socket
    }

    static func open(from node: String, to address: String, port: UInt16, transport: ServingTransport, congestion: String?,
                     context: PluginContext) async throws -> StreamConnection {
        let socket = try context.socket(.tcp, on: node)
        if let congestion { try socket.setCongestionControl(congestion) }
        try await context.blocking("llm-connect") { try socket.connect(to: address, port: port, retryFor: .seconds(10)) }
        socket.setNoDelay()
        let descriptor = dup(socket.descriptor)
        guard descriptor >= 0 else { throw SocketError(operation: "dup", code: errno) }
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                switch transport {
                case .http:
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(HTTPStreamHandler())
                case .tcp:
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(ServingFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(TCPStreamHandler())
                }
            }
        }
        do {
            let channel = try await bootstrap.withConnectedSocket(descriptor).get()
            return StreamConnection(channel: channel, socket: socket)
        } catch {
            Glibc.close(descriptor)
            throw error
        }
    }

    var isActive: Bool { channel.isActive }

    /// Sends a request and waits for its whole stream.
    func perform(id: Int, promptTokens: Int, outputTokens: Int, prompt: String, model: String,
                 origin: ContinuousClock.Instant, issued: Double? = nil) async -> RequestRecord {
        let promise = channel.eventLoop.makePromise(of: RequestRecord.self)
        let request = ClientRequest(id: id, promptTokens: promptTokens, outputTokens: outputTokens, prompt: prompt, model: model,
                                    origin: origin, issued: issued, promise: promise)
        channel.writeAndFlush(request).whenFailure { error in promise.succeed(request.failedRecord("send: \(error)")) }
        do {
            return try await promise.futureResult.get()
        } catch {
            return request.failedRecord("\(error)")
        }
    }

    func close() async {
        socket.shutdownBoth()
        try? await channel.close()
    }
}

import Glibc
