// Plugins/Training / Traces: the protobuf wire format, by hand: just what Chakra's messages need
// (varints, length-delimited fields, fixed 32/64-bit values, packed repeated varints), so the
// plugin needs neither protoc nor the SwiftProtobuf runtime. Unknown fields are skipped, as the
// protobuf rules require.

/// A protobuf decoding error: where, and what.
public struct ProtobufError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Reads fields from protobuf bytes.
struct ProtobufReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        position = start
        self.end = end ?? bytes.count
    }

    var atEnd: Bool { position >= end }

    mutating func varint() throws(ProtobufError) -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard position < end else { throw ProtobufError(description: "truncated varint at byte \(position)") }
            let byte = bytes[position]
            position += 1
            guard shift < 64 else { throw ProtobufError(description: "varint longer than 10 bytes at byte \(position)") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// The next field's number and wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32).
    mutating func tag() throws(ProtobufError) -> (field: Int, wire: Int) {
        let key = try varint()
        return (Int(key >> 3), Int(key & 7))
    }

    mutating func fixed(_ width: Int) throws(ProtobufError) -> UInt64 {
        guard position + width <= end else { throw ProtobufError(description: "truncated fixed\(width * 8) at byte \(position)") }
        var value: UInt64 = 0
        for i in 0..<width { value |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += width
        return value
    }

    /// A length-delimited field's byte range; the reader moves past it.
    mutating func delimited() throws(ProtobufError) -> Range<Int> {
        let raw = try varint()
        guard let length = Int(exactly: raw), length <= end - position else {
            throw ProtobufError(description: "length \(raw) runs past the message at byte \(position)")
        }
        defer { position += length }
        return position..<(position + length)
    }

    mutating func string() throws(ProtobufError) -> String {
        let range = try delimited()
        return String(decoding: bytes[range], as: UTF8.self)
    }

    /// A nested message's reader.
    mutating func message() throws(ProtobufError) -> ProtobufReader {
        let range = try delimited()
        return ProtobufReader(bytes, from: range.lowerBound, to: range.upperBound)
    }

    /// Repeated varints, packed (wire type 2) or one (wire type 0).
    mutating func varints(wire: Int) throws(ProtobufError) -> [UInt64] {
        guard wire == 2 else { return [try varint()] }
        var inner = try message()
        var values: [UInt64] = []
        while !inner.atEnd { values.append(try inner.varint()) }
        return values
    }

    mutating func skip(wire: Int) throws(ProtobufError) {
        switch wire {
        case 0: _ = try varint()
        case 1: _ = try fixed(8)
        case 2: _ = try delimited()
        case 5: _ = try fixed(4)
        default: throw ProtobufError(description: "unsupported wire type \(wire) at byte \(position)")
        }
    }
}

/// Writes protobuf fields.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func tag(_ field: Int, wire: Int) { varint(UInt64(field << 3 | wire)) }

    /// Eight bytes, little-endian (fixed64, double).
    mutating func fixed64(_ value: UInt64) {
        for i in 0..<8 { bytes.append(UInt8((value >> (8 * UInt64(i))) & 0xFF)) }
    }

    mutating func varintField(_ field: Int, _ value: UInt64) {
        tag(field, wire: 0)
        varint(value)
    }

    mutating func bytesField(_ field: Int, _ data: [UInt8]) {
        tag(field, wire: 2)
        varint(UInt64(data.count))
        bytes += data
    }

    mutating func stringField(_ field: Int, _ text: String) { bytesField(field, Array(text.utf8)) }

    mutating func packedField(_ field: Int, _ values: [UInt64]) {
        guard !values.isEmpty else { return }
        var inner = ProtobufWriter()
        for value in values { inner.varint(value) }
        bytesField(field, inner.bytes)
    }

    /// A message as Chakra files hold them: its length as a varint, then its bytes.
    mutating func delimitedMessage(_ message: [UInt8]) {
        varint(UInt64(message.count))
        bytes += message
    }
}

/// zigzag encoding of sint32/sint64.
func zigzagDecode(_ value: UInt64) -> Int64 { Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1) }
