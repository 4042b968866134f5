import ArgumentParser

/// `netloom`: the root command holds configuration only; each subcommand is small and
/// calls the library.
@main
struct NetLoomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netloom",
        abstract: "Network emulation for AI cluster networking: labs of namespaces, bridges and shaped veth links.",
        discussion: """
            Lab files are YAML (see docs/lab-format.md). Commands that build or change labs need root:
              sudo netloom run Labs/quickstart.yaml      (build, run the workloads, write results, tear down)
              sudo netloom suite Labs/suites/x.yaml      (run a sweep of a lab into one table)
              sudo netloom up Labs/quickstart.yaml
              sudo netloom status quickstart
              sudo netloom exec quickstart h1 -- ping -c 3 h2
              sudo netloom down quickstart
            """,
        version: "0.1.0",
        subcommands: [
            ValidateCommand.self, RunCommand.self, SuiteCommand.self, CalibrateCommand.self, ReportCommand.self, UpCommand.self, StatusCommand.self, ExecCommand.self, SetCommand.self,
            LinkCommand.self, DownCommand.self, PluginsCommand.self, DoctorCommand.self, EngineDaemonCommand.self,
        ]
    )
}
