/// A parsed run of netlink attributes (`struct nlattr` TLVs, 4-byte aligned).
/// Later attributes of the same type win, as in the kernel's nla_parse.
public struct NetlinkAttributes: Sendable {
    private var table: [UInt16: ArraySlice<UInt8>] = [:]
    /// Types in the order they appeared (repeated types appear repeatedly).
    public private(set) var order: [UInt16] = []
    private var all: [(UInt16, ArraySlice<UInt8>)] = []

    /// Parses `bytes`; a truncated trailing attribute is ignored, as the kernel does.
    public init(_ bytes: ArraySlice<UInt8>) {
        var offset = bytes.startIndex
        while offset + 4 <= bytes.endIndex {
            let length = Int(UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8)
            let rawType = UInt16(bytes[offset + 2]) | UInt16(bytes[offset + 3]) << 8
            guard length >= 4, offset + length <= bytes.endIndex else { break }
            let type = rawType & 0x3FFF  // NLA_TYPE_MASK: drop NLA_F_NESTED and NLA_F_NET_BYTEORDER
            let value = bytes[(offset + 4)..<(offset + length)]
            table[type] = value
            order.append(type)
            all.append((type, value))
            offset += netlinkAlign(length)
        }
    }

    public subscript(type: UInt16) -> ArraySlice<UInt8>? { table[type] }
    public subscript<T: FixedWidthInteger>(type: T) -> ArraySlice<UInt8>? { table[UInt16(type)] }

    /// Every occurrence of `type`, in order (multipath next hops, repeated entries).
    public func all<T: FixedWidthInteger>(_ type: T) -> [ArraySlice<UInt8>] {
        all.filter { $0.0 == UInt16(type) }.map(\.1)
    }

    public func integer<I: FixedWidthInteger, T: FixedWidthInteger>(_ type: T, as _: I.Type = I.self) -> I? {
        guard let value = self[type], value.count >= MemoryLayout<I>.size else { return nil }
        return value.withUnsafeBytes { $0.loadUnaligned(as: I.self) }
    }

    /// A NUL-terminated string attribute.
    public func string<T: FixedWidthInteger>(_ type: T) -> String? {
        guard let value = self[type] else { return nil }
        let text = value.prefix { $0 != 0 }
        return String(decoding: text, as: UTF8.self)
    }

    /// A C struct attribute; nil when the attribute is shorter than the struct.
    public func value<V, T: FixedWidthInteger>(_ type: T, as _: V.Type) -> V? {
        guard let value = self[type], value.count >= MemoryLayout<V>.size else { return nil }
        return value.withUnsafeBytes { $0.loadUnaligned(as: V.self) }
    }

    public func nested<T: FixedWidthInteger>(_ type: T) -> NetlinkAttributes? {
        self[type].map { NetlinkAttributes($0) }
    }
}
