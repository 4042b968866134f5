import Foundation
import NetLoomModel

/// The link engine daemon's control protocol: one JSON request per line over the
/// lab's unix socket (`/run/netloom/<lab>/engine.sock`), one JSON reply per line.
public struct EngineRequest: Codable, Sendable {
    public enum Command: String, Codable, Sendable {
        /// Is the engine up and forwarding?
        case ping
        /// Every link's current shaping and counters.
        case report
        /// New shaping for one link, applied in place.
        case update
        /// Stop forwarding and exit.
        case stop
    }

    public var command: Command
    public var link: String?
    public var aToB: Impairment?
    public var bToA: Impairment?
}

public enum EngineDirection: String, Codable, CodingKeyRepresentable, Sendable, Hashable {
    case aToB, bToA
}

/// One direction as the engine reports it.
public struct EngineDirectionReport: Codable, Sendable {
    /// The shaping the engine applies now, in the lab file's words.
    public var shaping: String
    public var counters: DirectionCounters
}

public struct EngineReply: Codable, Sendable {
    public var ok: Bool
    public var error: String?
    /// link name -> direction -> report
    public var report: [String: [EngineDirection: EngineDirectionReport]]?
}

/// Talks to a lab's engine daemon.
public struct EngineClient {
    public let socket: String
    public var timeout: Duration = .seconds(5)

    public init(socket: String) { self.socket = socket }

    public func ping() throws { _ = try send(EngineRequest(command: .ping)) }

    public func report() throws -> [String: [EngineDirection: EngineDirectionReport]] {
        try send(EngineRequest(command: .report)).report ?? [:]
    }

    public func update(link: String, aToB: Impairment?, bToA: Impairment?) throws {
        _ = try send(EngineRequest(command: .update, link: link, aToB: aToB, bToA: bToA))
    }

    public func stop() throws { _ = try send(EngineRequest(command: .stop)) }

    func send(_ request: EngineRequest) throws -> EngineReply {
        let connection = try UnixConnection.connect(socket, timeout: timeout)
        defer { connection.close() }
        var line = try JSONEncoder().encode(request)
        line.append(0x0A)
        try connection.write(line)
        let reply = try JSONDecoder().decode(EngineReply.self, from: try connection.readLine())
        guard reply.ok else { throw CoreError.unsupported("link engine: \(reply.error ?? "request failed")") }
        return reply
    }
}
