import ArgumentParser
import Foundation
import NetLoomCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show running labs, or one lab's nodes and links with shaping and counters read back from the kernel.")

    @Argument(help: "A lab's name; without it, every running lab.")
    var lab: String?

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        do {
            guard let lab else { return try listLabs() }
            let report = try LabStatusReader.read(lab: lab)
            if json { return try printJSON(report) }
            print(render(report))
        } catch {
            throw Exit.report(error)
        }
    }

    func listLabs() throws {
        let labs = LabLifecycle.running()
        if json { return try printJSON(labs.map { ["lab": $0.lab.name, "file": $0.lab.file] }) }
        if labs.isEmpty { return print("no labs are up") }
        var table = Table("LAB", "NODES", "LINKS", "UP SINCE", "FILE")
        let formatter = ISO8601DateFormatter()
        for state in labs {
            table.add(state.lab.name, "\(state.lab.nodes.count)", "\(state.links.count)", formatter.string(from: state.createdAt), state.lab.file)
        }
        print(table.render())
    }

    func render(_ report: LabStatusReport) -> String {
        var text = "lab \(report.lab) (\(report.file)), up since \(ISO8601DateFormatter().string(from: report.createdAt))\n\n"
        var nodes = Table("NODE", "KIND", "NAMESPACE", "STATE")
        for node in report.nodes { nodes.add(node.name, node.kind.rawValue, node.namespace, node.present ? "present" : "MISSING") }
        text += nodes.render(indent: "  ") + "\n\n"
        var links = Table("LINK", "STATE", "DIRECTION", "SHAPING (read back)", "PACKETS", "BYTES", "DROPS", "OVERLIMITS", "BACKLOG")
        for link in report.links {
            for (index, direction) in link.directions.enumerated() {
                let counters = direction.counters
                var drops = "\(counters.drops)"
                if let reasons = counters.dropsByReason, !reasons.isEmpty {
                    drops += " (" + reasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
                }
                links.add(
                    index == 0 ? link.name : "", index == 0 ? (link.up ? "up" : "DOWN") : "", direction.direction,
                    direction.shaping, "\(counters.packets)", Units.bytes(counters.bytes), drops, "\(counters.overlimits)",
                    "\(Units.bytes(counters.backlog))/\(counters.queued)p")
            }
        }
        return text + links.render(indent: "  ")
    }
}
