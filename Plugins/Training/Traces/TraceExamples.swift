// Plugins/Training / Traces: the example traces shipped in Labs/traces/, generated from the presets
// (a test checks the shipped files still equal what this makes; NETLOOM_WRITE_TRACES=1 rewrites them).

public enum TraceExamples {
    /// Llama-2-7B at 150 TFLOP/s per device.
    static func llama(tensor: Int, data: Int) -> TrainingStep {
        TrainingStep(model: ModelDimensions.presets["llama2-7b"]!, degrees: ParallelDegrees(tensor: tensor, data: data),
                     compute: ComputeModel(teraflops: 150))
    }

    /// File name (relative to Labs/traces/) and contents.
    public static func files() -> [(name: String, bytes: [UInt8])] {
        var files: [(String, [UInt8])] = [
            ("llama2-7b-dp4.txt", Array(AstraSimWorkload.from(llama(tensor: 1, data: 4)).text.utf8)),
            ("llama2-7b-tp2-dp2.txt", Array(AstraSimWorkload.from(llama(tensor: 2, data: 2)).text.utf8)),
        ]
        let traces = ChakraTrace.traces(of: llama(tensor: 2, data: 2).program(), name: "llama2-7b tp2 dp2")
        for (rank, trace) in traces.enumerated() { files.append(("llama2-7b-tp2-dp2.\(rank).et", trace.encode())) }
        return files
    }
}
