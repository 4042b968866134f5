import Foundation
import Glibc
import NetLoomPluginAPI
import Synchronization
import Testing
@testable import InferencePlugins

/// What a sink saw, in order.
private final class RecordingSink: TokenSink {
    let events = Mutex<[String]>([])
    func tokens(_ count: Int, last: Bool) { events.withLock { $0.append("tokens \(count)\(last ? " last" : "")") } }
    func finish(promptTokens: Int) { events.withLock { $0.append("finish \(promptTokens)") } }
    func fail(_ message: String) { events.withLock { $0.append("fail") } }
    var seen: [String] { events.withLock { $0 } }
}

/// The emulated engine's scheduling, without a network.
struct ServingEngineTests {
    @Test func aZeroComputeEngineServesAWholeRequestInSubmit() {
        let engine = ServingEngine(timing: .zero, maxBatch: 8, maxBatchTokens: 4096, tokensPerChunk: 2)
        #expect(engine.instant)
        engine.start()
        let sink = RecordingSink()
        engine.submit(EngineJob(id: 1, promptTokens: 100, outputTokens: 5, sink: sink))
        // Nothing waits on a thread: every chunk was written before submit returned.
        #expect(sink.seen == ["tokens 2", "tokens 2", "tokens 1 last", "finish 100"])
        let prefilled = RecordingSink()
        engine.submit(EngineJob(id: 2, promptTokens: 50, outputTokens: 1, prefilled: true, sink: prefilled))
        #expect(prefilled.seen == ["tokens 1 last", "finish 50"])
        let counts = engine.stepCounts
        #expect(counts.prefills == 1 && counts.decodes == 4 && counts.meanBatch == 1)
        engine.stop()
        let late = RecordingSink()
        engine.submit(EngineJob(id: 3, promptTokens: 10, outputTokens: 2, sink: late))
        #expect(late.seen == ["fail"])
    }

    @Test func aTimedEngineStreamsFromItsThread() async throws {
        let timing = EngineTiming(prefillBase: .milliseconds(1), prefillPerToken: .zero, decodeBase: .milliseconds(1), decodePerSequence: .zero)
        let engine = ServingEngine(timing: timing, maxBatch: 8, maxBatchTokens: 4096, tokensPerChunk: 1)
        #expect(!engine.instant)
        engine.start()
        defer { engine.stop() }
        let sink = RecordingSink()
        engine.submit(EngineJob(id: 1, promptTokens: 10, outputTokens: 3, sink: sink))
        for _ in 0..<200 where sink.seen.count < 4 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(sink.seen == ["tokens 1", "tokens 1", "tokens 1 last", "finish 10"])
    }
}

/// The thread that writes a connection's messages.
struct SocketSenderTests {
    @Test func aSenderThatStoppedRefusesMessagesInsteadOfDroppingThem() throws {
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        defer { close(pair[1]) }
        let sender = SocketSender(socket: PluginSocket(descriptor: pair[0], kind: .tcp, node: "test"), name: "test-sender")
        #expect(sender.send(.init(header: [1, 2, 3], payload: 5)))
        var bytes = [UInt8](repeating: 0, count: 8)
        var got = 0
        while got < 8 {
            let n = bytes.withUnsafeMutableBytes { recv(pair[1], $0.baseAddress! + got, 8 - got, 0) }
            #expect(n > 0)
            if n <= 0 { break }
            got += n
        }
        #expect(Array(bytes[0..<3]) == [1, 2, 3])
        sender.finish()
        #expect(!sender.send(.init(header: [9], payload: 0)))
        #expect(sender.failure == nil)
    }
}
