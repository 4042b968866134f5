import ArgumentParser
import NetLoomCore
import NetLoomModel

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check lab files without building anything (no root needed).")

    @Argument(help: "Lab files to check.")
    var files: [String]

    @OptionGroup var global: GlobalOptions

    func run() throws {
        var failed = false
        for file in files {
            do {
                let lab = try ResolvedLab.load(path: file)
                for warning in lab.warnings { printError("\(warning)") }
                if !global.quiet {
                    print("\(file): ok: lab \(lab.name), \(lab.nodes.count) nodes, \(lab.links.count) links, "
                          + "\(lab.segments.count) subnets, \(lab.workloads.count) workloads, "
                          + "longest RTT \(Units.duration(lab.rttReference))")
                }
            } catch {
                printError(error.description)
                failed = true
            }
        }
        if failed { throw Exit.badInput }
    }
}
