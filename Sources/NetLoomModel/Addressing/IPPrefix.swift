// Lab model / Addressing: networks (`10.0.0.0/24`) and interface addresses (`10.0.0.1/24`).

/// A network: an address whose host bits are zero, and a prefix length. Codable as `10.0.0.0/24`.
public struct IPPrefix: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let network: IPAddress
    public let length: Int

    /// - Precondition: `length` fits the family and `network` has no host bits set.
    public init(network: IPAddress, length: Int) {
        precondition(length >= 0 && length <= network.bitWidth)
        precondition(network.bits & Self.hostMask(length: length, width: network.bitWidth) == 0)
        self.network = network
        self.length = length
    }

    /// The default route's destination for a family: `0.0.0.0/0` or `::/0`.
    public static let defaultIPv4 = IPPrefix(network: .v4(IPv4Address(0)), length: 0)
    public static let defaultIPv6 = IPPrefix(network: .v6(IPv6Address(0)), length: 0)

    public var isDefault: Bool { length == 0 }

    /// Parses `10.0.0.0/8`. Errors say whether the text is malformed or has host bits set.
    public init(parsing text: String) throws(UnitSyntaxError) {
        let parsed = try InterfaceAddress(parsing: text)
        let network = parsed.network
        guard network.network == parsed.address else {
            throw UnitSyntaxError("\"\(text)\" has host bits set", allowed: "did you mean \(network)?")
        }
        self = network
    }

    static func hostMask(length: Int, width: Int) -> UInt128 {
        let hostBits = width - length
        if hostBits <= 0 { return 0 }
        if hostBits >= 128 { return .max }
        return (UInt128(1) << UInt128(hostBits)) - 1
    }

    var hostMask: UInt128 { Self.hostMask(length: length, width: network.bitWidth) }

    /// Number of addresses in the prefix (saturating at UInt128.max).
    var size: UInt128 { hostMask &+ 1 == 0 ? .max : hostMask + 1 }

    /// Whether `address` lies in this network.
    public func contains(_ address: IPAddress) -> Bool {
        address.isIPv4 == network.isIPv4 && address.bits & ~hostMask == network.bits
    }

    /// Whether the two networks share any address.
    public func overlaps(_ other: IPPrefix) -> Bool {
        guard network.isIPv4 == other.network.isIPv4 else { return false }
        let shorter = length <= other.length ? self : other
        let longer = length <= other.length ? other : self
        return shorter.contains(longer.network)
    }

    /// The address `offset` places after the network address.
    func address(at offset: UInt128) -> IPAddress { network.withBits(network.bits + offset) }

    public var description: String { "\(network)/\(length)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.network, lhs.length) < (rhs.network, rhs.length)
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

/// An address on an interface with the prefix length of its subnet (`10.0.0.1/24`), as `ip addr add` takes it.
public struct InterfaceAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    public init(address: IPAddress, prefixLength: Int) {
        precondition(prefixLength >= 0 && prefixLength <= address.bitWidth)
        self.address = address
        self.prefixLength = prefixLength
    }

    /// The subnet the address is in.
    public var network: IPPrefix {
        IPPrefix(network: address.withBits(address.bits & ~IPPrefix.hostMask(length: prefixLength, width: address.bitWidth)),
                 length: prefixLength)
    }

    /// Parses `10.0.0.1/24` or `fd00::1/64`.
    public init(parsing text: String) throws(UnitSyntaxError) {
        let allowed = "use an address with a prefix length, e.g. 10.9.0.1/30 or fd00:9::1/64"
        let parts = text.trimmingWhitespace.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(String(parts[0])) else {
            throw UnitSyntaxError("\"\(text)\" is not an address with a prefix length", allowed: allowed)
        }
        guard let length = Int(parts[1]), parts[1].allSatisfy(\.isASCII), length >= 0, length <= address.bitWidth else {
            throw UnitSyntaxError("\"\(text)\" has a bad prefix length", allowed: "IPv4 prefixes are /0 to /32, IPv6 /0 to /128")
        }
        self.init(address: address, prefixLength: length)
    }

    public var description: String { "\(address)/\(prefixLength)" }

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
