import ArgumentParser
import Foundation
import NetLoomCore
import NetLoomModel

struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Build a lab: namespaces, bridges, veth links, addresses, routes and shaping (needs root).",
        discussion: "The lab stays up until `netloom down LAB`. Nothing is built if the lab file has errors.")

    @Argument(help: "The lab file.")
    var file: String

    @Flag(help: "Print what was built as JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let logger = global.logger()
        do {
            let (lab, text) = try ResolvedLab.read(path: file)
            for warning in lab.warnings { printError("\(warning)") }
            let quiet = global.quiet || json
            let state = try LabLifecycle.up(lab, labText: text, logger: logger, progress: { phase in
                if !quiet { printError("==> \(phase)") }
            })
            if json { try printJSON(state) } else if !global.quiet { print(UpReport.render(state)) }
        } catch {
            throw Exit.report(error)
        }
    }
}

/// What `up` prints: where everything went and how each link is shaped.
enum UpReport {
    static func render(_ state: LabState) -> String {
        let total = state.timings.reduce(0) { $0 + $1.seconds }
        let phases = state.timings.map { "\($0.phase) \(String(format: "%.3f", $0.seconds))" }.joined(separator: ", ")
        var text = "lab \(state.lab.name) is up: \(state.lab.nodes.count) nodes, \(state.links.count) links "
            + "in \(String(format: "%.3f", total)) s (\(phases))\n\n"
        var nodes = Table("NODE", "KIND", "NAMESPACE", "ADDRESSES")
        for node in state.lab.nodes {
            let addresses = node.interfaces.flatMap { [$0.ipv4, $0.ipv6].compactMap { $0 }.map { "\($0)" } }
            nodes.add(node.name, node.kind.rawValue, node.namespace, addresses.isEmpty ? "-" : addresses.joined(separator: " "))
        }
        text += nodes.render(indent: "  ") + "\n\n"
        var links = Table("LINK", "BACKEND", "A->B", "B->A")
        for link in state.links {
            links.add(link.name, link.reason, ImpairmentDescription.describe(link.aToB), ImpairmentDescription.describe(link.bToA))
        }
        text += links.render(indent: "  ")
        if let first = state.lab.nodes.first(where: { $0.kind != .switch }),
           let other = state.lab.nodes.last(where: { $0.kind != .switch && $0.name != first.name }),
           let address = other.interfaces.compactMap(\.ipv4).first {
            text += "\n\ntry:  sudo netloom exec \(state.lab.name) \(first.name) -- ping -c 3 \(address.address)"
            text += "\n      sudo netloom status \(state.lab.name)"
            text += "\n      sudo netloom down \(state.lab.name)"
        }
        return text
    }
}
