/// Writes netlink wire bytes by hand, independently of the code under test, so
/// encoding tests compare against the format as the kernel headers define it.
struct WireBytes {
    var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { bytes += [UInt8(value & 0xFF), UInt8(value >> 8)] }
    mutating func u32(_ value: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((value >> UInt32(shift)) & 0xFF)) } }
    mutating func u64(_ value: UInt64) { for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8((value >> UInt64(shift)) & 0xFF)) } }
    mutating func i32(_ value: Int32) { u32(UInt32(bitPattern: value)) }
    mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }
    mutating func pad() { while bytes.count % 4 != 0 { bytes.append(0) } }

    /// One attribute: header, payload, padding.
    mutating func attribute(_ type: UInt16, _ payload: (inout WireBytes) -> Void) {
        var inner = WireBytes()
        payload(&inner)
        u16(UInt16(4 + inner.bytes.count))
        u16(type)
        bytes += inner.bytes
        pad()
    }

    mutating func string(_ type: UInt16, _ text: String) {
        attribute(type) { $0.bytes += Array(text.utf8) + [0] }
    }

    /// A netlink message: header with the final length, then the body.
    static func message(type: UInt16, flags: UInt16, _ body: (inout WireBytes) -> Void) -> [UInt8] {
        var inner = WireBytes()
        body(&inner)
        var message = WireBytes()
        message.u32(UInt32(16 + inner.bytes.count))
        message.u16(type)
        message.u16(flags)
        message.u32(0)  // sequence: set by the socket
        message.u32(0)  // port id: the kernel's
        message.bytes += inner.bytes
        return message.bytes
    }

    /// struct tcmsg
    mutating func tcmsg(interface: Int32, handle: UInt32, parent: UInt32, info: UInt32 = 0) {
        u8(0); u8(0); u16(0)
        i32(interface)
        u32(handle)
        u32(parent)
        u32(info)
    }
}

extension Array where Element == UInt8 {
    var hex: String { map { String($0, radix: 16).count == 1 ? "0\(String($0, radix: 16))" : String($0, radix: 16) }.joined(separator: " ") }
}
