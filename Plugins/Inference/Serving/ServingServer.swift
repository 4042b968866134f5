import Foundation
import Glibc
import NIOCore
import NIOHTTP1
import NIOPosix
import NetLoomPluginAPI

/// A request as the server received it.
struct IncomingRequest: Sendable {
    var id: Int
    var promptTokens: Int
    var outputTokens: Int
    /// The prompt's bytes on the wire (forwarded to a prefill node by a disaggregated front).
    var promptBytes: Int
}

/// Where a server hands each request: an engine, or a disaggregated front that first has
/// it prefilled elsewhere.
typealias RequestDispatch = @Sendable (IncomingRequest, any TokenSink) -> Void

/// How client and server frame requests and streams.
enum ServingTransport: String, Sendable {
    case http, tcp
}

/// A serving endpoint on a node: SwiftNIO on a listening socket made in the node's
/// namespace (the descriptor is duplicated for NIO, so the plugin's socket stays valid
/// for the runner), HTTP/1.1 with server-sent events or raw TCP frames.
final class ServingServer: Sendable {
    let channel: any Channel
    let listener: PluginSocket

    private init(channel: any Channel, listener: PluginSocket) {
        self.channel = channel
        self.listener = listener
    }

    static func start(
        on node: String, port: UInt16, transport: ServingTransport, model: String, congestion: String? = nil, context: PluginContext,
        dispatch: @escaping RequestDispatch
    ) async throws -> ServingServer {
        let listener = try context.socket(.tcp, on: node)
        try listener.bind(port: port)
        if let congestion { try listener.setCongestionControl(congestion) }
        let descriptor = dup(listener.descriptor)
        guard descriptor >= 0 else { throw SocketError(operation: "dup", code: errno) }
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    switch transport {
                    case .http:
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(HTTPServingHandler(model: model, dispatch: dispatch))
                    case .tcp:
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(ServingRequestDecoder()))
                        try channel.pipeline.syncOperations.addHandler(TCPServingHandler(dispatch: dispatch))
                    }
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.withBoundSocket(descriptor).get()
        } catch {
            Glibc.close(descriptor)
            throw error
        }
        return ServingServer(channel: channel, listener: listener)
    }

    /// Stops accepting and closes the listening socket (open connections close with their clients).
    func stop() async {
        try? await channel.close()
        listener.shutdownBoth()
    }
}

/// HTTP/1.1: one `POST /v1/completions` at a time per connection (keep-alive), answered
/// with a stream of server-sent events.
final class HTTPServingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let model: String
    let dispatch: RequestDispatch
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?

    init(model: String, dispatch: @escaping RequestDispatch) {
        self.model = model
        self.dispatch = dispatch
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = context.channel.allocator.buffer(capacity: 0)
        case .body(var part):
            body?.writeBuffer(&part)
        case .end:
            guard let head else { return }
            respond(context: context, head: head, body: body ?? ByteBuffer())
            self.head = nil
            body = nil
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead, body: ByteBuffer) {
        guard head.method == .POST, head.uri == "/v1/completions" else {
            return reply(context: context, status: .notFound, text: "POST /v1/completions only\n")
        }
        let request: ServingWire.CompletionRequest
        do {
            request = try JSONDecoder().decode(ServingWire.CompletionRequest.self, from: body.withUnsafeReadableBytes { Data($0) })
        } catch {
            return reply(context: context, status: .badRequest, text: "the body is not a completion request: \(error)\n")
        }
        let id = head.headers.first(name: "X-Request-Id").flatMap { Int($0) } ?? 0
        let output = max(1, request.max_tokens ?? 16)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/event-stream")
        headers.add(name: "Cache-Control", value: "no-cache")
        // The head goes out with the first event, as a streaming response in vLLM's server (Starlette)
        // starts: one segment and one wake-up of the client instead of two.
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
        let incoming = IncomingRequest(
            id: id, promptTokens: ServingWire.countTokens(request.prompt), outputTokens: output,
            promptBytes: request.prompt.utf8.count)
        dispatch(incoming, SSESink(channel: context.channel, id: id, model: request.model ?? model))
    }

    private func reply(context: ChannelHandlerContext, status: HTTPResponseStatus, text: String) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "\(text.utf8.count)")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

