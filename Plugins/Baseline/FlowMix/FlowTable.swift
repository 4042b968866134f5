import Synchronization

/// One flow of a flow mix.
struct Flow: Sendable {
    let id: UInt64
    let sender: String
    let receiver: String
    let bytes: UInt64
    /// Just before its connection was opened.
    var started: ContinuousClock.Instant?
    /// From `started` to its last byte read by the receiver.
    var fct: Duration?
    /// Why it failed (nil when it completed or was still running when the run ended).
    var error: String?
    /// Still running when the run ended (arrivals over and the drain time up).
    var unfinished = false

    init(id: UInt64, sender: String, receiver: String, bytes: UInt64) {
        self.id = id
        self.sender = sender
        self.receiver = receiver
        self.bytes = bytes
    }
}

/// Every flow of a run, shared by the senders and receivers (all in this process, so
/// one clock times both ends of a flow).
final class FlowTable: Sendable {
    private struct State {
        var flows: [UInt64: Flow] = [:]
        var inFlight = 0
        var skipped = 0
        var deliveredBytes: UInt64 = 0
        /// The run is over: flows that fail now were cut, not broken.
        var cut = false
    }

    private let state = Mutex(State())

    /// A flow was admitted (before its thread starts).
    func arrive() { state.withLock { $0.inFlight += 1 } }

    func skip() { state.withLock { $0.skipped += 1 } }

    /// The sender is about to connect: the flow's clock starts.
    func start(_ flow: Flow) {
        var flow = flow
        flow.started = .now
        state.withLock { $0.flows[flow.id] = flow }
    }

    func delivered(_ bytes: Int) { state.withLock { $0.deliveredBytes += UInt64(bytes) } }

    /// The receiver read the last byte: returns the completed flow.
    func complete(_ id: UInt64) -> Flow? {
        let now = ContinuousClock.now
        return state.withLock { state -> Flow? in
            guard var flow = state.flows[id], flow.fct == nil, flow.error == nil, !flow.unfinished,
                  let started = flow.started else { return nil }
            flow.fct = now - started
            state.flows[id] = flow
            state.inFlight -= 1
            return flow
        }
    }

    /// The flow's sender failed: an error, or the end of the run if `cut` came first.
    func fail(_ flow: Flow, error: String) {
        state.withLock { state in
            var flow = state.flows[flow.id] ?? flow
            guard flow.fct == nil, flow.error == nil, !flow.unfinished else { return }
            state.inFlight -= 1
            if state.cut { flow.unfinished = true } else { flow.error = error }
            state.flows[flow.id] = flow
        }
    }

    func isComplete(_ id: UInt64) -> Bool { state.withLock { $0.flows[id]?.fct != nil } }

    /// The run is over: flows still running are about to be cut.
    func cut() { state.withLock { $0.cut = true } }

    var inFlight: Int { state.withLock { $0.inFlight } }
    var skipped: Int { state.withLock { $0.skipped } }
    var deliveredBytes: UInt64 { state.withLock { $0.deliveredBytes } }

    /// Every flow that started, by id.
    func all() -> [Flow] { state.withLock { $0.flows.values.sorted { $0.id < $1.id } } }
}
