import Foundation
import NIOCore

/// What travels between client and server, in both framings.
///
/// HTTP/1.1 (the default), as OpenAI-compatible servers such as vLLM stream:
/// `POST /v1/completions` with a JSON body `{"model", "prompt", "max_tokens", "stream": true, ...}`
/// and the header `X-Request-Id`; the answer is `text/event-stream` with one
/// `data: {...}` event per chunk (`choices[0].text` holds the chunk's tokens), an event
/// with `usage` (prompt and completion tokens as the server counted them) and
/// `data: [DONE]`.
///
/// Raw TCP (`transport: tcp`): a request is a 20-byte header (`NLQ1`, id, prompt tokens,
/// output tokens, prompt bytes, all big-endian u32) and the prompt; the answer is frames
/// of a 9-byte header (kind u8, two u32) and a payload: tokens (count, payload length,
/// the tokens' text), done (prompt tokens counted, 0), error (0, message length, message).
enum ServingWire {
    /// Every token of a generated text (4 bytes, about an English token's average).
    static let tokenText = " tok"

    /// A prompt of `tokens` words of `tokenBytes` bytes each (a space and letters), so
    /// the server can count its tokens and the request has the size of a real one.
    static func prompt(tokens: Int, tokenBytes: Int) -> String {
        let word = " " + String(repeating: "x", count: max(0, tokenBytes - 1))
        return String(repeating: word, count: tokens)
    }

    /// The server's token count of a prompt: its words (spaces), eight bytes at a time
    /// (a byte-by-byte loop over a 32 kB prompt costs milliseconds in a debug build).
    static func countTokens(_ bytes: UnsafeRawBufferPointer) -> Int {
        let spaces: UInt64 = 0x2020_2020_2020_2020
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        var count = 0
        var index = 0
        while index + 8 <= bytes.count {
            // Bytes that were spaces are 0 now; a byte's high bit below is set unless it is 0.
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) ^ spaces
            let nonzero = ((word & low) &+ low) | word
            count += (~nonzero & 0x8080_8080_8080_8080).nonzeroBitCount
            index += 8
        }
        while index < bytes.count {
            if bytes[index] == 0x20 { count += 1 }
            index += 1
        }
        return count
    }

    static func countTokens(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { countTokens(UnsafeRawBufferPointer($0)) }
    }

    // MARK: HTTP + SSE

    /// The JSON body of a streamed completion request (what vLLM's benchmark sends).
    static func requestBody(model: String, prompt: String, outputTokens: Int) -> String {
        #"{"model":"\#(model)","prompt":"\#(prompt)","max_tokens":\#(outputTokens),"min_tokens":\#(outputTokens),"#
            + #""ignore_eos":true,"stream":true,"stream_options":{"include_usage":true}}"#
    }

    struct CompletionRequest: Decodable {
        var model: String?
        var prompt: String
        var max_tokens: Int?
        var stream: Bool?
    }

    static func chunkEvent(id: Int, model: String, tokens: Int, last: Bool) -> String {
        let text = String(repeating: tokenText, count: tokens)
        let reason = last ? #""length""# : "null"
        return #"data: {"id":"cmpl-\#(id)","object":"text_completion","created":0,"model":"\#(model)","#
            + #""choices":[{"index":0,"text":"\#(text)","logprobs":null,"finish_reason":\#(reason)}]}"# + "\n\n"
    }

    static func usageEvent(id: Int, model: String, promptTokens: Int, completionTokens: Int) -> String {
        #"data: {"id":"cmpl-\#(id)","object":"text_completion","created":0,"model":"\#(model)","choices":[],"#
            + #""usage":{"prompt_tokens":\#(promptTokens),"completion_tokens":\#(completionTokens),"#
            + #""total_tokens":\#(promptTokens + completionTokens)}}"# + "\n\n"
    }

    static let doneEvent = "data: [DONE]\n\n"

    // MARK: Raw TCP framing

    static let requestMagic: UInt32 = 0x4E4C_5131  // "NLQ1"
    static let requestHeaderBytes = 20
    static let frameHeaderBytes = 9

    enum FrameKind: UInt8 {
        case tokens = 1
        case done = 2
        case error = 3
    }

    static func writeRequest(into buffer: inout ByteBuffer, id: Int, promptTokens: Int, outputTokens: Int, prompt: String) {
        buffer.writeInteger(requestMagic)
        buffer.writeInteger(UInt32(truncatingIfNeeded: id))
        buffer.writeInteger(UInt32(promptTokens))
        buffer.writeInteger(UInt32(outputTokens))
        buffer.writeInteger(UInt32(prompt.utf8.count))
        buffer.writeString(prompt)
    }

    static func writeFrame(into buffer: inout ByteBuffer, kind: FrameKind, first: Int, payload: String = "") {
        buffer.writeInteger(kind.rawValue)
        buffer.writeInteger(UInt32(first))
        buffer.writeInteger(UInt32(payload.utf8.count))
        buffer.writeString(payload)
    }
}

/// A malformed request or answer.
struct WireError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
