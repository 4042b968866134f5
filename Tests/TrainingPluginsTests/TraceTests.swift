import Foundation
import Testing
@testable import TrainingPlugins

@Suite("Traces: ASTRA-sim text and Chakra")
struct TraceTests {
    /// A node written byte by byte as protoc would: id 1, name "a", type COMM_COLL_NODE, one unpacked
    /// ctrl_dep 5, packed data_deps [2, 300], duration 7, attribute comm_type = int64 0, comm_size =
    /// uint64 1048576, an unknown field 99.
    @Test func decodesProtocBytes() throws {
        var node: [UInt8] = [0x08, 0x01, 0x12, 0x01, 0x61, 0x18, 0x07, 0x20, 0x05, 0x2A, 0x03, 0x02, 0xAC, 0x02, 0x38, 0x07]
        let commType: [UInt8] = [0x0A, 0x09] + Array("comm_type".utf8) + [0x48, 0x00]
        node += [0x52, UInt8(commType.count)] + commType
        let commSize: [UInt8] = [0x0A, 0x09] + Array("comm_size".utf8) + [0x68, 0x80, 0x80, 0x40]
        node += [0x52, UInt8(commSize.count)] + commSize
        node += [0x98, 0x06, 0x01]  // field 99, varint 1: skipped
        let metadata: [UInt8] = [0x0A, 0x05] + Array("0.0.4".utf8)
        let file = [UInt8(metadata.count)] + metadata + [UInt8(node.count)] + node
        let trace = try ChakraTrace.decode(file)
        #expect(trace.version == "0.0.4")
        let decoded = try #require(trace.nodes.first)
        #expect(decoded.id == 1 && decoded.name == "a" && decoded.type == .collective && decoded.durationMicros == 7)
        #expect(decoded.controlDependencies == [5] && decoded.dataDependencies == [2, 300])
        #expect(decoded.attribute("comm_type") == .int(0) && decoded.attribute("comm_size") == .int(1_048_576))
    }

    @Test func truncatedFilesAreErrors() {
        #expect(throws: ProtobufError.self) { try ChakraTrace.decode([0x05, 0x0A, 0x01]) }
        #expect(throws: ProtobufError.self) { try ChakraTrace.decode([0x02, 0x08, 0xFF]) }
    }

    @Test func chakraRoundTripsThroughBytesAndPrograms() throws {
        let model = ModelDimensions(name: "tiny", hidden: 64, layers: 4, sequence: 32, parameters: 4e7, experts: 4, topK: 2)
        let step = TrainingStep(model: model, degrees: ParallelDegrees(tensor: 2, pipeline: 2, data: 2), compute: ComputeModel(layerForwardSeconds: 0.001))
        let program = step.program()
        let traces = ChakraTrace.traces(of: program, name: "tiny")
        let decoded = try traces.map { try ChakraTrace.decode($0.encode()) }
        #expect(decoded == traces)
        let replayed = try ChakraTrace.program(decoded)
        #expect(replayed.validate().isEmpty)
        // The same tasks, dependencies and groups (by members; group numbers may differ).
        func normalized(_ p: Program) -> [[String]] {
            p.tasks.map { tasks in
                tasks.map { task in
                    var kind = "\(task.kind)"
                    if case .collective(let g, let op, let bytes) = task.kind { kind = "\(p.groups[g]) \(op) \(bytes)" }
                    return kind + " after \(task.dependencies.sorted())"
                }
            }
        }
        let same = normalized(replayed) == normalized(program)
        #expect(same)
    }

    @Test func readsAstraSimText() throws {
        let text = """
            HYBRID_TRANSFORMER model_parallel_NPU_group: 2 ep: 1 pp: 1 vpp: 8 ga: 1 all_gpus: 4 checkpoints: 0 checkpoint_initiates: 0
            2
            embedding -1 1000 ALLREDUCE 2048 1000 NONE 0 500 ALLREDUCE_DP 4096 10
            attention -1 2000 ALLREDUCE 8192 2000 ALLREDUCE 8192 1000 ALLGATHER 16384 20
            """
        let workload = try AstraSimWorkload.parse(text)
        #expect(workload.parallelism == "HYBRID_TRANSFORMER" && workload.modelParallelGroup == 2 && workload.layers.count == 2)
        #expect(workload.layers[1].weightGradientComm == .allGather && workload.layers[0].weightGradientComm == .allReduce)
        let program = try workload.program(ranks: 4, cycle: 1e-6)
        #expect(program.validate().isEmpty)
        // Forward and input-gradient collectives in pairs {0,1},{2,3}; weight gradients across them.
        let groups = Set(program.tasks[1].compactMap { task -> [Int]? in
            if case .collective(let g, _, _) = task.kind { return program.groups[g] } else { return nil }
        })
        #expect(groups == [[0, 1], [1, 3]])
        #expect(program.tasks[0].first == ProgramTask(.compute(seconds: 1000e-6), label: "embedding forward"))
        // Data parallel: everything over all ranks.
        let data = try AstraSimWorkload.parse("DATA\n1\nfc -1 5 NONE 0 5 NONE 0 5 ALLREDUCE 1000 5\n").program(ranks: 3)
        #expect(data.groups == [[0, 1, 2]] && data.validate().isEmpty)
        #expect(throws: ProtobufError.self) { try AstraSimWorkload.parse("DATA\n2\nfc -1 5 NONE 0 5 NONE 0 5 ALLREDUCE 1000 5\n") }
        #expect(throws: ProtobufError.self) { try AstraSimWorkload.parse("DATA\n1\nfc -1 5 SOMETHING 0 5 NONE 0 5 ALLREDUCE 1000 5\n") }
    }

    @Test func astraTextRoundTrips() throws {
        let workload = AstraSimWorkload.from(TraceExamples.llama(tensor: 2, data: 2))
        #expect(try AstraSimWorkload.parse(workload.text) == workload)
        // Two TP all-reduces of 33,554,432 bytes per pass, merged; gradients Psi/TP/L bf16 values per layer.
        #expect(workload.layers[0].forwardBytes == 2 * 33_554_432)
        #expect(workload.layers[0].weightGradientBytes == 6_738_415_616 / 32)
    }

    /// The shipped examples are what the presets make now.
    @Test func shippedExamplesMatchThePresets() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Labs/traces")
        let write = ProcessInfo.processInfo.environment["NETLOOM_WRITE_TRACES"] == "1"
        if write { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        for (name, bytes) in TraceExamples.files() {
            let url = folder.appendingPathComponent(name)
            if write { try Data(bytes).write(to: url) }
            let shipped = try #require(FileManager.default.contents(atPath: url.path), "\(name) is missing: NETLOOM_WRITE_TRACES=1 makes it")
            #expect(Array(shipped) == bytes, "\(name) differs from the preset: NETLOOM_WRITE_TRACES=1 rewrites it")
        }
    }
}
