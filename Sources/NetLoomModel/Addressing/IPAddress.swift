// Lab model / Addressing: IPv4 and IPv6 addresses as plain integers, parsed and printed with libc's
// inet_pton / inet_ntop (RFC 5952 text for IPv6).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 address (host byte order in `value`).
public struct IPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: UInt32
    public init(_ value: UInt32) { self.value = value }

    /// Parses dotted-quad text (`10.0.0.1`); nil otherwise.
    public init?(_ text: String) {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        value = UInt32(bigEndian: address.s_addr)
    }

    public var description: String {
        "\(value >> 24).\((value >> 16) & 0xff).\((value >> 8) & 0xff).\(value & 0xff)"
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}

/// An IPv6 address (the 128 bits in network order read as one big-endian integer).
public struct IPv6Address: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: UInt128
    public init(_ value: UInt128) { self.value = value }

    /// Parses IPv6 text (`fd00:6e6c::1`); nil otherwise.
    public init?(_ text: String) {
        var bytes = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, text, &bytes) == 1 else { return nil }
        value = bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
    }

    public var description: String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { bytes[i] = UInt8(truncatingIfNeeded: value >> (8 * UInt128(15 - i))) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, bytes, &text, socklen_t(text.count)) != nil else { return "::" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}

/// An IPv4 or IPv6 address. Codable as its text.
public enum IPAddress: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// Parses either family; nil for anything else.
    public init?(_ text: String) {
        if let v4 = IPv4Address(text) {
            self = .v4(v4)
        } else if let v6 = IPv6Address(text) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    public var isIPv4: Bool { if case .v4 = self { true } else { false } }

    /// Address width in bits: 32 or 128.
    public var bitWidth: Int { isIPv4 ? 32 : 128 }

    /// The address bits, right-aligned in 128 bits.
    var bits: UInt128 {
        switch self {
        case .v4(let a): UInt128(a.value)
        case .v6(let a): a.value
        }
    }

    /// The same family with other bits.
    func withBits(_ bits: UInt128) -> IPAddress {
        switch self {
        case .v4: .v4(IPv4Address(UInt32(truncatingIfNeeded: bits)))
        case .v6: .v6(IPv6Address(bits))
        }
    }

    public var description: String {
        switch self {
        case .v4(let a): a.description
        case .v6(let a): a.description
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): a < b
        case (.v6(let a), .v6(let b)): a < b
        case (.v4, .v6): true
        case (.v6, .v4): false
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let address = IPAddress(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\"\(text)\" is not an IP address"))
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
