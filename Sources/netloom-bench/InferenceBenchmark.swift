import ArgumentParser
import Foundation
import InferencePlugins
import Logging
import NetLoomCore
import NetLoomKernel
import NetLoomModel
import NetLoomPluginAPI

/// `netloom-bench inference`: the serving plugins' fidelity, against configured values,
/// each case in a lab of its own run through `netloom run`'s runner:
/// - ttft: with zero compute and one token per chunk, an unloaded request's TTFT against
///   the path's RTT plus the request's transfer time at the link rate (target: within 10%);
/// - kv: the KV-cache transfer of a 1,000-token Llama-2-7B prompt over a 10 Gbit/s link
///   against size / rate (target: within 10%);
/// - load: under Poisson arrivals, and replaying a window of the Azure conversation
///   trace, the measured arrival rate and mean prompt and output lengths against the
///   configured ones and the trace's (target: within 5%).
struct InferenceBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inference",
        abstract: "LLM serving fidelity: TTFT against RTT + transfer, KV transfer against size/rate, arrivals and lengths (needs root).")

    @Option(help: "Cases (comma-separated): ttft,kv,load.")
    var cases = "ttft,kv,load"

    @Option(help: "Requests per TTFT configuration.")
    var requests = 20

    @Option(help: "KV transfers (one at a time).")
    var transfers = 5

    @Option(help: "Requests of the Poisson load.")
    var poissonRequests = 2_000

    @Flag(help: "Keep the results folders (under /tmp).")
    var keep = false

    func run() throws {
        let machine = MachineCapabilities.probe()
        guard machine.canCreateNamespaces else { throw ValidationError("needs root") }
        var load = [Double](repeating: 0, count: 3)
        _ = getloadavg(&load, 3)
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, kernel \(machine.kernelRelease), "
              + "load average \(String(format: "%.2f", load[0])) at start")
        let wanted = Set(cases.split(separator: ",").map(String.init))
        var rows: [[String]] = [["case", "configured / predicted", "measured", "ratio", "verdict"]]
        if wanted.contains("ttft") { rows += try ttft() }
        if wanted.contains("kv") { rows += try kv() }
        if wanted.contains("load") { rows += try poisson() + trace() }
        print("\n" + renderTable(rows))
    }

    static func verdict(_ ratio: Double, within tolerance: Double) -> String {
        abs(ratio - 1) <= tolerance ? "ok (within \(Int(tolerance * 100))%)" : "OUTSIDE \(Int(tolerance * 100))%"
    }

    // MARK: - TTFT of unloaded requests

    func ttft() throws -> [[String]] {
        // (one-way delay ms, rate Mbit/s, prompt tokens)
        // (one-way delay ms, rate Mbit/s, prompt tokens, congestion control)
        let configurations: [(Double, Double, Int, String?)] = [
            (10, 20, 2_000, "cubic"), (30, 50, 2_000, "cubic"), (2, 100, 8_000, "cubic"), (30, 50, 2_000, nil),
        ]
        var rows: [[String]] = []
        let host = (try? String(contentsOfFile: "/proc/sys/net/ipv4/tcp_congestion_control", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
        print("\nttft: zero compute, 1 token per chunk, HTTP/SSE, max_concurrency 1, \(requests) requests per configuration, "
              + "median TTFT (the first request warms the connection's window); tcp_slow_start_after_idle off; "
              + "TCP cubic unless marked (the host's default is \(host))")
        for (delay, rate, prompt, congestion) in configurations {
            let yaml = """
                name: NAME
                settings: { tcp_slow_start_after_idle: false }
                nodes: { client: {}, server: {} }
                links:
                  - endpoints: [client, server]
                    delay: \(format(delay, 0))ms
                    rate: \(format(rate, 0))mbit
                workloads:
                  - plugin: llm-serving
                    nodes: [client, server]
                    params: { engine: zero, tokens_per_chunk: 1, requests: \(requests), rate: 4, max_concurrency: 1,
                              warm_connections: 1, prompt_tokens: \(prompt), output_tokens: 4\(congestion.map { ", tcp_congestion: \($0)" } ?? "") }
                """
            let results = try runLab(yaml)
            defer { results.remove(keep: keep) }
            let workload = results.summary.workloads[0]
            guard workload.status == "ok", let measured = workload.results["ttft median"]?.value else {
                throw ValidationError("llm-serving: \(workload.error ?? workload.status)")
            }
            let bytes = ServingPrediction.requestBytes(id: requests / 2, promptTokens: prompt, outputTokens: 4)
            let transfer = ServingPrediction.transferTime(payload: bytes, bitsPerSecond: rate * 1e6) * 1e3
            let predicted = 2 * delay + transfer
            let ratio = measured / predicted
            print("  delay \(format(delay, 0)) ms each way, \(format(rate, 0)) Mbit/s, request \(bytes) B: RTT \(format(2 * delay, 1)) ms "
                  + "+ transfer \(format(transfer, 2)) ms = \(format(predicted, 2)) ms; TTFT median \(format(measured, 2)) ms, "
                  + "mean \(format(workload.results["ttft mean"]?.value ?? .nan, 2)) ms, p90 \(format(workload.results["ttft p90"]?.value ?? .nan, 2)) ms")
            let label = "TTFT, \(format(delay, 0)) ms / \(format(rate, 0)) Mbit/s, \(bytes / 1000) kB request"
            rows.append([
                congestion == nil ? label + ", \(host) (host default)" : label, "\(format(predicted, 2)) ms",
                "\(format(measured, 2)) ms", format(ratio, 3), congestion == nil ? "for comparison" : Self.verdict(ratio, within: 0.10),
            ])
        }
        return rows
    }

    // MARK: - KV transfer

    func kv() throws -> [[String]] {
        let tokens = 1_000
        let yaml = """
            name: NAME
            nodes: { client: {}, decode: {}, prefill: {} }
            links:
              - endpoints: [client, decode]
              - endpoints: [decode, prefill]
                rate: 10gbit
            workloads:
              - plugin: llm-disagg
                nodes: [client, decode, prefill]
                params: { prefill: [prefill], decode: [decode], model: llama-2-7b, kv_transfer: whole, engine: zero, tcp_congestion: cubic,
                          requests: \(transfers), rate: 0.5, max_concurrency: 1, prompt_tokens: \(tokens), output_tokens: 2, drain: 60s }
            """
        print("\nkv: Llama-2-7B, \(tokens) prompt tokens, one transfer after the prefill, over 10 Gbit/s; \(transfers) transfers one at a time")
        let results = try runLab(yaml)
        defer { results.remove(keep: keep) }
        let workload = results.summary.workloads[0]
        guard workload.status == "ok", let measured = workload.results["kv transfer median"]?.value,
              let size = workload.results["kv bytes per request"]?.value
        else { throw ValidationError("llm-disagg: \(workload.error ?? workload.status)") }
        let predicted = size * 8 / 10e9 * 1e3
        let payloadCeiling = Double(ServingPrediction.wireBytes(payload: Int(size))) * 8 / 10e9 * 1e3
        let ratio = measured / predicted
        print("  \(Int(size)) B (\(format(size / 1_048_576, 0)) MiB): size/rate \(format(predicted, 1)) ms "
              + "(with TCP/IP headers \(format(payloadCeiling, 1)) ms); measured median \(format(measured, 1)) ms, "
              + "mean \(format(workload.results["kv transfer mean"]?.value ?? .nan, 1)) ms, p99 \(format(workload.results["kv transfer p99"]?.value ?? .nan, 1)) ms; "
              + "share of TTFT \(format(workload.results["kv share of ttft"]?.value ?? .nan, 1))%")
        return [[
            "KV transfer, \(tokens) tokens Llama-2-7B (\(format(size / 1_048_576, 0)) MiB), 10 Gbit/s", "\(format(predicted, 1)) ms",
            "\(format(measured, 1)) ms", format(ratio, 3), Self.verdict(ratio, within: 0.10),
        ]]
    }

    // MARK: - Arrivals and lengths

    func poisson() throws -> [[String]] {
        let rate = 100.0
        let yaml = """
            name: NAME
            nodes: { client: {}, server: {} }
            links:
              - endpoints: [client, server]
                delay: 1ms
            workloads:
              - plugin: llm-serving
                nodes: [client, server]
                params: { engine: zero, requests: \(poissonRequests), rate: \(format(rate, 0)), burstiness: 1,
                          prompt_tokens: 256, prompt_spread: 0.5, output_tokens: 16, output_spread: 0.5, seed: 7 }
            """
        print("\nload: Poisson arrivals at \(format(rate, 0)) requests/s, \(poissonRequests) requests, prompts 128-384 tokens, outputs 8-24")
        let results = try runLab(yaml)
        defer { results.remove(keep: keep) }
        let workload = results.summary.workloads[0]
        guard workload.status == "ok", let arrival = workload.results["arrival rate"]?.value,
              let prompt = workload.results["mean prompt tokens"]?.value, let output = workload.results["mean output tokens"]?.value
        else { throw ValidationError("llm-serving: \(workload.error ?? workload.status)") }
        print("  arrival rate \(format(arrival, 2))/s, mean prompt \(format(prompt, 1)) (server-counted), mean output \(format(output, 1)) (streamed); "
              + "completed \(format(workload.results["requests completed"]?.value ?? 0, 0)), TTFT median \(format(workload.results["ttft median"]?.value ?? .nan, 2)) ms")
        return [
            ["Poisson arrival rate", "\(format(rate, 1)) /s", "\(format(arrival, 2)) /s", format(arrival / rate, 3), Self.verdict(arrival / rate, within: 0.05)],
            ["Poisson mean prompt tokens", "256.0", format(prompt, 1), format(prompt / 256, 3), Self.verdict(prompt / 256, within: 0.05)],
            ["Poisson mean output tokens", "16.0", format(output, 1), format(output / 16, 3), Self.verdict(output / 16, within: 0.05)],
        ]
    }

    func trace() throws -> [[String]] {
        let window = 60.0
        guard let path = RequestTrace.locate("conv") else { throw ValidationError("the conv trace is not in Labs/traces") }
        let rows = try RequestTrace.read(path: path).window(start: 600, length: window)
        let rate = Double(rows.count - 1) / (rows.last!.offset - rows.first!.offset)
        let prompt = Double(rows.map(\.promptTokens).reduce(0, +)) / Double(rows.count)
        let output = Double(rows.map { max(1, $0.outputTokens) }.reduce(0, +)) / Double(rows.count)
        let yaml = """
            name: NAME
            nodes: { client: {}, server: {} }
            links:
              - endpoints: [client, server]
                delay: 1ms
            workloads:
              - plugin: llm-serving
                nodes: [client, server]
                params: { engine: zero, trace: conv, trace_start: 600s, trace_window: \(format(window, 0))s, requests: 100000 }
            """
        print("\nload: the Azure conversation trace from 600 s for \(format(window, 0)) s (\(rows.count) requests), replayed at its own times")
        let results = try runLab(yaml)
        defer { results.remove(keep: keep) }
        let workload = results.summary.workloads[0]
        guard workload.status == "ok", let arrival = workload.results["arrival rate"]?.value,
              let measuredPrompt = workload.results["mean prompt tokens"]?.value,
              let measuredOutput = workload.results["mean output tokens"]?.value
        else { throw ValidationError("llm-serving: \(workload.error ?? workload.status)") }
        print("  trace: \(format(rate, 3))/s, prompt \(format(prompt, 1)), output \(format(output, 1)); measured \(format(arrival, 3))/s, "
              + "prompt \(format(measuredPrompt, 1)), output \(format(measuredOutput, 1))")
        return [
            ["trace arrival rate (conv, 60 s)", "\(format(rate, 3)) /s", "\(format(arrival, 3)) /s", format(arrival / rate, 3), Self.verdict(arrival / rate, within: 0.05)],
            ["trace mean prompt tokens", format(prompt, 1), format(measuredPrompt, 1), format(measuredPrompt / prompt, 3),
             Self.verdict(measuredPrompt / prompt, within: 0.05)],
            ["trace mean output tokens", format(output, 1), format(measuredOutput, 1), format(measuredOutput / output, 3),
             Self.verdict(measuredOutput / output, within: 0.05)],
        ]
    }

    // MARK: - The lab

    func runLab(_ yaml: String) throws -> BenchResults {
        let text = yaml.replacingOccurrences(of: "NAME", with: "binf\(getpid() % 100_000)")
        return try BenchResults.run(text, file: "<inference benchmark>", plugins: InferencePlugins.all,
                                    resultsRoot: "/tmp/netloom-bench-inference")
    }
}
