import NetLoomModel
import NetLoomPluginAPI
import Testing
@testable import TrainingPlugins

@Suite("Training-step models")
struct ModelTests {
    let llama7b = ModelDimensions.presets["llama2-7b"]!
    let llama70b = ModelDimensions.presets["llama2-70b"]!
    let gpt3 = ModelDimensions.presets["gpt3-175b"]!
    let mixtral = ModelDimensions.presets["mixtral-8x7b"]!

    @Test func llama2_7bTensorParallelAllReducesAreThePublishedSize() {
        var model = llama7b
        model.sequence = 2048
        // b * s * h * B = 1 * 2048 * 4096 * 2
        #expect(model.tensorParallelAllReduceBytes == 16_777_216)
        #expect(llama7b.tensorParallelAllReduceBytes == 33_554_432, "at its training context of 4096")
        #expect(llama7b.hidden == 4096 && llama7b.layers == 32 && llama7b.parameters == 6_738_415_616)
        // DP gradients with TP=2: Psi/2 bf16 values.
        #expect(llama7b.gradientBytes(tensorParallel: 2, pipelineParallel: 1) == 6_738_415_616)
        #expect(llama7b.checkpointBytes == 14 * 6_738_415_616)
    }

    @Test func gpt3PipelineMessageIsThePublishedSize() {
        #expect(gpt3.pipelineMessageBytes == 50_331_648)
        #expect(gpt3.tensorParallelAllReduceBytes == 50_331_648)
        #expect(gpt3.hidden == 12288 && gpt3.layers == 96 && gpt3.sequence == 2048)
        // ZeRO-3 layer gather with TP=8: 175e9 / 96 / 8 parameters of 2 bytes.
        #expect(gpt3.layerParameterBytes(tensorParallel: 8) == Int(175e9 / 96 / 8) * 2)
    }

    @Test func llama2_70bMessages() {
        #expect(llama70b.hidden == 8192 && llama70b.layers == 80)
        #expect(llama70b.tensorParallelAllReduceBytes == 1 * 4096 * 8192 * 2)
        #expect(llama70b.tensorParallelAllReduceBytes == 67_108_864)
        #expect(llama70b.gradientBytes(tensorParallel: 8, pipelineParallel: 4) == Int(68_976_648_192.0 / 32) * 2)
    }

    @Test func mixtralAllToAllCarriesTopKTokens() {
        #expect(mixtral.isMixtureOfExperts && mixtral.experts == 8 && mixtral.topK == 2)
        // b * s * k * h * B = 1 * 4096 * 2 * 4096 * 2
        #expect(mixtral.expertAllToAllBytes == 67_108_864)
        #expect(mixtral.activeParameters < mixtral.parameters)
    }

    @Test func ddpBucketsAreOneMiBThenTwentyFiveMiB() {
        #expect(DDPBuckets.sizes(gradientBytes: 60 << 20) == [1 << 20, 25 << 20, 25 << 20, 9 << 20])
        #expect(DDPBuckets.sizes(gradientBytes: 1000) == [1000])
        let llama = DDPBuckets.sizes(gradientBytes: llama7b.gradientBytes(tensorParallel: 1, pipelineParallel: 1))
        #expect(llama.reduce(0, +) == 13_476_831_232)
        #expect(llama.count == 1 + Int((13_476_831_232.0 - 1_048_576) / 26_214_400).advanced(by: 1))
    }

    @Test func computeFromFLOPs() {
        // 2 * (Psi / L) * tokens + 4 * b * s^2 * h, over TP, at 100 TFLOP/s.
        let compute = ComputeModel(teraflops: 100)
        let flops = 2 * 6_738_415_616.0 / 32 * 4096 + 4 * 4096.0 * 4096 * 4096
        #expect(abs(compute.forward(llama7b, tensorParallel: 2) - flops / 2 / 100e12) < 1e-12)
        #expect(ComputeModel(layerForwardSeconds: 0.003).forward(llama7b, tensorParallel: 8) == 0.003)
    }

    /// Tiny dimensions, every pattern: programs validate (collectives agree, sends meet receives).
    @Test(arguments: [(2, 2, 2, 1, false), (1, 4, 2, 1, false), (2, 1, 4, 2, false), (1, 2, 4, 1, true), (1, 1, 8, 4, true)])
    func programsAreConsistent(tp: Int, pp: Int, dp: Int, ep: Int, zero3: Bool) {
        let model = ModelDimensions(name: "tiny", hidden: 64, layers: 4, sequence: 32, parameters: 4e7, experts: 4, topK: 2)
        let step = TrainingStep(model: model, degrees: ParallelDegrees(tensor: tp, pipeline: pp, data: dp, expert: ep, zero3: zero3),
                                compute: ComputeModel(layerForwardSeconds: 0.001), checkpointEvery: 2)
        for iteration in 0..<2 {
            let program = step.program(iteration: iteration)
            #expect(program.validate().isEmpty, "\(program.validate())")
            #expect(program.ranks == tp * pp * dp + 1)
        }
        let program = step.program()
        let labels = Set(program.tasks.joined().map(\.label))
        #expect(labels.contains("tp all_reduce") == (tp > 1))
        #expect(labels.contains("pp send") == (pp > 1))
        #expect(labels.contains("dp all_reduce") == (dp > 1 && !zero3))
        #expect(labels.contains("fsdp all_gather") == (dp > 1 && zero3))
        #expect(labels.contains("ep alltoallv") == (ep > 1))
        #expect(!labels.contains("checkpoint"), "iteration 0 of every 2 writes none")
        #expect(Set(step.program(iteration: 1).tasks.joined().map(\.label)).contains("checkpoint"))
        // TP: two all-reduces per layer forward and backward per micro-batch.
        if tp > 1 {
            let count = program.tasks[0].filter { $0.label == "tp all_reduce" }.count
            #expect(count == 4 * (4 / pp) * step.degrees.microBatches)
        }
    }

    /// 1F1B on paper: with compute only, the bubble is (p-1)/m of the ideal time.
    @Test func oneFOneBBubble() {
        let model = ModelDimensions(name: "tiny", hidden: 64, layers: 4, sequence: 32, parameters: 4e7)
        for (p, m) in [(2, 4), (4, 8), (4, 4)] {
            let step = TrainingStep(model: model, degrees: ParallelDegrees(pipeline: p, microBatches: m),
                                    compute: ComputeModel(layerForwardSeconds: 0.001))
            let total = ProgramModel(program: step.program(), model: nil).evaluate().total
            let ideal = Double(m) * 3 * 0.001 * Double(4 / p)  // forward + backward of a stage per micro-batch
            #expect(abs(total - ideal * (1 + Double(p - 1) / Double(m))) < 1e-9, "p=\(p) m=\(m): \(total)")
        }
    }

    /// Full presets at realistic layouts, on paper: programs are consistent, and communication only adds time.
    @Test(arguments: [("llama2-70b", 8, 4, 2, 1, false), ("gpt3-175b", 8, 8, 1, 1, false), ("mixtral-8x7b", 2, 1, 8, 8, false), ("llama2-7b", 1, 1, 8, 1, true)])
    func presetsOnPaper(preset: String, tp: Int, pp: Int, dp: Int, ep: Int, zero3: Bool) {
        let model = ModelDimensions.presets[preset]!
        let step = TrainingStep(model: model, degrees: ParallelDegrees(tensor: tp, pipeline: pp, data: dp, expert: ep, zero3: zero3))
        let program = step.program()
        #expect(program.validate().isEmpty)
        let links = (0..<program.ranks).map { i in
            PluginLink(name: "g\(i)", a: "g\(i)", b: "sw", aToB: Impairment(delay: .microseconds(5), rate: .gbit(400)),
                       bToA: Impairment(delay: .microseconds(5), rate: .gbit(400)))
        }
        let paths = PathTable(ranks: (0..<program.ranks).map { "g\($0)" }, links: links)
        let compute = ProgramModel(program: program, model: nil).evaluate().total
        let predicted = ProgramModel(program: program, model: AlphaBetaModel(paths: paths, overhead: 10e-6, frameBytes: -1)).evaluate().total
        #expect(compute > 0 && predicted > compute, "\(preset): \(compute) s compute, \(predicted) s predicted")
    }
}
