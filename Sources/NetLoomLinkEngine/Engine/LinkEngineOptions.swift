/// Tuning of the engine's workers. The defaults are what the benchmark measured best
/// on a 2-core machine.
public struct LinkEngineOptions: Sendable, Equatable {
    /// Frames per recvmmsg/sendmmsg call (1...64).
    public var batchSize: Int
    /// How long before a release time a worker stops sleeping and polls instead, to
    /// absorb a short sleep's wake-up latency (long sleeps are staged before it, see
    /// WakeEstimator). Costs CPU while frames are due soon.
    public var spin: Duration
    /// Pin worker i to CPU i modulo the CPU count.
    public var pinWorkers: Bool
    /// SO_RCVBUF/SO_SNDBUF of every socket (forced as root).
    public var socketBufferBytes: Int
    /// PACKET_QDISC_BYPASS on the sending sockets (the wire ends have no qdisc to honour).
    public var qdiscBypass: Bool
    /// Receive batches per socket before a worker looks at its timers again.
    public var batchesPerWake: Int
    /// Take a frame's arrival time from the kernel's receive timestamp (SO_TIMESTAMPNS)
    /// instead of the clock after the read, so the worker's wake-up latency is not
    /// added to the configured delay. Falls back to the clock when the stamp is missing
    /// or implausible (in the future, or more than 20 ms old).
    public var kernelTimestamps: Bool
    /// Hand frames to the socket earlier by the engine's own send latency, measured on
    /// its sends with software transmit stamps (see SendLatencyEstimate), so the send's
    /// copy and allocation are not added to the configured delay.
    public var compensateSendLatency: Bool

    public init(batchSize: Int = 32, spin: Duration = .microseconds(25), pinWorkers: Bool = false,
                socketBufferBytes: Int = 16 << 20, qdiscBypass: Bool = true, batchesPerWake: Int = 4, kernelTimestamps: Bool = true,
                compensateSendLatency: Bool = true) {
        self.batchSize = min(max(batchSize, 1), 64)
        self.spin = spin
        self.pinWorkers = pinWorkers
        self.socketBufferBytes = socketBufferBytes
        self.qdiscBypass = qdiscBypass
        self.batchesPerWake = max(batchesPerWake, 1)
        self.kernelTimestamps = kernelTimestamps
        self.compensateSendLatency = compensateSendLatency
    }
}
