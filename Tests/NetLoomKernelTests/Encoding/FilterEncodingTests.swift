import Testing
@testable import NetLoomKernel

/// Byte-exact checks of the clsact qdisc and the shared-block filter a switch uses to
/// keep MLD reports from flooding, against what `tc` 6.x sends for
/// `tc qdisc add dev IF ingress_block 1 clsact` and `tc filter add block 1 protocol ipv6
/// pref 1 u32 match ip6 dst ff02::16/128 action mirred ingress redirect dev IF`.
@Suite("Filter message encoding")
struct FilterEncodingTests {
    // <linux/rtnetlink.h>, <linux/netlink.h>
    let rtmNewQdisc: UInt16 = 36, rtmNewFilter: UInt16 = 44
    let request: UInt16 = 0x1, ack: UInt16 = 0x4, excl: UInt16 = 0x200, create: UInt16 = 0x400

    @Test func clsactWithASharedIngressBlock() throws {
        let message = try QdiscRequest.addClsact(interface: 3, ingressBlock: 1)
        let expected = WireBytes.message(type: rtmNewQdisc, flags: request | ack | create | excl) { body in
            body.tcmsg(interface: 3, handle: 0xFFFF_0000, parent: 0xFFFF_FFF1)  // TC_H_CLSACT
            body.string(1, "clsact")  // TCA_KIND
            body.attribute(13) { $0.u32(1) }  // TCA_INGRESS_BLOCK
        }
        #expect(message.bytes == expected, "\n\(message.bytes.hex)\n\(expected.hex)")
    }

    @Test func blockFilterRedirectsOneIPv6DestinationToAnInterfacesIngress() throws {
        let message = try FilterRequest.redirectIPv6Destination(
            InetAddress("ff02::16")!, block: 1, priority: 1, toIngressOf: 3)
        let expected = WireBytes.message(type: rtmNewFilter, flags: request | ack | create | excl) { body in
            // ifindex TCM_IFINDEX_MAGIC_BLOCK, parent = block index, info = pref << 16 | htons(ETH_P_IPV6)
            body.tcmsg(interface: -1, handle: 0, parent: 1, info: 0x0001_DD86)
            body.string(1, "u32")  // TCA_KIND
            body.attribute(2) { options in  // TCA_OPTIONS
                options.attribute(7) { actions in  // TCA_U32_ACT
                    actions.attribute(1) { action in  // the first action
                        action.string(1, "mirred")  // TCA_ACT_KIND
                        action.attribute(2 | 0x8000) { mirred in  // TCA_ACT_OPTIONS, NLA_F_NESTED
                            mirred.attribute(2) { parms in  // TCA_MIRRED_PARMS: struct tc_mirred
                                parms.u32(0); parms.u32(0)  // index, capab
                                parms.i32(4)  // action TC_ACT_STOLEN
                                parms.i32(0); parms.i32(0)  // refcnt, bindcnt
                                parms.i32(3)  // eaction TCA_INGRESS_REDIR
                                parms.u32(3)  // ifindex
                            }
                        }
                    }
                }
                options.attribute(5) { sel in  // TCA_U32_SEL: struct tc_u32_sel, then 4 keys
                    sel.u8(1); sel.u8(0); sel.u8(4); sel.u8(0)  // flags TC_U32_TERMINAL, offshift, nkeys
                    sel.bytes += [UInt8](repeating: 0, count: 12)  // offmask, off, offoff, hoff, hmask
                    let words: [[UInt8]] = [[0xFF, 0x02, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0x16]]
                    for (i, word) in words.enumerated() {
                        sel.bytes += [0xFF, 0xFF, 0xFF, 0xFF] + word  // mask, value (network order)
                        sel.i32(24 + 4 * Int32(i)); sel.i32(0)  // off: the IPv6 destination; offmask
                    }
                }
            }
        }
        #expect(message.bytes == expected, "\n\(message.bytes.hex)\n\(expected.hex)")
    }

    @Test func filterRefusesAnIPv4Destination() {
        #expect(throws: KernelError.self) {
            _ = try FilterRequest.redirectIPv6Destination(InetAddress("10.0.0.1")!, block: 1, priority: 1, toIngressOf: 2)
        }
    }
}
