import Foundation
import Logging
import NetLoomKernel
import Synchronization

/// A lab's link engine hosted in this process (on its own threads) instead of an
/// `engine-daemon` process, with its control socket served so `netloom status` and
/// `set` work from another terminal. The runner, suites and calibration use it:
/// pass `start` as `LabLifecycle.up`'s `startEngine`, and call `stop` before `down`.
public final class HostedEngine: Sendable {
    let logger: Logger
    private let engine = Mutex<(host: EngineHost, thread: pthread_t, socket: String)?>(nil)

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Starts the engine for the plan's userspace links (nil when it has none) and
    /// waits until its control socket answers.
    public func start(_ plan: LabPlan, _ journal: Journal) throws -> EngineProcess? {
        let userspace = plan.links.filter { $0.backend == .userspace }
        guard let wire = plan.wireNamespace, !userspace.isEmpty else { return nil }
        let host = try EngineHost(namespace: NetworkNamespace.open(named: wire), links: userspace, logger: logger)
        let socket = LabDirectory(lab: plan.lab.name).engineSocket
        let thread: pthread_t
        do {
            try host.start()
            thread = try DedicatedThread.spawn(name: "engine-control") {
                do { try host.serve(socketPath: socket) } catch { host.stop() }
            }
        } catch {
            host.stop()  // its threads would otherwise keep the wire namespace alive
            throw error
        }
        engine.withLock { $0 = (host, thread, socket) }
        let deadline = ContinuousClock.now + .seconds(5)
        while (try? EngineClient(socket: socket).ping()) == nil {
            guard ContinuousClock.now < deadline else { throw CoreError.unsupported("the link engine's control socket did not answer") }
            usleep(2_000)
        }
        return EngineProcess(pid: getpid(), startTime: ProcessIdentity.startTime(of: getpid()) ?? 0, socket: socket)
    }

    /// Stops the engine and its control thread (nothing when none runs). Idempotent.
    public func stop() {
        guard let (host, thread, socket) = engine.withLock({ value in defer { value = nil }; return value }) else { return }
        try? EngineClient(socket: socket).stop()
        host.stop()
        DedicatedThread.join(thread)
    }
}
