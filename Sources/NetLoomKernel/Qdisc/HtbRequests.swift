import CNetLoomShims
import CNetlink

/// One htb class: `tc class add ... htb rate RATE ceil RATE burst B cburst B quantum Q`.
public struct HtbClassParameters: Sendable, Equatable, Codable {
    public var rateBitsPerSecond: UInt64
    public var ceilBitsPerSecond: UInt64
    public var burstBytes: UInt32
    /// Bytes a class may send per round; must scale with rate (htb warns and
    /// misbehaves with the default rate/10 at high rates).
    public var quantumBytes: UInt32

    public init(rateBitsPerSecond: UInt64, ceilBitsPerSecond: UInt64? = nil, burstBytes: UInt32, quantumBytes: UInt32) {
        self.rateBitsPerSecond = rateBitsPerSecond
        self.ceilBitsPerSecond = ceilBitsPerSecond ?? rateBitsPerSecond
        self.burstBytes = burstBytes
        self.quantumBytes = quantumBytes
    }
}

/// htb through libnl-route, whose htb class setters are 64-bit.
enum HtbRequests {
    /// `tc qdisc add dev IF parent P handle H htb default MINOR`.
    static func qdisc(
        interface: Int32, parent: QdiscHandle, handle: QdiscHandle, defaultClass: UInt16, flags: Int32
    ) throws(KernelError) -> NetlinkMessage {
        let operation = "tc qdisc add dev \(interface) parent \(parent) handle \(handle) htb default \(defaultClass)"
        guard let qdisc = rtnl_qdisc_alloc() else { throw KernelError(operation, errno: .noMemory) }
        defer { rtnl_qdisc_put(qdisc) }
        rtnl_tc_set_ifindex(qdisc, interface)
        rtnl_tc_set_parent(qdisc, parent.raw)
        rtnl_tc_set_handle(qdisc, handle.raw)
        _ = rtnl_tc_set_kind(qdisc, "htb")
        _ = rtnl_htb_set_defcls(qdisc, UInt32(defaultClass))
        return try libnlMessage(operation) { rtnl_qdisc_build_add_request(qdisc, flags, $0) }
    }

    /// `tc class add|change dev IF parent P classid C htb rate ...`.
    static func `class`(
        interface: Int32, parent: QdiscHandle, classID: QdiscHandle, parameters: HtbClassParameters, flags: Int32
    ) throws(KernelError) -> NetlinkMessage {
        let operation = "tc class add dev \(interface) parent \(parent) classid \(classID) htb rate \(parameters.rateBitsPerSecond)bit"
        guard let htbClass = rtnl_class_alloc() else { throw KernelError(operation, errno: .noMemory) }
        defer { rtnl_class_put(htbClass) }
        rtnl_tc_set_ifindex(htbClass, interface)
        rtnl_tc_set_parent(htbClass, parent.raw)
        rtnl_tc_set_handle(htbClass, classID.raw)
        _ = rtnl_tc_set_kind(htbClass, "htb")
        _ = rtnl_htb_set_rate64(htbClass, parameters.rateBitsPerSecond / 8)
        _ = rtnl_htb_set_ceil64(htbClass, parameters.ceilBitsPerSecond / 8)
        _ = rtnl_htb_set_rbuffer(htbClass, parameters.burstBytes)
        _ = rtnl_htb_set_cbuffer(htbClass, parameters.burstBytes)
        _ = rtnl_htb_set_quantum(htbClass, parameters.quantumBytes)
        return try libnlMessage(operation) { rtnl_class_build_add_request(htbClass, flags, $0) }
    }

    /// Reads an htb class's rate back (TCA_HTB_PARMS, TCA_HTB_RATE64).
    static func decodeClass(_ options: ArraySlice<UInt8>) -> HtbClassParameters? {
        let attributes = NetlinkAttributes(options)
        guard let parms = attributes.value(UInt16(TCA_HTB_PARMS), as: tc_htb_opt.self) else { return nil }
        let rate = attributes.integer(UInt16(TCA_HTB_RATE64), as: UInt64.self) ?? UInt64(parms.rate.rate)
        let ceil = attributes.integer(UInt16(TCA_HTB_CEIL64), as: UInt64.self) ?? UInt64(parms.ceil.rate)
        let bufferNanoseconds = Double(Int64(parms.buffer) << 6)
        let burst = UInt32(clamping: Int64((bufferNanoseconds * Double(rate) / 1e9).rounded()))
        return HtbClassParameters(
            rateBitsPerSecond: rate * 8, ceilBitsPerSecond: ceil * 8, burstBytes: burst, quantumBytes: parms.quantum)
    }
}
