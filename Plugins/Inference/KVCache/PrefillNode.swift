import Foundation
import NetLoomPluginAPI

/// A prefill node of disaggregated serving: it receives prompts from decode nodes,
/// prefills them one at a time (first come first served) with the engine's prefill
/// time, and sends each request's KV cache back to the decode node that asked, either
/// in one transfer once the prefill is done, or layer by layer as each layer's share of
/// the prefill finishes (the transfer overlaps the compute, as vLLM's and Mooncake's
/// layer-wise KV connectors do).
///
/// Wire (per decode-prefill connection): decode -> prefill `key u32, prompt tokens u32,
/// prompt bytes u32` and the prompt; prefill -> decode `key u32, layer u32, layers u32,
/// bytes u64` and the KV bytes of those layers.
final class PrefillNode: @unchecked Sendable {
    struct Job {
        var key: Int
        var promptTokens: Int
        var reply: SocketSender
    }

    static let jobHeaderBytes = 12
    static let kvHeaderBytes = 20

    let timing: EngineTiming
    let shape: ModelShape
    let layerwise: Bool
    let ledger: KVLedger
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var stopped = false
    private let busy = Locked(Duration.zero)

    init(timing: EngineTiming, shape: ModelShape, layerwise: Bool, ledger: KVLedger, name: String) {
        self.timing = timing
        self.shape = shape
        self.layerwise = layerwise
        self.ledger = ledger
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    /// Time spent prefilling.
    var busyTime: Duration { busy.value }

    /// Reads jobs from one decode node's connection until it closes.
    func serve(_ socket: PluginSocket, reply: SocketSender) throws {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 64)
        defer { scratch.deallocate() }
        while let header = try socket.receiveBytes(Self.jobHeaderBytes) {
            let key = Int(header.read(UInt32.self, at: 0))
            let tokens = Int(header.read(UInt32.self, at: 4))
            let promptBytes = Int(header.read(UInt32.self, at: 8))
            guard try socket.discard(promptBytes, scratch: scratch) else { return }
            condition.lock()
            queue.append(Job(key: key, promptTokens: tokens, reply: reply))
            condition.signal()
            condition.unlock()
        }
    }

    static func jobHeader(key: Int, promptTokens: Int, promptBytes: Int) -> [UInt8] {
        var header: [UInt8] = []
        header.append(bigEndian: UInt32(truncatingIfNeeded: key))
        header.append(bigEndian: UInt32(promptTokens))
        header.append(bigEndian: UInt32(promptBytes))
        return header
    }

    static func kvHeader(key: Int, layer: Int, layers: Int, bytes: Int) -> [UInt8] {
        var header: [UInt8] = []
        header.append(bigEndian: UInt32(truncatingIfNeeded: key))
        header.append(bigEndian: UInt32(layer))
        header.append(bigEndian: UInt32(layers))
        header.append(bigEndian: UInt64(bytes))
        return header
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopped { condition.wait() }
            if stopped {
                condition.unlock()
                return
            }
            let job = queue.removeFirst()
            condition.unlock()
            prefill(job)
        }
    }

    private func prefill(_ job: Job) {
        let start = ContinuousClock.now
        let compute = timing.prefill(tokens: job.promptTokens)
        let ledger = self.ledger
        let key = job.key
        let markStart: @Sendable () -> Void = { ledger.sending(key) }
        if layerwise {
            let layers = shape.layers
            let perLayer = shape.kvBytesPerTokenPerLayer * job.promptTokens
            for layer in 0..<layers {
                sleepThread(until: start + compute * (layer + 1) / layers)
                if layer == layers - 1 { ledger.computed(key) }
                job.reply.send(SocketSender.Message(
                    header: Self.kvHeader(key: key, layer: layer, layers: layers, bytes: perLayer), payload: perLayer,
                    onStart: layer == 0 ? markStart : nil))
            }
        } else {
            sleepThread(until: start + compute)
            ledger.computed(key)
            let bytes = shape.kvBytes(tokens: job.promptTokens)
            job.reply.send(SocketSender.Message(
                header: Self.kvHeader(key: key, layer: 0, layers: 1, bytes: bytes), payload: bytes, onStart: markStart))
        }
        busy.withLock { $0 += ContinuousClock.now - start }
    }
}
