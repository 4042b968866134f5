import CNetLoomShims

/// A traffic-control handle, `major:minor` as tc prints it (`1:`, `10:1`, `root`).
public struct QdiscHandle: Hashable, Sendable, CustomStringConvertible {
    public let raw: UInt32

    public init(raw: UInt32) { self.raw = raw }

    public init(major: UInt16, minor: UInt16 = 0) {
        raw = netloom_tc_handle(UInt32(major), UInt32(minor))
    }

    /// TC_H_ROOT: the parent of a device's root qdisc.
    public static let root = QdiscHandle(raw: netloom_tc_root())
    /// TC_H_CLSACT: the parent of a clsact qdisc (`tc qdisc add dev IF clsact`).
    public static let clsact = QdiscHandle(raw: TC_H_CLSACT)
    /// TC_H_UNSPEC: let the kernel choose.
    public static let unspecified = QdiscHandle(raw: 0)

    public var major: UInt16 { UInt16(raw >> 16) }
    public var minor: UInt16 { UInt16(raw & 0xFFFF) }

    public var description: String {
        if self == .root { return "root" }
        let major = String(self.major, radix: 16)
        return minor == 0 ? "\(major):" : "\(major):\(String(minor, radix: 16))"
    }
}
