import Foundation
import NetLoomCore
import NetLoomKernel
import NetLoomModel
import Testing

/// Labs whose links the userspace engine shapes (what `backend: auto` picks where the
/// kernel has no netem, and what `backend: userspace` asks for everywhere).
@Suite("Userspace-shaped labs", .enabled(if: LabTests.available), .serialized)
struct EngineLabRootTests {
    static let wan = """
        name: NAME
        nodes:
          a: {}
          b: {}
        links:
          - endpoints: [a, b]
            name: wan
            backend: userspace
            delay: 5ms
        """

    @Test func delayIsRealAndTheEngineReportsIt() throws {
        try LabTests.withLab(Self.wan) { state in
            #expect(state.engine != nil && state.wireNamespace == "\(state.lab.name)._wire")
            let b = state.lab.node(named: "b")!.interfaces[0].ipv4!.address
            let result = try LabTests.exec(state, "a", ["ping", "-c", "5", "-i", "0.2", "\(b)"])
            let average = try #require(pingAverage(result.output), "\(result.output)")
            // 5 ms each way; the first ping also resolves ARP across the link.
            #expect(average > 9.9 && average < 14, "RTT \(average) ms")
            let report = try LabStatusReader.read(lab: state.lab.name)
            let wan = try #require(report.links.first)
            #expect(wan.backend == .userspace && wan.up)
            #expect(wan.directions[0].shaping.hasPrefix("engine delay 5ms"))
            #expect(wan.directions[0].counters.packets >= 5)
        }
    }

    @Test func setChangesTheEngineInPlace() throws {
        try LabTests.withLab(Self.wan) { state in
            let change = LinkChange.parse(link: "wan", words: ["delay=20ms", "from_b.loss=50%"]).change!
            try LabControl.setShaping(lab: state.lab.name, change: change, logger: LabTests.logger)
            let report = try LabStatusReader.read(lab: state.lab.name).links[0]
            #expect(report.directions[0].shaping.hasPrefix("engine delay 20ms"))
            #expect(report.directions[1].shaping.contains("loss 50%"))
            let b = state.lab.node(named: "b")!.interfaces[0].ipv4!.address
            let result = try LabTests.exec(state, "a", ["ping", "-c", "20", "-i", "0.05", "-q", "\(b)"])
            #expect(result.output.contains("20 packets transmitted"))
            #expect(!result.output.contains(" 0% packet loss"), "b->a loses half: \(result.output)")
        }
    }

    @Test func linkDownCutsCarrierAndUpRestoresIt() throws {
        try LabTests.withLab(Self.wan) { state in
            let b = state.lab.node(named: "b")!.interfaces[0].ipv4!.address
            try LabControl.setLink(lab: state.lab.name, link: "wan", up: false, logger: LabTests.logger)
            #expect(try LabTests.exec(state, "a", ["ping", "-c", "1", "-W", "1", "\(b)"]).status != 0)
            let carrier = try LabTests.exec(state, "a", ["cat", "/sys/class/net/eth0/carrier"])
            #expect(carrier.output.hasPrefix("0"), "a's eth0 lost carrier")
            try LabControl.setLink(lab: state.lab.name, link: "wan", up: true, logger: LabTests.logger)
            #expect(try LabTests.exec(state, "a", ["ping", "-c", "1", "-W", "2", "\(b)"]).status == 0)
        }
    }

    @Test func downRemovesTheWireNamespaceAndTheEngineAfterSIGKILL() throws {
        let executable = LabTests.netloomExecutable
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build netloom first")
        let (lab, text) = try LabTests.lab(Self.wan)
        let file = "/tmp/\(lab.name).yaml"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { unlink(file) }
        defer { _ = try? LabLifecycle.down(lab: lab.name, logger: LabTests.logger) }
        let up = try LabTests.run(executable, ["up", "-q", file])
        #expect(up.status == 0, "\(up.output)")
        let state = try LabState.load(lab: lab.name)
        let engine = try #require(state.engine)
        // The process that ran `up` is long gone; kill the engine like a crash would,
        // and take `down` from the journal alone.
        kill(engine.pid, SIGKILL)
        let report = try LabLifecycle.down(lab: lab.name, logger: LabTests.logger)
        #expect(report.removedNamespaces.contains("\(lab.name)._wire"))
        #expect(LabTests.namespaces(of: lab.name).isEmpty)
        #expect(!ProcessIdentity.isAlive(pid: engine.pid, startTime: engine.startTime))
    }

    @Test func downStopsALiveEngine() throws {
        let (lab, text) = try LabTests.lab(Self.wan)
        let executable = LabTests.netloomExecutable
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build netloom first")
        let file = "/tmp/\(lab.name).yaml"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { unlink(file) }
        #expect(try LabTests.run(executable, ["up", "-q", file]).status == 0)
        let engine = try #require(try LabState.load(lab: lab.name).engine)
        #expect(ProcessIdentity.isAlive(pid: engine.pid, startTime: engine.startTime))
        let report = try LabLifecycle.down(lab: lab.name, logger: LabTests.logger)
        #expect(report.stoppedProcesses.contains(engine.pid))
        #expect(!ProcessIdentity.isAlive(pid: engine.pid, startTime: engine.startTime))
        #expect(LabTests.namespaces(of: lab.name).isEmpty)
    }
}
