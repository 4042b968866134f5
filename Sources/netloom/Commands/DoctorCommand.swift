import ArgumentParser
import NetLoomCore
import NetLoomKernel

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Show what this machine can do for NetLoom, and how to get what is missing.")

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let machine = MachineCapabilities.probe()
        let findings = Doctor.findings(machine)
        if json { return try printJSON(findings) }
        print("kernel \(machine.kernelRelease), libnl \(machine.libnlVersion), libmnl \(machine.libmnlLibrary)\n")
        var table = Table("CHECK", "STATE", "WHAT IT MEANS")
        for finding in findings { table.add(finding.check, finding.ok ? "ok" : "MISSING", finding.advice) }
        print(table.render())
        if findings.contains(where: { !$0.ok && $0.required }) { throw Exit.missingCapability }
    }
}
