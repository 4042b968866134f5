import CNetLoomShims
import Testing
@testable import NetLoomKernel

@Suite("Links in real namespaces", .enabled(if: Root.available))
struct LinkRootTests {
    @Test func vethIsCreatedStraightIntoTwoNamespacesWithIndexAliasAndState() throws {
        try Root.withNamespaces(2) { ns in
            let root = try NetlinkSocket()
            let request = try LinkRequest.addVeth(
                InterfaceSpec(name: "eth0", namespace: ns[0], index: 7, mtu: 9000),
                peer: InterfaceSpec(name: "eth3", namespace: ns[1], index: 12, mtu: 9000))
            try root.perform(request)
            try NetlinkSocket.open(in: ns[0]).perform(LinkRequest.setState(index: 7, up: true, alias: "netloom:test"))
            try NetlinkSocket.open(in: ns[1]).perform(LinkRequest.setState(index: 12, up: true, alias: "netloom:peer"))

            let a = try NetlinkSocket.open(in: ns[0]).dump(LinkRequest.list()).compactMap(LinkInfo.init)
            let b = try NetlinkSocket.open(in: ns[1]).dump(LinkRequest.list()).compactMap(LinkInfo.init)
            let eth0 = try #require(a.first { $0.name == "eth0" })
            let eth3 = try #require(b.first { $0.name == "eth3" })
            #expect(eth0.index == 7 && eth3.index == 12)
            #expect(eth0.mtu == 9000 && eth0.alias == "netloom:test" && eth0.kind == "veth")
            #expect(eth0.isUp && eth3.isUp)
            #expect(eth3.alias == "netloom:peer")
            for (namespace, device) in [(ns[0], "eth0"), (ns[1], "eth3")] {
                let details = try Root.run("/usr/sbin/ip", ["-n", namespace.name!, "-d", "link", "show", device])
                #expect(details.contains("numtxqueues 1 "), "\(details)")
                // Kernels without CONFIG_RPS (the user-mode Linux lane's) do not report rx queues.
                #expect(!details.contains("numrxqueues") || details.contains("numrxqueues 1 "), "\(details)")
            }
        }
    }

    @Test func bridgeEnslavesAPortAtCreation() throws {
        try Root.withNamespaces(2) { ns in
            let root = try NetlinkSocket()
            try root.perform(LinkRequest.addBridge(InterfaceSpec(name: "br0", namespace: ns[1], index: 2)))
            try root.perform(LinkRequest.addVeth(
                InterfaceSpec(name: "p1", namespace: ns[1], index: 3, master: 2),
                peer: InterfaceSpec(name: "eth0", namespace: ns[0], index: 2)))
            let links = try NetlinkSocket.open(in: ns[1]).dump(LinkRequest.list()).compactMap(LinkInfo.init)
            #expect(links.first { $0.name == "br0" }?.kind == "bridge")
            #expect(links.first { $0.name == "p1" }?.master == 2)
        }
    }

    @Test func kernelErrorTextIsReported() throws {
        try Root.withNamespaces(1) { ns in
            let socket = try NetlinkSocket.open(in: ns[0])
            try socket.perform(LinkRequest.addBridge(InterfaceSpec(name: "br0", index: 5)))
            #expect {
                try socket.perform(LinkRequest.addBridge(InterfaceSpec(name: "br1", index: 5)))
            } throws: { error in
                (error as? KernelError)?.errno == .fileExists
            }
        }
    }
}
