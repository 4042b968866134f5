import Foundation
import NetLoomCore
import NetLoomKernel
import Testing

/// `down` removes what its lab created and nothing else, also after the process that
/// ran `up` was killed half-way.
@Suite("Teardown safety", .enabled(if: LabTests.available), .serialized)
struct OwnershipRootTests {
    static let star = """
        name: NAME
        nodes:
          h[1-120]: { kind: host }
          sw: { kind: switch }
        links:
          - endpoints: ["h[1-120]", sw]
            rate: 1gbit
        """

    @Test func upRefusesANameSomeoneElseHoldsAndLeavesItAlone() throws {
        let (lab, text) = try LabTests.lab(LabLifecycleRootTests.routed)
        let foreign = "\(lab.name).h2"
        _ = try NetworkNamespace.create(named: foreign)
        defer { try? NetworkNamespace.delete(named: foreign) }
        #expect(throws: CoreError.nameTaken(namespace: foreign)) {
            _ = try LabLifecycle.up(lab, labText: text, logger: LabTests.logger, machine: LabTests.machine)
        }
        #expect(NetworkNamespace.exists(named: foreign))
        #expect(LabTests.namespaces(of: lab.name) == [foreign])
    }

    @Test func downLeavesAForeignNamespaceThatTookALabName() throws {
        let (lab, text) = try LabTests.lab(LabLifecycleRootTests.routed)
        _ = try LabLifecycle.up(lab, labText: text, logger: LabTests.logger, machine: LabTests.machine)
        // Someone removes one of the lab's namespaces and makes their own under its name.
        let name = "\(lab.name).far"
        try NetworkNamespace.delete(named: name)
        _ = try NetworkNamespace.create(named: name)
        defer { try? NetworkNamespace.delete(named: name) }
        let report = try LabLifecycle.down(lab: lab.name, logger: LabTests.logger)
        #expect(report.foreignNamespaces == [name])
        #expect(NetworkNamespace.exists(named: name))
        #expect(LabTests.namespaces(of: lab.name) == [name])
        // Once it is gone, down finishes the job.
        try NetworkNamespace.delete(named: name)
        _ = try LabLifecycle.down(lab: lab.name, logger: LabTests.logger)
        #expect(!LabDirectory(lab: lab.name).exists)
    }

    @Test func downCleansUpAfterUpWasKilledHalfWay() throws {
        let executable = LabTests.netloomExecutable
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build netloom first")
        let (lab, text) = try LabTests.lab(Self.star)
        let file = "/tmp/\(lab.name).yaml"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { unlink(file) }
        defer { _ = try? LabLifecycle.down(lab: lab.name, logger: LabTests.logger) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["up", "-q", file]
        try process.run()
        // Wait until it has created some namespaces, then SIGKILL it mid-build.
        let deadline = Date().addingTimeInterval(20)
        while LabTests.namespaces(of: lab.name).count < 10 && process.isRunning && Date() < deadline { usleep(1_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "up finished before it could be killed")
        #expect(!LabTests.namespaces(of: lab.name).isEmpty)

        let report = try LabLifecycle.down(lab: lab.name, logger: LabTests.logger)
        #expect(report.foreignNamespaces.isEmpty)
        #expect(LabTests.namespaces(of: lab.name).isEmpty)
        #expect(!LabDirectory(lab: lab.name).exists)
    }

    @Test func aFailureHalfWayRollsBackEverything() throws {
        // The second node's sysctl does not exist: up fails after the first namespaces exist.
        let (lab, text) = try LabTests.lab("""
            name: NAME
            nodes:
              a: {}
              b: { sysctls: { net.ipv4.no_such_setting: "1" } }
            links:
              - endpoints: [a, b]
            """)
        #expect(throws: (any Error).self) {
            _ = try LabLifecycle.up(lab, labText: text, logger: LabTests.logger, machine: LabTests.machine)
        }
        #expect(LabTests.namespaces(of: lab.name).isEmpty)
        #expect(!LabDirectory(lab: lab.name).exists)
    }
}
