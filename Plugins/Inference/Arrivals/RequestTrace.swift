import Foundation

/// One request of a trace: when it arrives (seconds after the trace's first request)
/// and its prompt and output token counts.
public struct TraceRequest: Sendable, Equatable {
    public var offset: Double
    public var promptTokens: Int
    public var outputTokens: Int

    public init(offset: Double, promptTokens: Int, outputTokens: Int) {
        self.offset = offset
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
    }
}

/// A malformed trace: the file, the line (1 is the header) and what is wrong.
public struct TraceError: Error, Equatable, CustomStringConvertible {
    public var source: String
    public var line: Int
    public var message: String

    public var description: String { "\(source):\(line): \(message)" }
}

/// A request trace in the Azure LLM inference trace format (Patel et al., Splitwise,
/// ISCA 2024): a CSV with the header `TIMESTAMP,ContextTokens,GeneratedTokens` and one
/// row per request, `2023-11-16 18:17:03.9799600,4808,10`.
///
/// Every row is checked: three fields, a timestamp `YYYY-MM-DD HH:MM:SS[.fffffff]`, token
/// counts that are whole numbers of at least 1 (a prompt) or 0 (an output), and arrivals
/// in time order. The first bad row is reported with its line number.
public struct RequestTrace: Sendable, Equatable {
    public var requests: [TraceRequest]
    public var source: String

    public init(requests: [TraceRequest], source: String) {
        self.requests = requests
        self.source = source
    }

    public static let header = ["TIMESTAMP", "ContextTokens", "GeneratedTokens"]

    public static func read(path: String) throws(TraceError) -> RequestTrace {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TraceError(source: name, line: 0, message: "cannot read \(path)")
        }
        return try parse(String(decoding: data, as: UTF8.self), source: name)
    }

    public static func parse(_ text: String, source: String) throws(TraceError) -> RequestTrace {
        var requests: [TraceRequest] = []
        var first: Double?
        var previous = -Double.infinity
        var lineNumber = 0
        var sawHeader = false
        // "\r\n" is one Character in Swift: the Azure files end their lines so.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if !sawHeader {
                guard fields == header else {
                    throw TraceError(source: source, line: lineNumber,
                                     message: "the header must be \(header.joined(separator: ",")), got \(line)")
                }
                sawHeader = true
                continue
            }
            guard fields.count == 3 else {
                throw TraceError(source: source, line: lineNumber, message: "expected 3 fields, got \(fields.count): \(line)")
            }
            guard let time = parseTimestamp(fields[0]) else {
                throw TraceError(source: source, line: lineNumber,
                                 message: "\"\(fields[0])\" is not a timestamp YYYY-MM-DD HH:MM:SS.fffffff")
            }
            guard let prompt = Int(fields[1]), prompt >= 1 else {
                throw TraceError(source: source, line: lineNumber,
                                 message: "ContextTokens \"\(fields[1])\" is not a whole number of at least 1")
            }
            guard let output = Int(fields[2]), output >= 0 else {
                throw TraceError(source: source, line: lineNumber,
                                 message: "GeneratedTokens \"\(fields[2])\" is not a whole number of at least 0")
            }
            guard time >= previous else {
                throw TraceError(source: source, line: lineNumber, message: "\(fields[0]) is earlier than the row before")
            }
            previous = time
            let zero = first ?? time
            first = zero
            requests.append(TraceRequest(offset: time - zero, promptTokens: prompt, outputTokens: output))
        }
        guard sawHeader else { throw TraceError(source: source, line: 1, message: "the file is empty") }
        guard !requests.isEmpty else { throw TraceError(source: source, line: 1, message: "the trace has no requests after its header") }
        return RequestTrace(requests: requests, source: source)
    }

    /// Seconds since 1970 of `YYYY-MM-DD HH:MM:SS[.fraction]` (UTC; only differences matter).
    static func parseTimestamp(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        let time = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard date.count == 3, time.count == 3, date[0].count == 4, date[1].count == 2, date[2].count == 2,
              time[0].count == 2, time[1].count == 2,
              let year = Int(date[0]), let month = Int(date[1]), let day = Int(date[2]),
              let hour = Int(time[0]), let minute = Int(time[1]),
              (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        let secondParts = time[2].split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(secondParts.count), secondParts[0].count == 2, let second = Int(secondParts[0]), (0...60).contains(second)
        else { return nil }
        var fraction = 0.0
        if secondParts.count == 2 {
            let digits = secondParts[1]
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let value = Double("0." + digits) else {
                return nil
            }
            fraction = value
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Double(days * 86_400 + hour * 3_600 + minute * 60 + second) + fraction
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The part of the trace from `start` (seconds after its first request) lasting
    /// `length` (to its end if nil), its clock restarted at the window's first request
    /// and sped up `speed` times (2: twice the requests per second, gaps halved).
    public func window(start: Double = 0, length: Double? = nil, speed: Double = 1) -> [TraceRequest] {
        let end = length.map { start + $0 } ?? .infinity
        let chosen = requests.filter { $0.offset >= start && $0.offset < end }
        guard let zero = chosen.first?.offset else { return [] }
        return chosen.map { TraceRequest(offset: ($0.offset - zero) / speed, promptTokens: $0.promptTokens, outputTokens: $0.outputTokens) }
    }
}
