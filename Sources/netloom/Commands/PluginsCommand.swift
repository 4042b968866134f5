import ArgumentParser
import NetLoomPluginAPI

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins", abstract: "List the traffic plugins, or describe one and its parameters.",
        subcommands: [List.self, Describe.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the traffic plugins.")

        func run() {
            var table = Table("PLUGIN", "WHAT IT DOES")
            for name in Plugins.registry.names { table.add(name, Plugins.registry[name]!.summary) }
            print(table.render())
        }
    }

    struct Describe: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "describe", abstract: "A plugin's parameters.")

        @Argument(help: "The plugin's name.")
        var name: String

        func run() throws {
            guard let plugin = Plugins.registry[name] else {
                throw ValidationError("no plugin named \(name); `netloom plugins` lists them")
            }
            print("\(plugin.name): \(plugin.summary)\n")
            var table = Table("PARAMETER", "TYPE", "DEFAULT", "MEANING")
            for spec in plugin.parameters {
                table.add(spec.name, spec.kind.description,
                          spec.defaultValue?.description ?? (spec.optional ? "(optional)" : "(required)"), spec.help)
            }
            print(table.render())
        }
    }
}
