/// A Mahimahi packet-delivery trace (the format of `mm-link`): one line per delivery
/// opportunity, each a millisecond timestamp at which up to 1500 bytes may leave. Lines
/// may repeat a timestamp (several opportunities in that millisecond). The trace loops
/// with a period equal to its last timestamp; opportunities that find the queue empty
/// are lost, and a frame longer than 1500 bytes spans several opportunities.
public struct MahimahiTrace: Sendable, Equatable {
    /// Bytes one opportunity delivers.
    public static let bytesPerOpportunity = 1500

    /// Opportunity timestamps in milliseconds, non-decreasing.
    public let timestamps: [UInt64]

    public init(timestamps: [UInt64]) throws(TraceParseError) {
        guard let last = timestamps.last else { throw TraceParseError(line: 0, "the trace has no delivery opportunity") }
        guard last > 0 else { throw TraceParseError(line: timestamps.count, "the last timestamp (the trace's period) must be above 0 ms") }
        for i in timestamps.indices.dropFirst() where timestamps[i] < timestamps[i - 1] {
            throw TraceParseError(line: i + 1, "timestamp \(timestamps[i]) is smaller than the one before it")
        }
        self.timestamps = timestamps
    }

    /// Reads a trace: one non-negative integer (milliseconds) per line; blank lines and
    /// `#` comments are ignored. Errors name the line.
    public static func parse(text: String) throws(TraceParseError) -> MahimahiTrace {
        var stamps: [UInt64] = []
        var previous: UInt64 = 0
        for (number, line) in meaningfulLines(text) {
            guard let value = UInt64(line) else {
                throw TraceParseError(line: number, "expected a timestamp in whole milliseconds, found '\(line)'")
            }
            if value < previous {
                throw TraceParseError(line: number, "timestamp \(value) is smaller than the one before it (\(previous))")
            }
            previous = value
            stamps.append(value)
        }
        if stamps.isEmpty { throw TraceParseError(line: 0, "the trace has no delivery opportunity") }
        if stamps.last == 0 {
            throw TraceParseError(line: meaningfulLines(text).last?.number ?? 0,
                                  "the last timestamp (the trace's period) must be above 0 ms")
        }
        return try MahimahiTrace(timestamps: stamps)
    }

    /// The period in milliseconds (the last timestamp).
    public var periodMilliseconds: UInt64 { timestamps.last! }

    /// The average rate the trace offers, in bits per second.
    public var averageBitsPerSecond: Double {
        Double(timestamps.count * Self.bytesPerOpportunity * 8) / (Double(periodMilliseconds) / 1000)
    }

    /// A trace offering a constant `bitsPerSecond` (rounded to whole opportunities per
    /// millisecond over `periodMilliseconds`), for tests and examples.
    public static func constant(bitsPerSecond: Double, periodMilliseconds: UInt64 = 1000) -> MahimahiTrace {
        let perMs = bitsPerSecond / 8 / Double(bytesPerOpportunity) / 1000
        var stamps: [UInt64] = []
        var owed = 0.0
        for ms in 1...periodMilliseconds {
            owed += perMs
            while owed >= 1 {
                stamps.append(ms)
                owed -= 1
            }
        }
        if stamps.last != periodMilliseconds { stamps.append(periodMilliseconds) }
        return try! MahimahiTrace(timestamps: stamps)
    }
}
