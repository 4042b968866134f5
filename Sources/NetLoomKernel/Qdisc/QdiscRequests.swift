import CNetLoomShims
import Glibc

/// The qdisc kinds NetLoom builds, with their parameters.
public enum QdiscKind: Sendable, Equatable, Codable {
    case netem(NetemParameters)
    case tbf(TbfParameters)
    /// An htb qdisc whose unclassified traffic goes to class `defaultClass`.
    case htb(defaultClass: UInt16)

    public var name: String {
        switch self {
        case .netem: "netem"
        case .tbf: "tbf"
        case .htb: "htb"
        }
    }
}

/// Qdisc and class requests (RTM_NEWQDISC, RTM_DELQDISC, RTM_NEWTCLASS), named after `tc`.
public enum QdiscRequest {
    /// `tc qdisc add dev IF parent P handle H KIND ...`; `replace: true` is `tc qdisc replace`.
    public static func add(
        interface: Int32, parent: QdiscHandle, handle: QdiscHandle, kind: QdiscKind, replace: Bool = false
    ) throws(KernelError) -> NetlinkMessage {
        let flags = NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL)
        return try message(interface: interface, parent: parent, handle: handle, kind: kind, flags: flags,
                           verb: replace ? "replace" : "add")
    }

    /// `tc qdisc add dev IF ingress_block BLOCK clsact`: the hook for filters on the
    /// interface's received frames, taken from the shared filter block BLOCK (one set of
    /// filters for many interfaces, see `FilterRequest`).
    public static func addClsact(interface: Int32, ingressBlock: UInt32) throws(KernelError) -> NetlinkMessage {
        let builder = NetlinkMessageBuilder(
            type: UInt16(RTM_NEWQDISC), flags: NLM_F_CREATE | NLM_F_EXCL,
            operation: "tc qdisc add dev \(interface) ingress_block \(ingressBlock) clsact")
        builder.putFamilyHeader(header(interface: interface, parent: .clsact, handle: QdiscHandle(major: 0xFFFF)))
        builder.putString(TCA_KIND, "clsact")
        builder.put(TCA_INGRESS_BLOCK, ingressBlock)
        return try builder.finish()
    }

    /// `tc qdisc change dev IF parent P handle H KIND ...`: new parameters for an existing
    /// qdisc, in place. Queued packets stay queued and the interface never flaps.
    public static func change(
        interface: Int32, parent: QdiscHandle, handle: QdiscHandle, kind: QdiscKind
    ) throws(KernelError) -> NetlinkMessage {
        try message(interface: interface, parent: parent, handle: handle, kind: kind, flags: 0, verb: "change")
    }

    /// `tc qdisc del dev IF parent P` (P = root removes the device's whole tree).
    public static func delete(interface: Int32, parent: QdiscHandle = .root) throws(KernelError) -> NetlinkMessage {
        let builder = NetlinkMessageBuilder(
            type: UInt16(RTM_DELQDISC), operation: "tc qdisc del dev \(interface) \(parent == .root ? "root" : "parent \(parent)")")
        builder.putFamilyHeader(header(interface: interface, parent: parent, handle: .unspecified))
        return try builder.finish()
    }

    /// `tc class add|change dev IF parent P classid C htb ...`.
    public static func htbClass(
        interface: Int32, parent: QdiscHandle, classID: QdiscHandle, parameters: HtbClassParameters, change: Bool = false
    ) throws(KernelError) -> NetlinkMessage {
        try HtbRequests.class(
            interface: interface, parent: parent, classID: classID, parameters: parameters,
            flags: change ? 0 : NLM_F_CREATE | NLM_F_EXCL)
    }

    /// `tc -s qdisc show`: a dump request for every qdisc of the socket's namespace.
    public static func list() throws(KernelError) -> NetlinkMessage {
        let builder = NetlinkMessageBuilder(type: UInt16(RTM_GETQDISC), operation: "tc qdisc show")
        builder.putFamilyHeader(tcmsg())
        return try builder.finish()
    }

    /// `tc -s class show dev IF`.
    public static func listClasses(interface: Int32) throws(KernelError) -> NetlinkMessage {
        let builder = NetlinkMessageBuilder(type: UInt16(RTM_GETTCLASS), operation: "tc class show dev \(interface)")
        builder.putFamilyHeader(header(interface: interface, parent: .unspecified, handle: .unspecified))
        return try builder.finish()
    }

    private static func message(
        interface: Int32, parent: QdiscHandle, handle: QdiscHandle, kind: QdiscKind, flags: Int32, verb: String
    ) throws(KernelError) -> NetlinkMessage {
        let operation = "tc qdisc \(verb) dev \(interface) parent \(parent) handle \(handle) \(kind.name)"
        if case .htb(let defaultClass) = kind {
            return try HtbRequests.qdisc(
                interface: interface, parent: parent, handle: handle, defaultClass: defaultClass, flags: flags)
        }
        let builder = NetlinkMessageBuilder(type: UInt16(RTM_NEWQDISC), flags: flags, operation: operation)
        builder.putFamilyHeader(header(interface: interface, parent: parent, handle: handle))
        builder.putString(TCA_KIND, kind.name)
        switch kind {
        case .netem(let netem): NetemEncoding.encode(netem, into: builder)
        case .tbf(let tbf): TbfEncoding.encode(tbf, into: builder)
        case .htb: break
        }
        return try builder.finish()
    }

    static func header(interface: Int32, parent: QdiscHandle, handle: QdiscHandle) -> tcmsg {
        var header = tcmsg()
        header.tcm_family = UInt8(AF_UNSPEC)
        header.tcm_ifindex = interface
        header.tcm_parent = parent.raw
        header.tcm_handle = handle.raw
        return header
    }
}
