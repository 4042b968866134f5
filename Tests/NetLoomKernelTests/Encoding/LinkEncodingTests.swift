import CNetLoomShims
import Testing
@testable import NetLoomKernel

/// Byte-exact checks of the link and ethtool messages NetLoom builds itself (libmnl).
@Suite("Link and ethtool message encoding")
struct LinkEncodingTests {
    let rtmNewLink: UInt16 = 16
    let request: UInt16 = 0x1, ack: UInt16 = 0x4, excl: UInt16 = 0x200, create: UInt16 = 0x400
    let nested: UInt16 = 0x8000

    /// struct ifinfomsg
    func linkHeader(_ body: inout WireBytes, index: Int32, flags: UInt32 = 0, change: UInt32 = 0) {
        body.u8(0); body.u8(0); body.u16(0)  // family AF_UNSPEC, pad, type
        body.i32(index)
        body.u32(flags)
        body.u32(change)
    }

    @Test func bridgeWithoutSpanningTreeOrSnooping() throws {
        let message = try LinkRequest.addBridge(InterfaceSpec(name: "br0", index: 2, mtu: 9000))
        let expected = WireBytes.message(type: rtmNewLink, flags: request | ack | create | excl) { body in
            linkHeader(&body, index: 2, flags: 1, change: 1)  // IFF_UP
            body.string(3, "br0")  // IFLA_IFNAME
            body.attribute(4) { $0.u32(9000) }  // IFLA_MTU
            body.attribute(18) { info in  // IFLA_LINKINFO
                info.string(1, "bridge")  // IFLA_INFO_KIND
                info.attribute(2) { data in  // IFLA_INFO_DATA
                    data.attribute(5) { $0.u32(0) }  // IFLA_BR_STP_STATE
                    data.attribute(1) { $0.u32(0) }  // IFLA_BR_FORWARD_DELAY
                    data.attribute(23) { $0.u8(0) }  // IFLA_BR_MCAST_SNOOPING
                }
            }
        }
        #expect(message.bytes == expected, "\n\(message.bytes.hex)\n\(expected.hex)")
    }

    @Test func setStateWithMasterAndAlias() throws {
        let message = try LinkRequest.setState(index: 7, up: true, alias: "netloom:lab:1", master: 2)
        let expected = WireBytes.message(type: rtmNewLink, flags: request | ack) { body in
            linkHeader(&body, index: 7, flags: 1, change: 1)
            body.attribute(10) { $0.u32(2) }  // IFLA_MASTER
            body.string(20, "netloom:lab:1")  // IFLA_IFALIAS
        }
        #expect(message.bytes == expected, "\n\(message.bytes.hex)\n\(expected.hex)")
        let down = try LinkRequest.setState(index: 7, up: false)
        #expect(down.bytes == WireBytes.message(type: rtmNewLink, flags: request | ack) { linkHeader(&$0, index: 7, change: 1) })
    }

    @Test func vethFromLibnlCarriesBothNamespacesAndIndexes() throws {
        let here = try NetworkNamespace.current()
        let message = try LinkRequest.addVeth(
            InterfaceSpec(name: "eth0", namespace: here, index: 3, mtu: 1500, up: false),
            peer: InterfaceSpec(name: "p0", namespace: here, index: 4, up: true))
        #expect(message.type == rtmNewLink && message.flags & (create | excl) == create | excl)
        let attributes = message.attributes(after: ifinfomsg.self)
        #expect(attributes.string(3) == "eth0")
        #expect(attributes.integer(28, as: UInt32.self) == UInt32(here.descriptor.rawValue))  // IFLA_NET_NS_FD
        let info = try #require(attributes.nested(18))
        #expect(info.string(1) == "veth")
        let peer = try #require(info.nested(2)?[1])  // IFLA_INFO_DATA / VETH_INFO_PEER: ifinfomsg + attributes
        let peerIndex = peer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 4, as: Int32.self) }
        let peerFlags = peer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self) }
        #expect(peerIndex == 4)
        #expect(peerFlags == 0, "a veth peer cannot come up at creation (ENOTCONN)")
        #expect(NetlinkAttributes(peer.dropFirst(16)).string(3) == "p0")
        // One queue each way on both ends (IFLA_NUM_TX_QUEUES 31, IFLA_NUM_RX_QUEUES 32).
        for attributes in [attributes, NetlinkAttributes(peer.dropFirst(16))] {
            #expect(attributes.integer(31, as: UInt32.self) == 1 && attributes.integer(32, as: UInt32.self) == 1)
        }
    }

    @Test func ethtoolFeaturesSetListsBitsByName() throws {
        let message = try EthtoolRequest.setFeatures(family: 21, interface: 5, ["rx-gro": false, "tx-tcp-segmentation": true])
        let expected = WireBytes.message(type: 21, flags: request | ack) { body in
            body.u8(UInt8(ETHTOOL_MSG_FEATURES_SET)); body.u8(1); body.u16(0)  // genlmsghdr
            body.attribute(1 | nested) { $0.attribute(1) { $0.u32(5) } }  // HEADER { DEV_INDEX }
            body.attribute(3 | nested) { wanted in  // FEATURES_WANTED
                wanted.attribute(3 | nested) { bits in  // BITSET_BITS
                    bits.attribute(1 | nested) { $0.string(2, "rx-gro") }  // BIT { NAME } (off: no VALUE)
                    bits.attribute(1 | nested) { bit in
                        bit.string(2, "tx-tcp-segmentation")
                        bit.attribute(3) { _ in }  // VALUE flag: on
                    }
                }
            }
        }
        #expect(message.bytes == expected, "\n\(message.bytes.hex)\n\(expected.hex)")
    }
}
