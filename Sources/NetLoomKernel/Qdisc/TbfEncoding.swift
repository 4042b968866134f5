import CNetLoomShims

/// A token bucket: `tc qdisc ... tbf rate RATE burst BURST limit LIMIT`.
public struct TbfParameters: Sendable, Equatable, Codable {
    public var rateBitsPerSecond: UInt64
    /// Bucket size in bytes: how much may leave back to back at line speed.
    public var burstBytes: UInt32
    /// Bytes that may wait for tokens (tbf's inner bfifo); beyond it, tail drop.
    public var limitBytes: UInt32

    public init(rateBitsPerSecond: UInt64, burstBytes: UInt32, limitBytes: UInt32) {
        self.rateBitsPerSecond = rateBitsPerSecond
        self.burstBytes = burstBytes
        self.limitBytes = limitBytes
    }
}

/// tbf's TCA_OPTIONS. libnl 3.7's tbf rate is a signed 32-bit bytes/s (about 17
/// Gbit/s), so NetLoom builds the message itself: the 32-bit field saturates and
/// TCA_TBF_RATE64 carries the real rate, as iproute2 does. The burst goes in bytes
/// (TCA_TBF_BURST), and the rate spec says "ethernet" so the kernel needs no rate
/// table.
enum TbfEncoding {
    static func encode(_ tbf: TbfParameters, into builder: NetlinkMessageBuilder) {
        let bytesPerSecond = KernelUnits.bytesPerSecond(tbf.rateBitsPerSecond)
        var options = tc_tbf_qopt()
        options.rate.rate = UInt32(clamping: bytesPerSecond)
        options.rate.linklayer = UInt8(TC_LINKLAYER_ETHERNET.rawValue)
        options.limit = tbf.limitBytes
        options.buffer = KernelUnits.ticks(transmitTime(bytes: UInt64(tbf.burstBytes), bytesPerSecond: bytesPerSecond))
        builder.nest(TCA_OPTIONS) {
            builder.putStruct(TCA_TBF_PARMS, options)
            if bytesPerSecond > UInt64(UInt32.max) { builder.put(TCA_TBF_RATE64, bytesPerSecond) }
            builder.put(TCA_TBF_BURST, tbf.burstBytes)
        }
    }

    /// The kernel reports the bucket as a time (ticks of 64 ns); the burst in bytes is
    /// that time at the rate, exact to within 64 ns of traffic.
    static func decode(_ options: ArraySlice<UInt8>) -> TbfParameters? {
        let attributes = NetlinkAttributes(options)
        guard let qopt = attributes.value(TCA_TBF_PARMS, as: tc_tbf_qopt.self) else { return nil }
        let bytesPerSecond = attributes.integer(TCA_TBF_RATE64, as: UInt64.self) ?? UInt64(qopt.rate.rate)
        let bufferNanoseconds = Double(KernelUnits.nanoseconds(KernelUnits.duration(ticks: qopt.buffer)))
        let burst = (bufferNanoseconds * Double(bytesPerSecond) / 1e9).rounded()
        return TbfParameters(
            rateBitsPerSecond: bytesPerSecond * 8, burstBytes: UInt32(clamping: Int64(burst)), limitBytes: qopt.limit)
    }

    static func transmitTime(bytes: UInt64, bytesPerSecond: UInt64) -> Duration {
        guard bytesPerSecond > 0 else { return .zero }
        return .nanoseconds(Int64(Double(bytes) * 1e9 / Double(bytesPerSecond)))
    }
}
