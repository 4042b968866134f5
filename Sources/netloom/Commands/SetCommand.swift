import ArgumentParser
import NetLoomCore
import NetLoomModel

struct SetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Change a link's shaping while the lab runs, in place (needs root).",
        discussion: """
            Fields are the lab file's link fields as key=value; a key applies to both directions, \
            from_a.KEY / from_b.KEY to one. Changes add up, like timeline `set` events:
              sudo netloom set regions wan delay=40ms rate=1gbit from_b.loss=1%
            """)

    @Argument(help: "The lab's name.")
    var lab: String

    @Argument(help: "The link's name.")
    var link: String

    @Argument(help: "Fields as key=value (delay=20ms rate=1gbit loss=0.1% queue=1000p from_b.rate=500mbit ...).")
    var fields: [String]

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let parsed = LinkChange.parse(link: link, words: fields)
        guard let change = parsed.change else {
            throw ValidationError("\"\(parsed.badWord ?? "")\" is not key=value (e.g. delay=20ms)")
        }
        do {
            let updated = try LabControl.setShaping(lab: lab, change: change, logger: global.logger())
            if !global.quiet {
                print("\(updated.name): a->b \(ImpairmentDescription.describe(updated.aToB))")
                print("\(String(repeating: " ", count: updated.name.count))  b->a \(ImpairmentDescription.describe(updated.bToA))")
            }
        } catch let errors as LabErrors {
            // The change is resolved as a timeline event; name the argument, not a synthetic file.
            for error in errors.errors {
                let field = error.path.replacing(/^timeline\[\d+\]\.set\.?/, with: "")
                printError("netloom set: \(field.isEmpty ? link : field): \(error.message); \(error.allowed)")
            }
            throw Exit.badInput
        } catch {
            throw Exit.report(error)
        }
    }
}
