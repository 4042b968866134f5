import ArgumentParser
import NetLoomCore

/// `netloom engine-daemon LAB`: the process `up` starts for a lab's userspace links.
/// Not for direct use; `down` stops it.
struct EngineDaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine-daemon", abstract: "Run a lab's userspace link engine (started by `up`).",
        shouldDisplay: false)

    @Argument var lab: String

    @OptionGroup var global: GlobalOptions

    func run() throws {
        do {
            try EngineDaemon.run(lab: lab, logger: global.logger())
        } catch {
            throw Exit.report(error)
        }
    }
}
