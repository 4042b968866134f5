/// What the network alone should give, for benchmarks and reports: the bytes a request
/// puts on the wire and the time a path needs for them.
public enum ServingPrediction {
    /// Bytes of one request as the client writes it (HTTP head and JSON body, or the TCP
    /// frame), for a prompt of `promptTokens` tokens of `tokenBytes` bytes.
    public static func requestBytes(id: Int, promptTokens: Int, outputTokens: Int, tokenBytes: Int = 4, model: String = "netloom",
                                    http: Bool = true) -> Int {
        let prompt = promptTokens * tokenBytes
        guard http else { return ServingWire.requestHeaderBytes + prompt }
        let body = ServingWire.requestBody(model: model, prompt: "", outputTokens: outputTokens).utf8.count + prompt
        let headers = [
            ("Host", "server"), ("Content-Type", "application/json"), ("Accept", "text/event-stream"),
            ("Content-Length", "\(body)"), ("X-Request-Id", "\(id)"),
        ]
        let head = "POST /v1/completions HTTP/1.1\r\n".utf8.count + headers.map { "\($0.0): \($0.1)\r\n".utf8.count }.reduce(0, +) + 2
        return head + body
    }

    /// Layer-2 bytes of `payload` bytes of TCP data at MTU 1500: every 1448-byte segment
    /// carries 66 bytes of Ethernet, IPv4 and TCP (with timestamps) headers.
    public static func wireBytes(payload: Int) -> Int {
        payload + (payload + 1447) / 1448 * 66
    }

    /// Seconds to send `payload` bytes of TCP data at `bitsPerSecond` of layer-2 rate.
    public static func transferTime(payload: Int, bitsPerSecond: Double) -> Double {
        Double(wireBytes(payload: payload)) * 8 / bitsPerSecond
    }
}

extension RequestTrace {
    /// The path of a shipped trace (`conv`, `code`) or of a CSV file, if it exists.
    public static func locate(_ name: String) -> String? { TraceLocator.path(for: name) }
}
