import CNetLoomShims
import Glibc
import Synchronization

/// A request to a worker, applied between batches.
enum WorkerCommand: Sendable {
    /// New shaping for the worker's direction number `index`.
    case update(index: Int, shaping: DirectionShaping)
}

/// How the engine talks to a running worker: a locked list of commands and an
/// eventfd in the worker's epoll set that wakes it.
final class WorkerMailbox: Sendable {
    let eventFD: Int32
    private let pending = Mutex<[WorkerCommand]>([])
    private let stopFlag = Atomic<Bool>(false)

    init() throws(EngineError) {
        let fd = netloom_engine_eventfd()
        guard fd >= 0 else { throw .system(operation: "eventfd", errno: -fd) }
        eventFD = fd
    }

    deinit { close(eventFD) }

    func post(_ command: WorkerCommand) {
        pending.withLock { $0.append(command) }
        wake()
    }

    func requestStop() {
        stopFlag.store(true, ordering: .releasing)
        wake()
    }

    var stopRequested: Bool { stopFlag.load(ordering: .acquiring) }

    func takeCommands() -> [WorkerCommand] {
        pending.withLock { commands in
            defer { commands.removeAll() }
            return commands
        }
    }

    /// Clears the eventfd after a wake-up.
    func acknowledge() {
        var value: UInt64 = 0
        _ = read(eventFD, &value, 8)
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(eventFD, &one, 8)
    }
}
