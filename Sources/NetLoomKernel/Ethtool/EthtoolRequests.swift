import CNetLoomShims
import Glibc

/// Interface offloads over ethtool's generic-netlink family, as `ethtool -K` sets them.
public enum EthtoolRequest {
    /// Whether a feature is one NetLoom switches with `offloads:` in a lab: TSO (every
    /// `tx-tcp*-segmentation` bit the kernel has, as `ethtool -K tso` expands it), GSO
    /// and GRO. With them on, veths carry 64 KB super-packets; with them off, every
    /// packet is MTU-sized, which is slower but shapes like a real wire.
    public static func isSegmentationOffload(_ feature: String) -> Bool {
        (feature.hasPrefix("tx-tcp") && feature.hasSuffix("segmentation"))
            || feature == "tx-generic-segmentation" || feature == "rx-gro"
    }

    /// `ethtool -k IF`: a request for the interface's features, with bit names.
    public static func getFeatures(family: UInt16, interface: Int32) throws(KernelError) -> NetlinkMessage {
        let builder = NetlinkMessageBuilder(type: family, operation: "ethtool -k \(interface)")
        var header = genlmsghdr()
        header.cmd = UInt8(ETHTOOL_MSG_FEATURES_GET)
        header.version = UInt8(ETHTOOL_GENL_VERSION)
        builder.putFamilyHeader(header)
        builder.nest(ETHTOOL_A_FEATURES_HEADER, flagged: true) {
            builder.put(ETHTOOL_A_HEADER_DEV_INDEX, UInt32(bitPattern: interface))
        }
        return try builder.finish()
    }

    /// The names of the features a FEATURES_GET reply lists as changeable
    /// (ETHTOOL_A_FEATURES_HW) and as active (ETHTOOL_A_FEATURES_ACTIVE).
    public static func features(in reply: NetlinkMessage) -> (changeable: [String], active: Set<String>) {
        let attributes = reply.attributes(after: genlmsghdr.self)
        func names(_ type: Int, onlySet: Bool) -> [String] {
            guard let bits = attributes.nested(type)?.nested(ETHTOOL_A_BITSET_BITS) else { return [] }
            return bits.all(ETHTOOL_A_BITSET_BITS_BIT).compactMap { raw in
                let bit = NetlinkAttributes(raw)
                if onlySet && bit[ETHTOOL_A_BITSET_BIT_VALUE] == nil { return nil }
                return bit.string(ETHTOOL_A_BITSET_BIT_NAME)
            }
        }
        return (names(ETHTOOL_A_FEATURES_HW, onlySet: true), Set(names(ETHTOOL_A_FEATURES_ACTIVE, onlySet: true)))
    }

    /// `ethtool -K IF feature on|off ...`. `family` comes from `GenericNetlink.family("ethtool")`.
    public static func setFeatures(
        family: UInt16, interface: Int32, _ features: [String: Bool]
    ) throws(KernelError) -> NetlinkMessage {
        let builder = NetlinkMessageBuilder(
            type: family,
            operation: "ethtool -K \(interface) " + features.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value ? "on" : "off")" }.joined(separator: " "))
        var header = genlmsghdr()
        header.cmd = UInt8(ETHTOOL_MSG_FEATURES_SET)
        header.version = UInt8(ETHTOOL_GENL_VERSION)
        builder.putFamilyHeader(header)
        builder.nest(ETHTOOL_A_FEATURES_HEADER, flagged: true) {
            builder.put(ETHTOOL_A_HEADER_DEV_INDEX, UInt32(bitPattern: interface))
        }
        builder.nest(ETHTOOL_A_FEATURES_WANTED, flagged: true) {
            builder.nest(ETHTOOL_A_BITSET_BITS, flagged: true) {
                for (name, on) in features.sorted(by: { $0.key < $1.key }) {
                    builder.nest(ETHTOOL_A_BITSET_BITS_BIT, flagged: true) {
                        builder.putString(ETHTOOL_A_BITSET_BIT_NAME, name)
                        if on { builder.putBytes(ETHTOOL_A_BITSET_BIT_VALUE, UnsafeRawBufferPointer(start: nil, count: 0)) }
                    }
                }
            }
        }
        return try builder.finish()
    }
}

/// Generic netlink's controller: resolves a family name to its message type.
public enum GenericNetlink {
    /// `genl ctrl get name NAME` and returns the family id.
    public static func family(_ name: String, socket: NetlinkSocket) throws(KernelError) -> UInt16 {
        let builder = NetlinkMessageBuilder(type: UInt16(GENL_ID_CTRL), operation: "genl ctrl get name \(name)")
        var header = genlmsghdr()
        header.cmd = UInt8(CTRL_CMD_GETFAMILY)
        header.version = 1
        builder.putFamilyHeader(header)
        builder.putString(UInt16(CTRL_ATTR_FAMILY_NAME), name)
        let replies = try socket.request(try builder.finish())
        for reply in replies {
            if let id: UInt16 = reply.attributes(after: genlmsghdr.self).integer(UInt16(CTRL_ATTR_FAMILY_ID)) { return id }
        }
        throw KernelError("genl ctrl get name \(name)", errno: .noSuchFileOrDirectory, hint: "generic netlink family \(name) not found")
    }
}
