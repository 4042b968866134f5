import CMnl
import CNetLoomShims
import CNetlink
import Glibc

/// What this machine can do, probed rather than assumed: privileges from the
/// process's effective capability set, qdisc kinds by adding and deleting each in a
/// throwaway namespace, AF_PACKET by opening a socket.
public struct MachineCapabilities: Sendable, Codable, Equatable {
    public var kernelRelease: String
    public var hasNetAdmin: Bool
    public var hasSysAdmin: Bool
    public var canCreateNamespaces: Bool
    /// qdisc kind -> whether the kernel accepted it.
    public var qdiscKinds: [String: Bool]
    public var hasPacketSockets: Bool
    public var libnlVersion: String
    public var libmnlLibrary: String

    public var hasNetem: Bool { qdiscKinds["netem"] ?? false }

    public init(
        kernelRelease: String, hasNetAdmin: Bool, hasSysAdmin: Bool, canCreateNamespaces: Bool,
        qdiscKinds: [String: Bool], hasPacketSockets: Bool, libnlVersion: String, libmnlLibrary: String
    ) {
        self.kernelRelease = kernelRelease
        self.hasNetAdmin = hasNetAdmin
        self.hasSysAdmin = hasSysAdmin
        self.canCreateNamespaces = canCreateNamespaces
        self.qdiscKinds = qdiscKinds
        self.hasPacketSockets = hasPacketSockets
        self.libnlVersion = libnlVersion
        self.libmnlLibrary = libmnlLibrary
    }

    /// The kinds `probe` tries: what NetLoom builds, and what users commonly expect.
    public static let probedKinds = ["netem", "tbf", "htb", "fq", "fq_codel", "prio", "pfifo", "bfifo"]

    /// Probes the machine. Creating the throwaway namespace needs root; without it the
    /// qdisc kinds are reported as unknown (absent from the map).
    public static func probe() -> MachineCapabilities {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: name.release) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
        let effective = effectiveCapabilities()
        var kinds: [String: Bool] = [:]
        // Unique per call: probes on several threads of one process must not take each other's name.
        let scratch = "netloom-probe-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        var canCreate = false
        if let namespace = try? NetworkNamespace.create(named: scratch) {
            canCreate = true
            defer { try? NetworkNamespace.delete(named: scratch) }
            if let socket = try? NetlinkSocket.open(in: namespace) {
                for kind in probedKinds { kinds[kind] = probeQdisc(kind, socket: socket) }
            }
        }
        let packet = socket(AF_PACKET, Int32(SOCK_RAW.rawValue), 0)
        if packet >= 0 { close(packet) }
        return MachineCapabilities(
            kernelRelease: release,
            hasNetAdmin: effective & (1 << 12) != 0,  // CAP_NET_ADMIN
            hasSysAdmin: effective & (1 << 21) != 0,  // CAP_SYS_ADMIN
            canCreateNamespaces: canCreate,
            qdiscKinds: kinds,
            hasPacketSockets: packet >= 0,
            libnlVersion: "\(nl_ver_maj).\(nl_ver_min).\(nl_ver_mic)",
            libmnlLibrary: libraryPath(of: unsafeBitCast(mnl_socket_open as @convention(c) (Int32) -> OpaquePointer?, to: UnsafeRawPointer.self)) ?? "libmnl")
    }

    /// Adds the kind as lo's root qdisc and deletes it again.
    static func probeQdisc(_ kind: String, socket: NetlinkSocket) -> Bool {
        let builder = NetlinkMessageBuilder(type: UInt16(RTM_NEWQDISC), flags: NLM_F_CREATE | NLM_F_EXCL, operation: "tc qdisc add dev lo root \(kind)")
        builder.putFamilyHeader(QdiscRequest.header(interface: 1, parent: .root, handle: QdiscHandle(major: 1)))
        builder.putString(TCA_KIND, kind)
        switch kind {
        case "tbf":
            TbfEncoding.encode(TbfParameters(rateBitsPerSecond: 1_000_000, burstBytes: 10_000, limitBytes: 10_000), into: builder)
        case "netem":
            NetemEncoding.encode(NetemParameters(), into: builder)
        case "htb":
            builder.nest(TCA_OPTIONS) {
                var global = tc_htb_glob()
                global.version = 3
                global.rate2quantum = 10
                builder.putStruct(UInt16(TCA_HTB_INIT), global)
            }
        default:
            break
        }
        guard let message = try? builder.finish(), (try? socket.perform(message)) != nil else { return false }
        try? socket.perform(QdiscRequest.delete(interface: 1))
        return true
    }

    /// CapEff from /proc/self/status.
    static func effectiveCapabilities() -> UInt64 {
        guard let file = fopen("/proc/self/status", "r") else { return 0 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("CapEff:") {
                let hex = text.dropFirst("CapEff:".count).trimmingWhitespace()
                return UInt64(hex, radix: 16) ?? 0
            }
        }
        return 0
    }

    static func libraryPath(of symbol: UnsafeRawPointer) -> String? {
        guard let name = netloom_library_of(symbol) else { return nil }
        var resolved = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard realpath(name, &resolved) != nil else { return String(cString: name) }
        return String(decoding: resolved.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\n" }.reversed())
    }
}
