@testable import InferencePlugins
import Testing

struct KVCacheTests {
    @Test func kvBytesPerTokenOfThePresets() throws {
        // 2 x layers x kv_heads x head_dim x 2 bytes.
        let llama2 = try #require(ModelShape.presets["llama-2-7b"])
        #expect(llama2.kvBytesPerToken == 512 * 1024)
        #expect(llama2.kvBytes(tokens: 1_000) == 524_288_000)
        #expect(llama2.kvBytes(tokens: 1_024) == 512 * 1024 * 1024)
        #expect(ModelShape.presets["llama-3-8b"]?.kvBytesPerToken == 128 * 1024)
        #expect(ModelShape.presets["llama-3-70b"]?.kvBytesPerToken == 320 * 1024)
        #expect(llama2.kvBytesPerTokenPerLayer * llama2.layers == llama2.kvBytesPerToken)
        // DESIGN.md's checked size: Llama-2-7B, TP=2, s=2048: 16,777,216-byte all-reduces.
        #expect(llama2.allReduceBytes(tokens: 2_048) == 16_777_216)
    }

    @Test func engineTimingIsLinearInTheWork() throws {
        let timing = EngineTiming(prefillBase: .milliseconds(2), prefillPerToken: .microseconds(10), decodeBase: .milliseconds(5),
                                  decodePerSequence: .microseconds(100), decodePerContextToken: .nanoseconds(10))
        #expect(timing.prefill(tokens: 1_000) == .milliseconds(12))
        #expect(timing.prefill(tokens: 0) == .zero)
        #expect(timing.decodeStep(batch: 10, contextTokens: 100_000) == .milliseconds(7))
        #expect(EngineTiming.zero.decodeStep(batch: 64, contextTokens: 1_000_000) == .zero)
        #expect(EngineTiming.presets.keys.contains("zero"))
    }
}
