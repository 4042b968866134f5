import NetLoomPluginAPI

/// Runs one engine step on one shard of a tensor-parallel server: the step's compute
/// (the engine timing's, for one shard) in 2 x layers equal slices, each followed by an
/// all-reduce of tokens x hidden x bytes (after attention and after the MLP of every
/// layer, as Megatron-style tensor parallelism does), tokens being the prompt tokens of a
/// prefill or the batch of a decode step. Shard 0 tells the others each step's size
/// over control connections; the all-reduces keep them in lockstep.
final class ShardRunner: Sendable {
    /// A step as shard 0 broadcasts it: kind (1 prefill, 2 decode), tokens, compute ns.
    static let controlBytes = 13

    let ring: RingAllReduce
    let shape: ModelShape
    let timing: EngineTiming
    let followers: [SocketSender]
    let stats = Locked(AllReduceStats())
    let failure = Locked<String?>(nil)

    struct AllReduceStats: Sendable {
        var count = 0
        var bytes = 0
        var time = Duration.zero
        var stepTime = Duration.zero
        var steps = 0
    }

    init(ring: RingAllReduce, shape: ModelShape, timing: EngineTiming, followers: [SocketSender]) {
        self.ring = ring
        self.shape = shape
        self.timing = timing
        self.followers = followers
    }

    /// Shard 0: the engine's step function.
    func lead(_ step: EngineStep) {
        guard failure.value == nil else { return }
        let (kind, tokens, compute): (UInt8, Int, Duration) = switch step {
        case .prefill(let tokens, _): (1, tokens, timing.prefill(tokens: tokens))
        case .decode(let batch, let context): (2, batch, timing.decodeStep(batch: batch, contextTokens: context))
        }
        var header: [UInt8] = [kind]
        header.append(bigEndian: UInt32(tokens))
        header.append(bigEndian: UInt64(max(0, compute.totalNanoseconds)))
        for follower in followers { follower.send(SocketSender.Message(header: header, payload: 0)) }
        do {
            try run(tokens: tokens, compute: compute, metrics: true)
        } catch {
            failure.withLock { $0 = "\(error)" }
        }
    }

    /// Shards 1...: runs the steps shard 0 announces until its connection closes.
    func follow(_ control: PluginSocket) throws {
        while let header = try control.receiveBytes(Self.controlBytes) {
            let tokens = Int(header.read(UInt32.self, at: 1))
            let compute = Duration.nanoseconds(Int64(header.read(UInt64.self, at: 5)))
            try run(tokens: tokens, compute: compute, metrics: false)
        }
    }

    private func run(tokens: Int, compute: Duration, metrics: Bool) throws {
        let start = ContinuousClock.now
        let slices = 2 * shape.layers
        let slice = compute / slices
        let bytes = shape.allReduceBytes(tokens: tokens)
        var due = start
        var reducing = Duration.zero
        for _ in 0..<slices {
            due += slice
            sleepThread(until: due)
            let before = ContinuousClock.now
            try ring.allReduce(bytes: bytes)
            let spent = ContinuousClock.now - before
            // The slices' deadlines move by the time spent reducing, so a late wake-up is
            // made up by the next slice instead of adding up.
            due += spent
            reducing += spent
        }
        if metrics {
            let total = ContinuousClock.now - start
            stats.withLock {
                $0.count += slices
                $0.bytes += slices * bytes
                $0.time += reducing
                $0.stepTime += total
                $0.steps += 1
            }
        }
    }
}
