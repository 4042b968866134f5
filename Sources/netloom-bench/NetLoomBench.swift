import ArgumentParser

/// Benchmarks: commands that print figures (never timed tests). Each figure is a
/// ratio against a baseline measured in the same run, or against the configured value.
@main
struct NetLoomBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netloom-bench",
        abstract: "NetLoom benchmarks: print figures measured on this machine.",
        subcommands: BenchmarkRegistry.all
    )
}
