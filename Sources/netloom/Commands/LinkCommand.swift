import ArgumentParser
import NetLoomCore

struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Take a link down (both ends lose carrier) or bring it back up, while the lab runs (needs root).")

    enum State: String, ExpressibleByArgument, CaseIterable { case down, up }

    @Argument(help: "The lab's name.")
    var lab: String

    @Argument(help: "The link's name (e.g. h1--s1; see `netloom status LAB`).")
    var link: String

    @Argument(help: "down or up.")
    var state: State

    @OptionGroup var global: GlobalOptions

    func run() throws {
        do {
            try LabControl.setLink(lab: lab, link: link, up: state == .up, logger: global.logger())
            if !global.quiet { print("link \(link) of lab \(lab) is \(state.rawValue)") }
        } catch {
            throw Exit.report(error)
        }
    }
}
