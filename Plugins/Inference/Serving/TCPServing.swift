import NIOCore

/// Raw TCP framing, server side: decodes requests (`ServingWire`'s 20-byte header and the prompt).
struct ServingRequestDecoder: ByteToMessageDecoder {
    typealias InboundOut = IncomingRequest

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes >= ServingWire.requestHeaderBytes,
              let magic = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self),
              let id = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt32.self),
              let output = buffer.getInteger(at: buffer.readerIndex + 12, as: UInt32.self),
              let length = buffer.getInteger(at: buffer.readerIndex + 16, as: UInt32.self)
        else { return .needMoreData }
        guard magic == ServingWire.requestMagic else { throw WireError("not a NetLoom serving request (bad magic)") }
        guard buffer.readableBytes >= ServingWire.requestHeaderBytes + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: ServingWire.requestHeaderBytes)
        let prompt = buffer.readSlice(length: Int(length))!
        let request = IncomingRequest(
            id: Int(id), promptTokens: prompt.withUnsafeReadableBytes { ServingWire.countTokens($0) }, outputTokens: max(1, Int(output)),
            promptBytes: Int(length))
        context.fireChannelRead(wrapInboundOut(request))
        return .continue
    }
}

/// Raw TCP framing: hands each request to the dispatch with a sink that writes frames.
final class TCPServingHandler: ChannelInboundHandler {
    typealias InboundIn = IncomingRequest

    let dispatch: RequestDispatch

    init(dispatch: @escaping RequestDispatch) { self.dispatch = dispatch }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        dispatch(unwrapInboundIn(data), FrameSink(channel: context.channel))
    }
}

/// Raw TCP framing, client side: decodes answer frames.
struct ServingFrameDecoder: ByteToMessageDecoder {
    enum Frame {
        case tokens(Int)
        case done(promptTokens: Int)
        case error(String)
    }

    typealias InboundOut = Frame

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes >= ServingWire.frameHeaderBytes,
              let kind = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
              let first = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self),
              let length = buffer.getInteger(at: buffer.readerIndex + 5, as: UInt32.self)
        else { return .needMoreData }
        guard buffer.readableBytes >= ServingWire.frameHeaderBytes + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: ServingWire.frameHeaderBytes)
        let payload = buffer.readString(length: Int(length)) ?? ""
        switch ServingWire.FrameKind(rawValue: kind) {
        case .tokens: context.fireChannelRead(wrapInboundOut(.tokens(Int(first))))
        case .done: context.fireChannelRead(wrapInboundOut(.done(promptTokens: Int(first))))
        case .error: context.fireChannelRead(wrapInboundOut(.error(payload)))
        case nil: throw WireError("unknown frame kind \(kind)")
        }
        return .continue
    }
}
