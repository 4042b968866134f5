// Lab model / Lab: how long a direction's queue may grow.

/// A queue limit: in packets, in bytes, or `auto` (resolution sizes it from the rate and the lab's longest
/// RTT; with no rate, the backend decides). Lab syntax: `1000p`, `4MB`, `auto`. Codable as that text.
public enum QueueLimit: Sendable, Hashable, Codable, CustomStringConvertible {
    case packets(UInt32)
    case bytes(ByteCount)
    case auto

    static let allowed = "use a number of packets (1000p), a size (4MB, 512KiB) or auto"

    public init(parsing text: String) throws(UnitSyntaxError) {
        let trimmed = text.trimmingWhitespace
        if trimmed == "auto" {
            self = .auto
            return
        }
        if trimmed.hasSuffix("p"), let number = DecimalLiteral(String(trimmed.dropLast())), number.unit.isEmpty {
            guard !number.isNegative || number.isZero, let count = number.exactValue(times: 1) else {
                throw UnitSyntaxError("\"\(text)\" is not a whole number of packets", allowed: Self.allowed)
            }
            guard count > 0 else {
                throw UnitSyntaxError("\"\(text)\" is an empty queue", allowed: "a queue holds at least 1 packet")
            }
            guard count <= UInt128(UInt32.max) else {
                throw UnitSyntaxError("\"\(text)\" is too many packets", allowed: "at most \(UInt32.max)p")
            }
            self = .packets(UInt32(count))
            return
        }
        guard let number = DecimalLiteral(trimmed), !number.unit.isEmpty else {
            throw UnitSyntaxError("\"\(text)\" is not a queue size", allowed: Self.allowed)
        }
        let size: ByteCount
        do {
            size = try ByteCount(parsing: trimmed)
        } catch {
            throw UnitSyntaxError(error.message, allowed: Self.allowed)
        }
        guard size.bytes > 0 else {
            throw UnitSyntaxError("\"\(text)\" is an empty queue", allowed: "a queue holds at least one packet")
        }
        guard size.bytes <= UInt64(UInt32.max) else {
            throw UnitSyntaxError("\"\(text)\" is larger than the kernel's 4GiB limit", allowed: "at most 4294967295B")
        }
        self = .bytes(size)
    }

    public var description: String {
        switch self {
        case .packets(let n): "\(n)p"
        case .bytes(let b): b.description
        case .auto: "auto"
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
