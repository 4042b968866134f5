import Foundation
import Logging
import NetLoomModel
import Synchronization

/// Everything a plugin's run gets: its nodes, the lab's links, its parameters,
/// sockets and programs inside nodes, a clock, metrics, a logger, its deadline.
/// Cancellation is Swift's: the runner cancels the task at the deadline or on Ctrl-C
/// and shuts down the plugin's sockets so blocked threads return.
public final class PluginContext: Sendable {
    /// `workloads[i]` with its plugin name, for logs and results.
    public let workload: String
    public let index: Int
    public let nodes: [PluginNode]
    public let links: [PluginLink]
    public let parameters: PluginParameters
    public let logger: Logger
    public let metrics: Metrics
    /// When the workload started (its clock's zero).
    public let startTime: ContinuousClock.Instant
    /// How long it may run (the lab file's `duration`), if limited.
    public let duration: Duration?
    /// Folder for files the plugin writes (logs of launched programs go here too).
    public let outputDirectory: String
    let environment: any PluginEnvironment
    private let sockets = Mutex<[WeakSocket]>([])

    public init(
        workload: String, index: Int, nodes: [PluginNode], links: [PluginLink], parameters: PluginParameters,
        logger: Logger, metrics: Metrics, startTime: ContinuousClock.Instant, duration: Duration?,
        outputDirectory: String, environment: any PluginEnvironment
    ) {
        self.workload = workload
        self.index = index
        self.nodes = nodes
        self.links = links
        self.parameters = parameters
        self.logger = logger
        self.metrics = metrics
        self.startTime = startTime
        self.duration = duration
        self.outputDirectory = outputDirectory
        self.environment = environment
    }

    public var deadline: ContinuousClock.Instant? { duration.map { startTime + $0 } }
    public var elapsed: Duration { ContinuousClock.now - startTime }

    public func node(_ name: String) -> PluginNode? { nodes.first { $0.name == name } }

    /// A port for this workload: workloads get disjoint ranges of 1000 ports from
    /// 10000, so two running at once never collide. The ranges end below 32768, where
    /// Linux's ephemeral ports begin: a port the kernel gave an outgoing connection
    /// (or one in TIME_WAIT) would otherwise make a later workload's listener fail.
    public func port(_ offset: Int = 0) -> UInt16 {
        UInt16(10_000 + 1_000 * (index % 22) + offset % 1_000)
    }

    /// A TCP or UDP socket inside `node`'s namespace (dual-stack IPv6, so IPv4 peers
    /// work too). The runner samples TCP_INFO of every TCP socket opened here.
    public func socket(_ kind: SocketKind, on node: String) throws -> PluginSocket {
        let descriptor = try environment.openSocket(
            domain: AF_INET6, type: kind == .tcp ? Int32(SOCK_STREAM.rawValue) : Int32(SOCK_DGRAM.rawValue), node: node)
        let socket = PluginSocket(descriptor: descriptor, kind: kind, node: node)
        sockets.withLock { list in
            list.removeAll { $0.socket == nil }
            list.append(WeakSocket(socket: socket))
        }
        return socket
    }

    /// Registers a socket the plugin got another way (an accepted connection) for
    /// TCP_INFO sampling and shutdown on cancellation.
    public func track(_ socket: PluginSocket) {
        sockets.withLock { $0.append(WeakSocket(socket: socket)) }
    }

    /// The plugin's open sockets.
    public var openSockets: [PluginSocket] { sockets.withLock { $0.compactMap(\.socket) } }

    /// Unblocks every thread waiting in one of the plugin's sockets.
    public func shutdownSockets() {
        for socket in openSockets { socket.shutdownBoth() }
    }

    /// Starts a program inside `node`'s namespace.
    public func launch(_ request: LaunchRequest) throws -> any LaunchedProcess {
        try environment.launch(request)
    }

    /// Runs blocking work (socket calls) on a thread of its own, off Swift's
    /// cooperative pool, and returns its result.
    public func blocking<T: Sendable>(_ name: String = "plugin", _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.name = name
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}

private struct WeakSocket: Sendable {
    weak var socket: PluginSocket?
}
