// Plugins/Training: `trace`, replays an ASTRA-sim/SimAI text workload or Chakra execution traces
// over the lab: collectives and sends/receives with their sizes and dependencies, compute as delays.

import Foundation
import NetLoomModel
import NetLoomPluginAPI

public struct TracePlugin: TrafficPlugin {
    public static let name = "trace"
    public static let summary = "Replay an ASTRA-sim/SimAI text workload or Chakra execution traces (one per rank) over the lab."
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("trace", .string, help: "the trace, relative to the lab file or absolute: a text workload, a Chakra file PREFIX.0.et, its PREFIX, or a folder of .et files"),
        ParameterSpec("format", .choice(["auto", "astra", "chakra"]), default: "auto", help: "auto: .et files are Chakra, anything else ASTRA-sim text"),
        ParameterSpec("cycle", .duration, default: "1ns", help: "ASTRA-sim text: the duration of one compute cycle"),
        ParameterSpec("scale", .number(1e-9...1e3), default: "1", help: "multiply every message size"),
        ParameterSpec("compute_scale", .number(0...1e3), default: "1", help: "multiply every compute time"),
        ParameterSpec("iterations", .integer(1...100_000), default: "1", help: "timed replays"),
        ParameterSpec("warmup", .integer(0...1_000), default: "0", help: "untimed replays first"),
        ParameterSpec("chunk", .size, default: "512KiB", help: "pipelining piece of collectives"),
        ParameterSpec("overhead", .string, default: "auto", help: "per-message overhead in the prediction's alpha: auto (measured by ping-pong) or a time"),
        ParameterSpec("unshaped_rate", .bitrate, default: "10gbit", help: "rate assumed for links without one, in the prediction"),
        ParameterSpec("frame", .string, default: "auto", help: "what a hop stores before forwarding, in the prediction (see the collective plugin)"),
    ]

    public let program: Program
    public let format: String
    let iterations: Int
    let warmup: Int
    let chunk: Int
    let overhead: Duration?
    let unshapedRate: Double
    let frameBytes: Int

    public init(parameters: PluginParameters) throws(LabError) {
        let given = parameters.string("trace")
        let base = URL(fileURLWithPath: parameters.location.file).deletingLastPathComponent()
        let path = given.hasPrefix("/") ? given : base.appendingPathComponent(given).standardizedFileURL.path
        let ranks = parameters.nodes.count
        var format = parameters.string("format")
        let files: [String]
        do {
            files = try Self.chakraFiles(path, ranks: ranks)
        } catch {
            throw parameters.error("\(error)", for: "trace")
        }
        if format == "auto" { format = files.isEmpty ? "astra" : "chakra" }
        let byteScale = parameters.double("scale"), computeScale = parameters.double("compute_scale")
        do {
            if format == "chakra" {
                guard !files.isEmpty else { throw ProtobufError(description: "no Chakra files \(path).0.et ... for \(ranks) ranks") }
                let traces = try files.map { file throws(ProtobufError) -> ChakraTrace in
                    guard let data = FileManager.default.contents(atPath: file) else { throw ProtobufError(description: "cannot read \(file)") }
                    return try ChakraTrace.decode(Array(data))
                }
                program = try ChakraTrace.program(traces, byteScale: byteScale, computeScale: computeScale)
            } else {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ProtobufError(description: "cannot read \(path)") }
                program = try AstraSimWorkload.parse(text).program(ranks: ranks, cycle: PathTable.seconds(parameters.duration("cycle")),
                                                                   byteScale: byteScale, computeScale: computeScale)
            }
        } catch {
            throw parameters.error("\(error)", for: "trace")
        }
        let problems = program.validate()
        if !problems.isEmpty { throw parameters.error("the trace cannot be replayed: \(problems.prefix(3).joined(separator: "; "))", for: "trace") }
        self.format = format
        iterations = parameters.int("iterations")
        warmup = parameters.int("warmup")
        chunk = Int(parameters.size("chunk").bytes)
        overhead = try OverheadParameter.duration(parameters)
        unshapedRate = Double(parameters.bitrate("unshaped_rate").bitsPerSecond)
        frameBytes = try FrameParameter.bytes(parameters)
    }

    /// Chakra files for ranks 0..<ranks: `path` itself as PREFIX.0.et, PREFIX (files PREFIX.N.et), or a
    /// folder with one PREFIX.N.et per rank. Empty when `path` is none of these (a text workload).
    static func chakraFiles(_ path: String, ranks: Int) throws(ProtobufError) -> [String] {
        var isDirectory: ObjCBool = false
        var prefix: String?
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".0.et") }.sorted()
            guard let first = names.first else { throw ProtobufError(description: "no PREFIX.0.et file in \(path)") }
            prefix = path + "/" + first.dropLast(5)
        } else if path.hasSuffix(".0.et") {
            prefix = String(path.dropLast(5))
        } else if !FileManager.default.fileExists(atPath: path) && FileManager.default.fileExists(atPath: path + ".0.et") {
            prefix = path
        } else if !FileManager.default.fileExists(atPath: path) {
            throw ProtobufError(description: "no trace at \(path)")
        }
        guard let prefix else { return [] }
        let files = (0..<ranks).map { "\(prefix).\($0).et" }
        if let missing = files.first(where: { !FileManager.default.fileExists(atPath: $0) }) {
            throw ProtobufError(description: "\(missing) is missing: a Chakra trace has one file per rank and the workload has \(ranks) nodes")
        }
        if FileManager.default.fileExists(atPath: "\(prefix).\(ranks).et") {
            throw ProtobufError(description: "\(prefix).\(ranks).et exists: the trace has more ranks than the workload's \(ranks) nodes")
        }
        return files
    }

    public func run(in context: PluginContext) async throws {
        context.metrics.result("tasks", Double(program.tasks.joined().count), unit: "tasks")
        let session = ProgramSession(context: context, chunkBytes: chunk, unshapedRate: unshapedRate, overhead: overhead, frameBytes: frameBytes)
        try await session.run(iterations: iterations, warmup: warmup) { _ in program }
    }
}
