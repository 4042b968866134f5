import NetLoomPluginAPI
import Synchronization

/// Keep-alive connections from one client node to one server, one request in flight on
/// each (as an HTTP/1.1 client pool such as aiohttp's keeps them): an idle one is reused,
/// a new one opened when none is idle.
final class ConnectionPool: Sendable {
    let node: String
    let address: String
    let port: UInt16
    let transport: ServingTransport
    let congestion: String?
    let context: PluginContext
    private let idle = Mutex<[StreamConnection]>([])
    private let all = Mutex<[StreamConnection]>([])

    init(node: String, address: String, port: UInt16, spec: LoadSpec, context: PluginContext) {
        self.node = node
        self.address = address
        self.port = port
        transport = spec.transport
        congestion = spec.congestion
        self.context = context
    }

    /// Opens `count` connections before the first request, so it does not pay the handshake.
    func warm(_ count: Int) async throws {
        try await withThrowingTaskGroup(of: StreamConnection.self) { group in
            for _ in 0..<count { group.addTask { try await self.open() } }
            for try await connection in group { release(connection) }
        }
    }

    /// An idle connection, or a new one (`opened`).
    func acquire() async throws -> (connection: StreamConnection, opened: Bool) {
        while let connection = idle.withLock({ $0.popLast() }) {
            if connection.isActive { return (connection, false) }
        }
        return (try await open(), true)
    }

    func release(_ connection: StreamConnection) {
        if connection.isActive { idle.withLock { $0.append(connection) } }
    }

    var opened: Int { all.withLock { $0.count } }

    func closeAll() async {
        let connections = all.withLock { list in
            defer { list = [] }
            return list
        }
        idle.withLock { $0 = [] }
        for connection in connections { await connection.close() }
    }

    private func open() async throws -> StreamConnection {
        let connection = try await StreamConnection.open(
            from: node, to: address, port: port, transport: transport, congestion: congestion, context: context)
        all.withLock { $0.append(connection) }
        return connection
    }
}

/// A counting semaphore for async tasks (the cap on requests in flight).
final class AsyncLimiter: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(_ limit: Int) { state = Mutex(State(available: limit)) }

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
