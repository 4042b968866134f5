import ArgumentParser
import NetLoomCore

struct DownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Remove a lab and everything it created, and nothing else (needs root).",
        discussion: "Idempotent; also cleans up after an `up` that was killed half-way.")

    @Argument(help: "The lab's name.")
    var lab: String?

    @Flag(help: "Remove every NetLoom lab on this machine.")
    var all = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if all == (lab != nil) { throw ValidationError("give a lab name or --all") }
    }

    func run() throws {
        let logger = global.logger()
        do {
            let reports = all ? try LabLifecycle.downAll(logger: logger) : [try LabLifecycle.down(lab: lab!, logger: logger)]
            for report in reports where !global.quiet {
                var line = "lab \(report.lab): removed \(plural(report.removedNamespaces.count, "namespace"))"
                if !report.stoppedProcesses.isEmpty { line += ", stopped \(plural(report.stoppedProcesses.count, "process"))" }
                if !report.foreignNamespaces.isEmpty {
                    line += "; left alone (not created by this lab): \(report.foreignNamespaces.joined(separator: ", "))"
                }
                print(line)
            }
            if reports.isEmpty && !global.quiet { print("no labs") }
        } catch {
            throw Exit.report(error)
        }
    }
}
