import CNetLoomShims
import Glibc
import Logging
import NetLoomKernel
import Synchronization

/// The userspace link engine: shapes links whose two wire ends live in one namespace,
/// moving frames between them with AF_PACKET sockets on a few dedicated pthreads.
///
/// A link is `nodeA:eth0 <-> wire:<sideA>` and `wire:<sideB> <-> nodeB:eth0` (two veth
/// pairs); frames read on sideA are shaped by `aToB` and sent on sideB, and back. Every
/// frame is forwarded (ARP, ND, any EtherType), GSO super-frames whole, with their
/// virtio-net headers. See docs/link-engine.md for the pipeline's semantics.
///
/// ```swift
/// let engine = try LinkEngine(namespace: wire, links: [link], workers: 2, logger: logger)
/// try engine.start()
/// try engine.update(link: "a--b", aToB: newShaping, bToA: nil)
/// print(engine.counters())
/// engine.stop()
/// ```
public final class LinkEngine: Sendable {
    public let namespace: NetworkNamespace
    public let workerCount: Int
    public let options: LinkEngineOptions
    private let linkList: [EngineLink]
    private let logger: Logger
    private let clock: any EngineClock
    /// Two per link: index 2i is link i's aToB, 2i+1 its bToA.
    private let cells: [CounterCell]
    private let state: Mutex<EngineState>

    private struct EngineState {
        enum Phase { case idle, running, stopped }
        var phase = Phase.idle
        var shapings: [DirectionShaping]
        var threads: [pthread_t] = []
        var mailboxes: [WorkerMailbox] = []
        var sockets: [Int32] = []
        /// Receiving socket of each direction (for the kernel's drop counter).
        var receiveSockets: [Int32] = []
        var kernelDrops: [UInt64] = []
    }

    /// Validates the links; opens nothing until `start()`. `workers` is clamped to
    /// 1...number of directions; `LinkEngine.defaultWorkers` is one per two CPUs, 1...2.
    public init(namespace: NetworkNamespace, links: [EngineLink], workers: Int = LinkEngine.defaultWorkers,
                logger: Logger, options: LinkEngineOptions = LinkEngineOptions()) throws {
        var names = Set<String>()
        for link in links {
            if !names.insert(link.name).inserted { throw EngineError.duplicateLink(link.name) }
            try link.aToB.validate()
            try link.bToA.validate()
        }
        self.namespace = namespace
        self.linkList = links
        self.workerCount = max(1, min(workers, max(links.count * 2, 1)))
        self.logger = logger
        self.options = options
        self.clock = MonotonicEngineClock()
        var cells: [CounterCell] = []
        var shapings: [DirectionShaping] = []
        for link in links {
            cells.append(CounterCell(link: link.name, direction: .aToB))
            cells.append(CounterCell(link: link.name, direction: .bToA))
            shapings += [link.aToB, link.bToA]
        }
        self.cells = cells
        self.state = Mutex(EngineState(shapings: shapings))
    }

    deinit { stop() }

    /// One worker per two online CPUs, at least one and at most two: the engine shares the
    /// machine with the traffic it carries, whose senders and receivers need CPUs too. On
    /// the 2-core VM a 10 Gbit/s TCP flow through a lab got 9.51-9.56 Gbit/s in six of six
    /// runs with one worker; with two, two of six fell to 8.3-8.7 (unshaped, two workers
    /// move more: 12.3 vs 10.2 Gbit/s).
    public static var defaultWorkers: Int { max(1, min(2, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) / 2)) }

    public var links: [EngineLink] {
        let shapings = state.withLock { $0.shapings }
        return linkList.enumerated().map { i, link in
            var l = link
            l.aToB = shapings[2 * i]
            l.bToA = shapings[2 * i + 1]
            return l
        }
    }

    /// The worker that runs direction `index` (2i: link i a->b, 2i+1: b->a), and its
    /// number among that worker's directions.
    private func placement(of index: Int) -> (worker: Int, local: Int) {
        (index % workerCount, index / workerCount)
    }

    /// Opens the sockets inside the namespace and starts the worker threads.
    public func start() throws {
        try state.withLock { state throws in
            guard state.phase == .idle else { throw EngineError.alreadyStarted }
            let sockets = try openSockets()
            var opened = sockets.flatMap { [$0.rxA, $0.txA, $0.rxB, $0.txB] }
            do {
                var mailboxes: [WorkerMailbox] = []
                var plans = [[DirectionPlan]](repeating: [], count: workerCount)
                var receive: [Int32] = []
                for (i, link) in linkList.enumerated() {
                    let s = sockets[i]
                    for (d, direction) in LinkDirection.allCases.enumerated() {
                        let index = 2 * i + d
                        let plan = DirectionPlan(
                            link: link.name, direction: direction, shaping: state.shapings[index],
                            rxFD: direction == .aToB ? s.rxA : s.rxB, txFD: direction == .aToB ? s.txB : s.txA,
                            counters: cells[index])
                        plans[placement(of: index).worker].append(plan)
                        receive.append(plan.rxFD)
                    }
                }
                for _ in 0..<workerCount { mailboxes.append(try WorkerMailbox()) }
                var threads: [pthread_t] = []
                for w in 0..<workerCount where !plans[w].isEmpty {
                    let plan = plans[w], mailbox = mailboxes[w], options = options, clock = clock
                    var workerLogger = logger
                    workerLogger[metadataKey: "worker"] = "\(w)"
                    let logger = workerLogger
                    // The worker's state is built on its own thread; errors there are logged.
                    let ready = WorkerStartup()
                    let thread = try DedicatedThread.spawn(name: "netloom-eng\(w)") {
                        do {
                            let worker = try Worker(index: w, plans: plan, mailbox: mailbox, options: options,
                                                    clock: clock, logger: logger)
                            ready.signal(nil)
                            worker.run()
                        } catch {
                            ready.signal("\(error)")
                        }
                    }
                    threads.append(thread)
                    if let failure = ready.wait() {
                        for m in mailboxes { m.requestStop() }
                        for t in threads { DedicatedThread.join(t) }
                        throw EngineError.system(operation: "link engine worker \(w): \(failure)", errno: 0)
                    }
                }
                state.threads = threads
                state.mailboxes = mailboxes
                state.sockets = opened
                state.receiveSockets = receive
                state.kernelDrops = Array(repeating: 0, count: receive.count)
                state.phase = .running
                opened = []
                logger.info("link engine started", metadata: [
                    "links": "\(linkList.count)", "workers": "\(threads.count)",
                    "namespace": "\(namespace.name ?? "-")",
                ])
            } catch {
                for fd in opened { close(fd) }
                throw error
            }
        }
    }

    private struct LinkSockets { var rxA: Int32, txA: Int32, rxB: Int32, txB: Int32 }

    private func openSockets() throws -> [LinkSockets] {
        let links = linkList
        let buffer = Int32(clamping: options.socketBufferBytes)
        let bypass: Int32 = options.qdiscBypass ? 1 : 0
        let timestamps = options.kernelTimestamps, transmitStamps = options.compensateSendLatency
        return try namespace.run { () throws -> [LinkSockets] in
            var result: [LinkSockets] = []
            var opened: [Int32] = []
            do {
                for link in links {
                    func index(_ name: String) throws -> Int32 {
                        let i = if_nametoindex(name)
                        if i == 0 { throw EngineError.interfaceNotFound(link: link.name, interface: name) }
                        return Int32(i)
                    }
                    func open(_ fd: Int32, _ name: String) throws -> Int32 {
                        if fd < 0 { throw EngineError.socket(link: link.name, interface: name, errno: -fd) }
                        opened.append(fd)
                        return fd
                    }
                    let a = try index(link.sideA), b = try index(link.sideB)
                    let rxA = try open(netloom_engine_open_rx(a, buffer), link.sideA)
                    if timestamps { _ = netloom_engine_enable_rx_timestamps(rxA) }
                    let txA = try open(netloom_engine_open_tx(a, buffer, bypass), link.sideA)
                    if transmitStamps { _ = netloom_engine_enable_tx_timestamps(txA) }
                    let rxB = try open(netloom_engine_open_rx(b, buffer), link.sideB)
                    if timestamps { _ = netloom_engine_enable_rx_timestamps(rxB) }
                    let txB = try open(netloom_engine_open_tx(b, buffer, bypass), link.sideB)
                    if transmitStamps { _ = netloom_engine_enable_tx_timestamps(txB) }
                    result.append(LinkSockets(rxA: rxA, txA: txA, rxB: rxB, txB: txB))
                }
            } catch {
                for fd in opened { close(fd) }
                throw error
            }
            return result
        }
    }

    /// Stops the workers (frames still in the delay line are discarded) and closes the
    /// sockets. Idempotent.
    public func stop() {
        state.withLock { state in
            guard state.phase == .running else {
                state.phase = .stopped
                return
            }
            for m in state.mailboxes { m.requestStop() }
            for t in state.threads { DedicatedThread.join(t) }
            for fd in state.sockets { close(fd) }
            state.threads = []
            state.mailboxes = []
            state.sockets = []
            state.receiveSockets = []
            state.phase = .stopped
            logger.info("link engine stopped", metadata: ["namespace": "\(namespace.name ?? "-")"])
        }
    }

    /// Replaces the shaping of one or both directions of `link` in place. The worker
    /// applies it at its next wake-up (microseconds), between two batches: frames
    /// already queued keep their release times and nothing queued is dropped.
    public func update(link: String, aToB: DirectionShaping?, bToA: DirectionShaping?) throws {
        guard let i = linkList.firstIndex(where: { $0.name == link }) else { throw EngineError.unknownLink(link) }
        try aToB?.validate()
        try bToA?.validate()
        state.withLock { state in
            for (d, shaping) in [(0, aToB), (1, bToA)] {
                guard let shaping else { continue }
                let index = 2 * i + d
                state.shapings[index] = shaping
                if state.phase == .running {
                    let place = placement(of: index)
                    state.mailboxes[place.worker].post(.update(index: place.local, shaping: shaping))
                }
            }
        }
    }

    /// Counters of every direction (link order, a->b before b->a), as published by the
    /// workers at most 1 ms ago (and at stop).
    public func counters() -> [EngineLinkCounters] {
        state.withLock { state in
            var result = cells.map { $0.read() }
            for (i, fd) in state.receiveSockets.enumerated() {
                let drops = netloom_engine_rx_kernel_drops(fd)
                if drops > 0 { state.kernelDrops[i] += UInt64(drops) }
            }
            for i in result.indices where i < state.kernelDrops.count {
                result[i].kernelReceiveDrops = state.kernelDrops[i]
            }
            return result
        }
    }

    /// Counters of one link: (a->b, b->a).
    public func counters(link: String) -> (aToB: EngineLinkCounters, bToA: EngineLinkCounters)? {
        guard let i = linkList.firstIndex(where: { $0.name == link }) else { return nil }
        let all = counters()
        return (all[2 * i], all[2 * i + 1])
    }
}

/// Hands a worker's start-up result back to `start()`.
private final class WorkerStartup: Sendable {
    private let result = Mutex<String??>(nil)

    func signal(_ failure: String?) { result.withLock { $0 = .some(failure) } }

    func wait() -> String? {
        while true {
            if let outcome = result.withLock({ $0 }) { return outcome }
            usleep(200)
        }
    }
}
