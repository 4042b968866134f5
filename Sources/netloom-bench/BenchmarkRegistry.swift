import ArgumentParser

/// Every benchmark subcommand; each lives in its own file.
enum BenchmarkRegistry {
    static let all: [ParsableCommand.Type] = [
        SetupBenchmark.self, EngineBenchmark.self, FidelityBenchmark.self, PluginBenchmark.self,
        CollectiveBenchmark.self, InferenceBenchmark.self, SuiteBenchmark.self,
    ]
}
