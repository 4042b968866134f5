import Foundation
import Testing
@testable import NetLoomKernel

/// netem on a kernel that has it. This machine's kernel lacks sch_netem, so these
/// run in the user-mode-linux lane (scripts/uml-test-lane), where they prove what
/// NetLoom configures; timing inside UML is coarse, so the ping check is loose.
@Suite("netem in real namespaces", .enabled(if: Root.hasNetem))
struct NetemRootTests {
    @Test func everyNetemParameterIsReadBack() throws {
        try Root.withNamespaces(1) { ns in
            let socket = try NetlinkSocket.open(in: ns[0])
            try socket.perform(LinkRequest.addVeth(InterfaceSpec(name: "eth0", index: 2), peer: InterfaceSpec(name: "p0", index: 3)))
            var netem = NetemParameters()
            netem.delay = .milliseconds(20)
            netem.jitter = .milliseconds(2)
            netem.delayCorrelation = 0.25
            netem.distribution = try DistributionTable.load("normal")
            netem.loss = .gilbertElliott(p: 0.01, r: 0.1, lossInBad: 0.7, lossInGood: 0.001)
            netem.duplicate = CorrelatedProbability(0.001, correlation: 0.1)
            netem.reorder = CorrelatedProbability(0.02, correlation: 0.05)
            netem.corrupt = CorrelatedProbability(0.0001, correlation: 0.01)
            netem.rateBitsPerSecond = 50_000_000_000
            netem.limit = 100_000
            netem.slot = NetemSlot(minimumDelay: .microseconds(100), maximumDelay: .microseconds(200))
            try socket.perform(QdiscRequest.add(interface: 2, parent: .root, handle: QdiscHandle(major: 1), kind: .netem(netem)))

            let info = try #require(try socket.dump(QdiscRequest.list()).compactMap(QdiscInfo.init).first { $0.interface == 2 })
            guard case .netem(let back) = info.kind else { Issue.record("expected netem, got \(info.kindName)"); return }
            #expect(back.delay == netem.delay && back.jitter == netem.jitter)
            #expect(back.limit == netem.limit && back.rateBitsPerSecond == netem.rateBitsPerSecond)
            #expect(back.reorderGap == 1)
            #expect(back.slot == netem.slot)
            #expect(close(back.delayCorrelation, 0.25) && close(back.duplicate.probability, 0.001))
            #expect(close(back.reorder.probability, 0.02) && close(back.corrupt.probability, 0.0001))
            guard case .gilbertElliott(let p, let r, let bad, let good) = back.loss else { Issue.record("loss model"); return }
            #expect(close(p, 0.01) && close(r, 0.1) && close(bad, 0.7) && close(good, 0.001))
        }
    }

    @Test func netemChangeInPlaceAndTbfChild() throws {
        try Root.withNamespaces(1) { ns in
            let socket = try NetlinkSocket.open(in: ns[0])
            try socket.perform(LinkRequest.addVeth(InterfaceSpec(name: "eth0", index: 2), peer: InterfaceSpec(name: "p0", index: 3)))
            var netem = NetemParameters()
            netem.delay = .milliseconds(5)
            netem.loss = .random(CorrelatedProbability(0.01))
            try socket.perform(QdiscRequest.add(interface: 2, parent: .root, handle: QdiscHandle(major: 1), kind: .netem(netem)))
            let tbf = TbfParameters(rateBitsPerSecond: 100_000_000_000, burstBytes: 12_500_000, limitBytes: 25_000_000)
            try socket.perform(QdiscRequest.add(
                interface: 2, parent: QdiscHandle(major: 1, minor: 1), handle: QdiscHandle(major: 0x10), kind: .tbf(tbf)))
            netem.delay = .milliseconds(40)
            try socket.perform(QdiscRequest.change(interface: 2, parent: .root, handle: QdiscHandle(major: 1), kind: .netem(netem)))

            let all = try socket.dump(QdiscRequest.list()).compactMap(QdiscInfo.init).filter { $0.interface == 2 }
            guard case .netem(let back) = all.first(where: { $0.parent == .root })?.kind else { Issue.record("netem"); return }
            #expect(back.delay == .milliseconds(40))
            guard case .tbf(let child) = all.first(where: { $0.parent == QdiscHandle(major: 1, minor: 1) })?.kind else {
                Issue.record("tbf child"); return
            }
            #expect(child.rateBitsPerSecond == 100_000_000_000)
        }
    }

    @Test func pingRoundTripReflectsTheConfiguredDelay() throws {
        try Root.withNamespaces(2) { ns in
            let root = try NetlinkSocket()
            try root.perform(LinkRequest.addVeth(
                InterfaceSpec(name: "eth0", namespace: ns[0], index: 2), peer: InterfaceSpec(name: "eth0", namespace: ns[1], index: 2)))
            let a = try NetlinkSocket.open(in: ns[0])
            let b = try NetlinkSocket.open(in: ns[1])
            try b.perform(LinkRequest.setState(index: 2, up: true))
            try a.perform(AddressRequest.add(InetPrefix("10.9.0.1/24")!, interface: 2))
            try b.perform(AddressRequest.add(InetPrefix("10.9.0.2/24")!, interface: 2))
            var netem = NetemParameters()
            netem.delay = .milliseconds(10)
            try a.perform(QdiscRequest.add(interface: 2, parent: .root, handle: QdiscHandle(major: 1), kind: .netem(netem)))
            try b.perform(QdiscRequest.add(interface: 2, parent: .root, handle: QdiscHandle(major: 1), kind: .netem(netem)))

            let output = try runProcess("/usr/sbin/ip", ["netns", "exec", ns[0].name!, "ping", "-c", "5", "-i", "0.2", "-q", "10.9.0.2"])
            let average = try #require(pingAverage(output), "ping said: \(output)")
            // 10 ms each way; UML's clock is coarse, so accept a wide band.
            #expect(average > 19 && average < 30, "average RTT \(average) ms")
        }
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-6 }
}

/// "rtt min/avg/max/mdev = 20.1/20.3/20.9/0.2 ms" -> 20.3
func pingAverage(_ output: String) -> Double? {
    guard let line = output.split(separator: "\n").first(where: { $0.contains("min/avg/max") }),
          let values = line.split(separator: "=").last?.split(separator: "/"), values.count >= 2
    else { return nil }
    return Double(values[1].trimmingCharacters(in: .whitespaces))
}

func runProcess(_ path: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}
