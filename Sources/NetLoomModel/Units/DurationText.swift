// Lab model / Units: Codable for `Duration` fields as lab text ("20ms") instead of Swift's default
// pair of integers, so saved labs and results read like the lab file.

/// Encodes a `Duration` as its lab text (`"20ms"`) and decodes that text.
@propertyWrapper
public struct DurationText: Sendable, Hashable, Codable {
    public var wrappedValue: Duration

    public init(wrappedValue: Duration) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        wrappedValue = try DurationText.decode(try decoder.singleValueContainer().decode(String.self), decoder.codingPath)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue.labDescription)
    }

    static func decode(_ text: String, _ codingPath: [any CodingKey]) throws -> Duration {
        do {
            return try DurationSyntax.parse(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: error.description))
        }
    }
}

/// `DurationText` for an optional `Duration` (absent or null when nil).
@propertyWrapper
public struct OptionalDurationText: Sendable, Hashable, Codable {
    public var wrappedValue: Duration?

    public init(wrappedValue: Duration?) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try DurationText.decode(try container.decode(String.self), decoder.codingPath)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue {
            try container.encode(wrappedValue.labDescription)
        } else {
            try container.encodeNil()
        }
    }
}

extension KeyedDecodingContainer {
    /// Lets a missing key decode as nil for `@OptionalDurationText` properties.
    public func decode(_ type: OptionalDurationText.Type, forKey key: Key) throws -> OptionalDurationText {
        try decodeIfPresent(type, forKey: key) ?? OptionalDurationText(wrappedValue: nil)
    }
}
