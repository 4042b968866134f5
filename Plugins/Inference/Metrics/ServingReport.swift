import NetLoomPluginAPI

/// Writes the serving metrics into a workload's results: every statistic of TTFT, ITL,
/// TPOT and E2E (mean, median, p90, p99 in ms), throughput, goodput, what was measured
/// against what was configured, histograms (us) and one row per request.
enum ServingReport {
    static func write(_ metrics: ServingMetrics, records: [RequestRecord], spec: LoadSpec, context: PluginContext) {
        let sink = context.metrics
        sink.add("requests", Int64(records.count))
        sink.result("requests completed", Double(metrics.completed), unit: "requests")
        sink.result("requests failed", Double(metrics.failed), unit: "requests", headline: metrics.failed > 0)
        sink.result("duration", metrics.duration, unit: "s")
        sink.result("request throughput", metrics.requestThroughput, unit: "requests/s", headline: true)
        sink.result("output throughput", metrics.outputThroughput, unit: "tokens/s")
        sink.result("total token throughput", metrics.totalTokenThroughput, unit: "tokens/s")
        for (name, statistics, headline) in [
            ("ttft", metrics.ttft, ["median", "p99"]), ("itl", metrics.itl, ["p99"]), ("tpot", metrics.tpot, ["median"]),
            ("e2e", metrics.e2e, []),
        ] {
            guard let statistics else { continue }
            for (stat, value) in [("mean", statistics.mean), ("median", statistics.median), ("p90", statistics.p90), ("p99", statistics.p99)] {
                sink.result("\(name) \(stat)", value * 1e3, unit: "ms", headline: headline.contains(stat))
            }
        }
        if let goodput = metrics.goodput {
            sink.result("goodput", goodput, unit: "requests/s", headline: true)
            sink.result("good requests", Double(metrics.goodRequests), unit: "requests")
            sink.result("good share", metrics.completed > 0 ? 100 * Double(metrics.goodRequests) / Double(metrics.completed) : 0, unit: "%")
        }
        if let rate = metrics.arrivalRate { sink.result("arrival rate", rate, unit: "requests/s") }
        if let rate = spec.configuredRate { sink.result("configured rate", rate, unit: "requests/s") }
        sink.result("mean prompt tokens", metrics.meanPromptTokens, unit: "tokens")
        sink.result("mean output tokens", metrics.meanOutputTokens, unit: "tokens")
        if let kv = metrics.kvTransfer {
            sink.result("kv transfer mean", kv.mean * 1e3, unit: "ms", headline: true)
            sink.result("kv transfer median", kv.median * 1e3, unit: "ms")
            sink.result("kv transfer p99", kv.p99 * 1e3, unit: "ms")
        }
        if let stall = metrics.kvStall {
            sink.result("kv stall mean", stall.mean * 1e3, unit: "ms")
            sink.result("kv stall p99", stall.p99 * 1e3, unit: "ms")
        }
        if let share = metrics.kvShareOfTTFT { sink.result("kv share of ttft", share * 100, unit: "%", headline: true) }
        if let share = metrics.kvStallShareOfTTFT { sink.result("kv stall share of ttft", share * 100, unit: "%") }

        var rows: [[String]] = []
        for record in records {
            if let ttft = record.ttft { sink.record("ttft", ttft * 1e6, unit: "us") }
            if let tpot = record.tpot { sink.record("tpot", tpot * 1e6, unit: "us") }
            if let e2e = record.e2e { sink.record("e2e", e2e * 1e6, unit: "us") }
            for itl in record.itls { sink.record("itl", itl * 1e6, unit: "us") }
            if let kv = record.kvTransfer { sink.record("kv transfer", kv * 1e6, unit: "us") }
            rows.append([
                "\(record.id)", format(record.sent), "\(record.serverPromptTokens ?? record.promptTokens)", "\(record.outputTokens)",
                record.ttft.map { format($0 * 1e3) } ?? "", record.tpot.map { format($0 * 1e3) } ?? "",
                record.e2e.map { format($0 * 1e3) } ?? "", record.kvTransfer.map { format($0 * 1e3) } ?? "",
                record.succeeded ? (spec.objectives.met(by: record) ? "1" : "0") : "", record.error.map { $0.replacingOccurrences(of: ",", with: ";") } ?? "",
            ])
        }
        sink.table("requests", columns: ["id", "sent_s", "prompt_tokens", "output_tokens", "ttft_ms", "tpot_ms", "e2e_ms", "kv_transfer_ms",
                                         "good", "error"], rows: rows)
    }

    static func format(_ value: Double) -> String { String(format: "%.3f", value) }

    /// A run in which no request completed failed, whatever it recorded.
    static func requireCompletions(_ metrics: ServingMetrics, records: [RequestRecord]) throws {
        guard metrics.completed == 0, !records.isEmpty else { return }
        let first = records.compactMap(\.error).first ?? "no tokens streamed"
        throw WireError("none of \(records.count) requests completed (the first error: \(first))")
    }
}

import Foundation
