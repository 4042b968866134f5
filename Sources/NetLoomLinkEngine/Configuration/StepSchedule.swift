/// A piecewise-constant rate: lines `TIME RATE`, e.g. `0s 100mbit` then `10s 20mbit`.
/// Times are offsets from when the schedule is applied (engine start or `update`),
/// strictly increasing and starting at 0; the last rate holds for ever (the schedule
/// does not loop). A rate of 0 stalls the link until the next step.
///
/// Times take `ns`, `us`, `ms`, `s`, `m` (a bare number is seconds). Rates take tc's
/// bit units `bit`, `kbit`, `mbit`, `gbit`, `tbit` and also `bps`, `kbps`, `mbps`,
/// `gbps` meaning bits per second (as NetLoom's lab files do); a bare number is bit/s.
public struct StepSchedule: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        public var at: Duration
        public var bitsPerSecond: UInt64
        public init(at: Duration, bitsPerSecond: UInt64) {
            self.at = at
            self.bitsPerSecond = bitsPerSecond
        }
    }

    public let steps: [Step]

    public init(steps: [Step]) throws(TraceParseError) {
        guard let first = steps.first else { throw TraceParseError(line: 0, "the schedule has no step") }
        guard first.at == .zero else { throw TraceParseError(line: 1, "the first step must be at 0s") }
        for i in steps.indices.dropFirst() where steps[i].at <= steps[i - 1].at {
            throw TraceParseError(line: i + 1, "step times must increase")
        }
        guard steps.last!.bitsPerSecond > 0 else {
            throw TraceParseError(line: steps.count, "the last rate holds for ever and must be above 0")
        }
        self.steps = steps
    }

    public static func parse(text: String) throws(TraceParseError) -> StepSchedule {
        var steps: [Step] = []
        let lines = meaningfulLines(text)
        for (number, line) in lines {
            let fields = line.split(whereSeparator: { $0.isWhitespace })
            guard fields.count == 2 else {
                throw TraceParseError(line: number, "expected 'TIME RATE' (e.g. '10s 20mbit'), found '\(line)'")
            }
            guard let at = parseTime(fields[0]) else {
                throw TraceParseError(line: number, "'\(fields[0])' is not a time (use ns, us, ms, s or m)")
            }
            guard let rate = parseRate(fields[1]) else {
                throw TraceParseError(line: number, "'\(fields[1])' is not a rate (use bit, kbit, mbit, gbit or tbit)")
            }
            if steps.isEmpty && at != .zero {
                throw TraceParseError(line: number, "the first step must be at 0s")
            }
            if let previous = steps.last, at <= previous.at {
                throw TraceParseError(line: number, "time \(fields[0]) is not after the step before it")
            }
            steps.append(Step(at: at, bitsPerSecond: rate))
        }
        guard !steps.isEmpty else { throw TraceParseError(line: 0, "the schedule has no step") }
        guard steps.last!.bitsPerSecond > 0 else {
            throw TraceParseError(line: lines.last!.number, "the last rate holds for ever and must be above 0")
        }
        return try StepSchedule(steps: steps)
    }

    var maximumBitsPerSecond: Double { Double(steps.map(\.bitsPerSecond).max() ?? 0) }

    static func parseTime(_ text: Substring) -> Duration? {
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60)]
        let (number, unit) = splitUnit(text)
        guard let value = Double(number), value >= 0, value.isFinite else { return nil }
        let scale: Double
        if unit.isEmpty { scale = 1 } else if let match = units.first(where: { $0.0 == unit }) { scale = match.1 } else { return nil }
        return .nanoseconds(Int64((value * scale * 1e9).rounded()))
    }

    static func parseRate(_ text: Substring) -> UInt64? {
        let units: [String: Double] = [
            "": 1, "bit": 1, "kbit": 1e3, "mbit": 1e6, "gbit": 1e9, "tbit": 1e12,
            "bps": 1, "kbps": 1e3, "mbps": 1e6, "gbps": 1e9, "tbps": 1e12,
        ]
        let (number, unit) = splitUnit(text)
        guard let value = Double(number), value >= 0, value.isFinite, let scale = units[unit.lowercased()] else { return nil }
        return UInt64((value * scale).rounded())
    }

    private static func splitUnit(_ text: Substring) -> (Substring, String) {
        let index = text.firstIndex(where: { !($0.isNumber || $0 == ".") }) ?? text.endIndex
        return (text[..<index], String(text[index...]))
    }
}
