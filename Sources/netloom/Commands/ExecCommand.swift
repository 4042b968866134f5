import ArgumentParser
import NetLoomCore
import NetLoomKernel

struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a program inside a lab node, like `ip netns exec` (needs root).",
        discussion: "The exit code is the program's. Lab namespaces also work with `ip netns exec LAB.NODE ...`.")

    @Argument(help: "The lab's name.")
    var lab: String

    @Argument(help: "The node to run in.")
    var node: String

    @Argument(parsing: .captureForPassthrough, help: "The program and its arguments (after --).")
    var command: [String]

    /// The program and its arguments, without the `--` that separates them from ours.
    var program: [String] { command.first == "--" ? Array(command.dropFirst()) : command }

    func validate() throws {
        if program.isEmpty { throw ValidationError("give the program to run after --") }
    }

    func run() throws {
        do {
            let state = try LabState.load(lab: lab)
            let namespace = try NetworkNamespace.open(named: try state.namespace(ofNode: node))
            let error = NamespaceExec.replaceProcess(in: namespace, command: program[0], arguments: Array(program.dropFirst()))
            printError("netloom: \(error)")
            throw ExitCode(127)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw Exit.report(error)
        }
    }
}
