import Foundation
import Testing
import CNetLoomShims
@testable import NetLoomKernel

/// Sysctls and offloads inside a namespace, checked with independent tools.
@Suite("Namespace settings", .enabled(if: Root.available))
struct SettingsRootTests {
    @Test func sysctlIsPerNamespace() throws {
        try Root.withNamespaces(1) { ns in
            let outside = try ProcSys.read("net.ipv4.ip_forward")
            try ns[0].run { try ProcSys.write("net.ipv4.ip_forward", "1") }
            #expect(try ns[0].run { try ProcSys.read("net.ipv4.ip_forward") } == "1")
            #expect(try ProcSys.read("net.ipv4.ip_forward") == outside)
        }
    }

    @Test func eachNamespaceGetsItsOwnValueThroughTheSharedProcfsInstances() throws {
        try Root.withNamespaces(3) { ns in
            for (index, namespace) in ns.enumerated() {
                try namespace.run { try ProcSys.write([("net.ipv4.ip_default_ttl", "\(40 + index)")]) }
            }
            for (index, namespace) in ns.enumerated() {
                let shown = try Root.run("/usr/sbin/ip", ["netns", "exec", namespace.name!, "sysctl", "-n", "net.ipv4.ip_default_ttl"])
                #expect(shown.trimmingCharacters(in: .whitespacesAndNewlines) == "\(40 + index)")
            }
        }
    }

    @Test func severalSysctlsInOneCallByDottedKeyAndByPath() throws {
        try Root.withNamespaces(1) { ns in
            try ns[0].run {
                try ProcSys.write([("net.ipv4.tcp_rmem", "4096 131072 100000000"), ("net/ipv6/conf/lo/hop_limit", "17")])
            }
            let shown = try Root.run("/usr/sbin/ip", ["netns", "exec", ns[0].name!, "sysctl", "-n", "net.ipv4.tcp_rmem", "net.ipv6.conf.lo.hop_limit"])
            #expect(shown.split(whereSeparator: \.isWhitespace) == ["4096", "131072", "100000000", "17"])
        }
    }

    @Test func offloadsAreSwitchedOffOverEthtoolNetlink() throws {
        try Root.withNamespaces(1) { ns in
            let socket = try NetlinkSocket.open(in: ns[0])
            try socket.perform(LinkRequest.addVeth(InterfaceSpec(name: "eth0", index: 2), peer: InterfaceSpec(name: "p0", index: 3)))
            let generic = try ns[0].run { try NetlinkSocket(protocol: NETLINK_GENERIC) }
            let family = try GenericNetlink.family("ethtool", socket: generic)
            let reply = try #require(try generic.request(EthtoolRequest.getFeatures(family: family, interface: 2)).first)
            let changeable = EthtoolRequest.features(in: reply).changeable.filter(EthtoolRequest.isSegmentationOffload)
            #expect(changeable.contains("tx-tcp-segmentation") && changeable.contains("rx-gro"))
            let off = Dictionary(uniqueKeysWithValues: changeable.map { ($0, false) })
            try generic.perform(EthtoolRequest.setFeatures(family: family, interface: 2, off))
            let shown = try Root.run("/usr/sbin/ip", ["netns", "exec", ns[0].name!, "ethtool", "-k", "eth0"])
            #expect(shown.contains("tcp-segmentation-offload: off"))
            #expect(shown.contains("generic-segmentation-offload: off"))
            #expect(shown.contains("generic-receive-offload: off"))
            let after = try #require(try generic.request(EthtoolRequest.getFeatures(family: family, interface: 2)).first)
            #expect(EthtoolRequest.features(in: after).active.filter(EthtoolRequest.isSegmentationOffload).isEmpty)
        }
    }
}
