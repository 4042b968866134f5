import Glibc
import Testing
@testable import NetLoomKernel

/// Qdiscs on real veths: what NetLoom writes is what the kernel reads back.
@Suite("Qdiscs in real namespaces", .enabled(if: Root.available))
struct QdiscRootTests {
    /// A veth pair inside one namespace: eth0 (index 2) and peer0 (index 3).
    func withVeth(_ body: (NetlinkSocket) throws -> Void) throws {
        try Root.withNamespaces(1) { ns in
            let socket = try NetlinkSocket.open(in: ns[0])
            try socket.perform(LinkRequest.addVeth(
                InterfaceSpec(name: "eth0", index: 2), peer: InterfaceSpec(name: "peer0", index: 3)))
            try socket.perform(LinkRequest.setState(index: 3, up: true))
            try body(socket)
        }
    }

    func qdiscs(_ socket: NetlinkSocket, interface: Int32) throws -> [QdiscInfo] {
        try socket.dump(QdiscRequest.list()).compactMap(QdiscInfo.init).filter { $0.interface == interface }
    }

    @Test(arguments: [UInt64(10_000_000), 1_000_000_000, 25_000_000_000, 400_000_000_000])
    func tbfRateIsReadBackExactly(rate: UInt64) throws {
        try withVeth { socket in
            let burst = UInt32(max(rate / 8 / 1000, 3028))
            let tbf = TbfParameters(rateBitsPerSecond: rate, burstBytes: burst, limitBytes: 1_000_000)
            try socket.perform(QdiscRequest.add(interface: 2, parent: .root, handle: QdiscHandle(major: 1), kind: .tbf(tbf)))
            let root = try #require(try qdiscs(socket, interface: 2).first { $0.parent == .root })
            guard case .tbf(let back) = root.kind else { Issue.record("expected tbf, got \(root.kindName)"); return }
            #expect(back.rateBitsPerSecond == rate)
            #expect(back.limitBytes == 1_000_000)
            // The kernel keeps the bucket as time in 64 ns ticks.
            let tolerance = Double(rate) / 8 * 64e-9 + 1
            #expect(abs(Double(back.burstBytes) - Double(burst)) <= tolerance)
        }
    }

    @Test func tbfChangeInPlaceKeepsTheQdisc() throws {
        try withVeth { socket in
            let before = TbfParameters(rateBitsPerSecond: 1_000_000_000, burstBytes: 125_000, limitBytes: 500_000)
            try socket.perform(QdiscRequest.add(interface: 2, parent: .root, handle: QdiscHandle(major: 1), kind: .tbf(before)))
            let after = TbfParameters(rateBitsPerSecond: 100_000_000, burstBytes: 12_500, limitBytes: 250_000)
            try socket.perform(QdiscRequest.change(interface: 2, parent: .root, handle: QdiscHandle(major: 1), kind: .tbf(after)))
            let root = try #require(try qdiscs(socket, interface: 2).first { $0.parent == .root })
            #expect(root.handle == QdiscHandle(major: 1))
            guard case .tbf(let back) = root.kind else { Issue.record("expected tbf"); return }
            #expect(back.rateBitsPerSecond == 100_000_000 && back.limitBytes == 250_000)
        }
    }

    @Test func htbClassAt400GigabitIsReadBack() throws {
        try withVeth { socket in
            try socket.perform(QdiscRequest.add(interface: 2, parent: .root, handle: QdiscHandle(major: 1), kind: .htb(defaultClass: 1)))
            let parameters = HtbClassParameters(rateBitsPerSecond: 400_000_000_000, burstBytes: 50_000_000, quantumBytes: 200_000)
            try socket.perform(QdiscRequest.htbClass(
                interface: 2, parent: QdiscHandle(major: 1), classID: QdiscHandle(major: 1, minor: 1), parameters: parameters))
            let root = try #require(try qdiscs(socket, interface: 2).first { $0.parent == .root })
            #expect(root.kind == .htb(defaultClass: 1))
            let classes = try socket.dump(QdiscRequest.listClasses(interface: 2)).compactMap(QdiscInfo.init)
            let htbClass = try #require(classes.first { $0.handle == QdiscHandle(major: 1, minor: 1) }?.htbClass)
            #expect(htbClass.rateBitsPerSecond == 400_000_000_000)
            #expect(htbClass.ceilBitsPerSecond == 400_000_000_000)
            #expect(htbClass.quantumBytes == 200_000)
        }
    }

    @Test func statisticsCountTraffic() throws {
        try withVeth { socket in
            let tbf = TbfParameters(rateBitsPerSecond: 1_000_000_000, burstBytes: 125_000, limitBytes: 500_000)
            try socket.perform(QdiscRequest.add(interface: 2, parent: .root, handle: QdiscHandle(major: 1), kind: .tbf(tbf)))
            try socket.perform(LinkRequest.setState(index: 2, up: true))
            // IPv6 router solicitations and MLD reports leave eth0 once it is up; wait for some.
            var statistics = QdiscStatistics()
            for _ in 0..<50 where statistics.packets == 0 {
                usleep(100_000)
                statistics = try #require(try qdiscs(socket, interface: 2).first { $0.parent == .root }).statistics
            }
            #expect(statistics.packets > 0 && statistics.bytes > 0)
        }
    }

    @Test(.enabled(if: Root.lacksNetem)) func missingQdiscKindIsAClearError() throws {
        try withVeth { socket in
            #expect {
                try socket.perform(QdiscRequest.add(
                    interface: 2, parent: .root, handle: QdiscHandle(major: 1), kind: .htb(defaultClass: 1)))
                var netem = NetemParameters()
                netem.delay = .milliseconds(1)
                try socket.perform(QdiscRequest.add(
                    interface: 3, parent: .root, handle: QdiscHandle(major: 1), kind: .netem(netem)))
            } throws: { error in
                guard let error = error as? KernelError else { return false }
                return error.errno == .noSuchFileOrDirectory && (error.kernelMessage ?? "").contains("unknown")
            }
        }
    }
}
