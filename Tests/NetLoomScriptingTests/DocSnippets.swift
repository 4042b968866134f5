import NetLoom

/// The code in README.md and docs/scripting.md, compiled with the tests so the docs stay true to the
/// API. Never run: each needs a lab.
enum DocSnippets {
    static func readme() async throws {
        try await withLab(.file("Labs/quickstart.yaml")) { lab in
            for delay in [1, 5, 10, 20] {
                try await lab.set("wan", delay: .milliseconds(delay))
                let run = try await lab.run("rr", on: ["h1", "far"], params: ["time": "2s"])
                print(delay, run["latency p50"]!.value)
            }
        }
    }

    static func firstExample() async throws -> Double? {
        try await withLab(.file("Labs/quickstart.yaml")) { lab in
            try await lab.set("wan", delay: .milliseconds(20))
            let run = try await lab.run("rr", on: ["h1", "far"], params: ["time": "2s"])
            return run["latency p50"]?.value
        }
    }

    static func workloads() -> [Workload] {
        [
            Workload("bulk", nodes: ["h1", "far"], params: ["time": "2s", "flows": 4]),
            Workload("rr", nodes: ["h1", "h2"], params: ["request": .size(.kibibytes(1)), "time": .time(.seconds(2))], start: .seconds(3)),
            Workload("allreduce", nodes: (0..<8).map { "gpu\($0)" }, params: ["sizes": ["1MiB", "64MiB"], "iterations": 10]),
        ]
    }

    static func results(_ run: RunResult) {
        _ = run.workload("bulk")?.figure("throughput")?.value
        _ = run["latency p99"]?.unit
        _ = run.workloads[1].histograms["latency"]?.p99
        _ = run.workloads[0].counters["transactions"]
    }

    static func duringARun() async throws {
        try await withLab(.file("Labs/quickstart.yaml")) { lab in
            async let run = lab.run(Workload("bulk", nodes: ["h1", "far"], params: ["time": "10s"]))
            try await Task.sleep(for: .seconds(5))
            try await lab.set("wan", rate: .mbit(20))
            let bulk = try await run
            print(bulk["throughput"]!.value)
        }
    }

    static func programs(_ lab: RunningLab) async throws {
        let far = try await lab.address(of: "far")
        let ping = try await lab.exec("h1", ["ping", "-c", "3", far])
        print(ping.output)
        try await lab.set("wan", "delay=40ms", "from_b.rate=1gbit", "queue=500kB")
        try await lab.set("wan", loss: Percent(0.1), direction: .fromB)
    }

    static func options() -> ScriptOptions {
        var options = ScriptOptions()
        options.plugins.register(NodeCountPlugin.self)
        return options
    }

    /// Top-level code in main.swift runs on the main actor; the body runs there too.
    @MainActor static func onTheMainActor() async throws -> [String] {
        var seen: [String] = []
        try await withLab(.file("Labs/quickstart.yaml")) { lab in
            seen.append(lab.name)
            seen.append(try await lab.status().links.map(\.name).joined())
        }
        return seen
    }

    static func signals() async throws {
        try await withSignalCancellation {
            try await withLab(.file("Labs/quickstart.yaml")) { _ in }
        }
    }
}
