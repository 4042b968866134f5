import CNetLoomShims
import Glibc

/// Traffic-control filter requests (RTM_NEWTFILTER), named after `tc filter`.
public enum FilterRequest {
    /// `tc filter add block BLOCK protocol ipv6 pref PRIORITY u32 match ip6 dst ADDRESS/128
    /// action mirred ingress redirect dev TARGET`: IPv6 frames to `destination` that arrive
    /// on any interface of the shared block are handed to the receive path of the interface
    /// with index `target` instead of going on.
    public static func redirectIPv6Destination(
        _ destination: InetAddress, block: UInt32, priority: UInt16, toIngressOf target: Int32
    ) throws(KernelError) -> NetlinkMessage {
        let operation = "tc filter add block \(block) protocol ipv6 pref \(priority) u32 match ip6 dst \(destination)/128 action mirred ingress redirect dev \(target)"
        guard destination.isIPv6 else { throw KernelError(operation, errno: .invalidArgument, hint: "not an IPv6 address") }
        let builder = NetlinkMessageBuilder(type: UInt16(RTM_NEWTFILTER), flags: NLM_F_CREATE | NLM_F_EXCL, operation: operation)
        var header = tcmsg()
        header.tcm_family = UInt8(AF_UNSPEC)
        header.tcm_ifindex = Int32(bitPattern: TCM_IFINDEX_MAGIC_BLOCK)
        header.tcm_parent = block  // tcm_block_index: the same field when tcm_ifindex is the block magic
        header.tcm_info = UInt32(priority) << 16 | UInt32(UInt16(ETH_P_IPV6).bigEndian)
        builder.putFamilyHeader(header)
        builder.putString(TCA_KIND, "u32")
        builder.nest(TCA_OPTIONS) {
            builder.nest(TCA_U32_ACT) {
                builder.nest(1) {  // the first action of the list
                    builder.putString(TCA_ACT_KIND, "mirred")
                    builder.nest(TCA_ACT_OPTIONS, flagged: true) {
                        var mirred = tc_mirred()
                        mirred.action = TC_ACT_STOLEN
                        mirred.eaction = TCA_INGRESS_REDIR
                        mirred.ifindex = UInt32(bitPattern: target)
                        builder.putStruct(TCA_MIRRED_PARMS, mirred)
                    }
                }
            }
            let selector = u32Selector(matching: destination.bytes, atOffset: 24)  // the IPv6 destination
            selector.withUnsafeBytes { builder.putBytes(TCA_U32_SEL, $0) }
        }
        return try builder.finish()
    }

    /// A `struct tc_u32_sel` (terminal: its action decides) followed by one
    /// `struct tc_u32_key` per 32-bit word of `bytes`, each matched exactly at
    /// `offset` + 4 i from the network header. Built by hand: Swift does not import
    /// the selector's flexible array of keys.
    static func u32Selector(matching bytes: [UInt8], atOffset offset: Int32) -> [UInt8] {
        let words = bytes.count / 4
        var selector: [UInt8] = [UInt8(TC_U32_TERMINAL), 0, UInt8(words), 0] + [UInt8](repeating: 0, count: 12)
        for word in 0..<words {
            let value = bytes[word * 4..<word * 4 + 4]
            selector += [0xFF, 0xFF, 0xFF, 0xFF] + value          // mask, value: network byte order
            selector += withUnsafeBytes(of: offset + Int32(word * 4), Array.init)  // off, host order
            selector += [0, 0, 0, 0]                            // offmask
        }
        return selector
    }
}
