import Glibc

/// An IPv4 or IPv6 address as the kernel layer takes it: network-order bytes.
/// (The lab model has richer address types; the orchestrator converts.)
public struct InetAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6, network byte order.
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses dotted-quad or RFC 4291 text (inet_pton).
    public init?(_ text: String) {
        var buffer = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &buffer) == 1 {
            bytes = Array(buffer.prefix(4))
        } else if inet_pton(AF_INET6, text, &buffer) == 1 {
            bytes = buffer
        } else {
            return nil
        }
    }

    public var isIPv6: Bool { bytes.count == 16 }
    public var family: Int32 { isIPv6 ? AF_INET6 : AF_INET }

    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &text, socklen_t(text.count)) }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An address with a prefix length: an interface address (10.0.0.1/24) or a route
/// destination (10.0.1.0/24, 0.0.0.0/0).
public struct InetPrefix: Sendable, Hashable, CustomStringConvertible {
    public let address: InetAddress
    public let length: UInt8

    public init?(address: InetAddress, length: UInt8) {
        guard Int(length) <= address.bytes.count * 8 else { return nil }
        self.address = address
        self.length = length
    }

    /// Parses "ADDRESS/LENGTH".
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = InetAddress(String(parts[0])), let length = UInt8(parts[1]) else {
            return nil
        }
        self.init(address: address, length: length)
    }

    public var description: String { "\(address)/\(length)" }
}
