/// Splits a `text/event-stream` body into events (separated by a blank line) and reads
/// what the serving client needs from each `data:` payload: the chunk's tokens (the
/// words of `choices[0].text`), the server's usage report, `[DONE]`, or an error event.
/// Parsing the HTTP framing itself (chunked encoding) is SwiftNIO's.
struct SSEParser {
    enum Event: Equatable {
        case tokens(Int)
        case usage(promptTokens: Int)
        case done
        case error(String)
    }

    private var pending: [UInt8] = []

    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        pending.append(contentsOf: bytes)
        var events: [Event] = []
        var start = 0
        var index = 0
        while index + 1 < pending.count {
            // An event ends at a blank line: "\n\n", or "\n\r\n" when lines end in CRLF.
            let blank = pending[index] != 0x0A ? 0
                : pending[index + 1] == 0x0A ? 2
                : pending[index + 1] == 0x0D && index + 2 < pending.count && pending[index + 2] == 0x0A ? 3 : 0
            if blank > 0 {
                if let event = Self.event(pending[start..<index]) { events.append(event) }
                index += blank
                start = index
            } else {
                index += 1
            }
        }
        if start > 0 { pending.removeFirst(start) }
        return events
    }

    static func event(_ block: ArraySlice<UInt8>) -> Event? {
        var data: [UInt8] = []
        var isError = false
        for line in block.split(separator: 0x0A, omittingEmptySubsequences: true) {
            let text = line.last == 0x0D ? line.dropLast() : line
            if text.starts(with: Array("data:".utf8)) {
                var payload = text.dropFirst(5)
                if payload.first == 0x20 { payload = payload.dropFirst() }
                if !data.isEmpty { data.append(0x0A) }
                data.append(contentsOf: payload)
            } else if text.elementsEqual(Array("event: error".utf8)) {
                isError = true
            }
        }
        if isError { return .error(String(decoding: data, as: UTF8.self)) }
        if data.isEmpty { return nil }
        if data.elementsEqual(Array("[DONE]".utf8)) { return .done }
        if let usage = find(Array(#""usage":{"#.utf8), in: data[...]) {
            let after = data[usage...]
            guard let field = find(Array(#""prompt_tokens":"#.utf8), in: after) else { return .usage(promptTokens: 0) }
            let digits = data[field...].prefix { $0 >= 0x30 && $0 <= 0x39 }
            return .usage(promptTokens: Int(String(decoding: digits, as: UTF8.self)) ?? 0)
        }
        guard let text = find(Array(#""text":""#.utf8), in: data[...]) else { return nil }
        var tokens = 0
        var index = text
        while index < data.count && data[index] != 0x22 {
            if data[index] == 0x5C { index += 1 } else if data[index] == 0x20 { tokens += 1 }
            index += 1
        }
        return .tokens(tokens)
    }

    /// The index just after the first occurrence of `needle`.
    private static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count, let first = needle.first else { return nil }
        var index = haystack.startIndex
        while index + needle.count <= haystack.endIndex {
            if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index + needle.count
            }
            index += 1
        }
        return nil
    }
}
