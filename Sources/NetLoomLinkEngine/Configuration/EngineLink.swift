/// One link shaped by the engine: two wire-side interfaces in the engine's namespace.
/// Frames read on `sideA` are shaped by `aToB` and sent on `sideB`, and back.
public struct EngineLink: Sendable, Equatable {
    /// A unique name (the orchestrator uses the lab's link name, e.g. `gpu0--tor`).
    public var name: String
    /// The wire-namespace interface toward node a (e.g. `w3a`).
    public var sideA: String
    /// The wire-namespace interface toward node b (e.g. `w3b`).
    public var sideB: String
    public var aToB: DirectionShaping
    public var bToA: DirectionShaping

    public init(name: String, sideA: String, sideB: String, aToB: DirectionShaping, bToA: DirectionShaping) {
        self.name = name
        self.sideA = sideA
        self.sideB = sideB
        self.aToB = aToB
        self.bToA = bToA
    }

    /// The same shaping both ways.
    public init(name: String, sideA: String, sideB: String, shaping: DirectionShaping) {
        self.init(name: name, sideA: sideA, sideB: sideB, aToB: shaping, bToA: shaping)
    }
}

/// One direction of a link.
public enum LinkDirection: String, Sendable, Equatable, CaseIterable {
    case aToB, bToA
}

/// Errors of the link engine, each saying what to fix.
public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidShaping(String)
    case duplicateLink(String)
    case unknownLink(String)
    case interfaceNotFound(link: String, interface: String)
    case socket(link: String, interface: String, errno: Int32)
    case system(operation: String, errno: Int32)
    case notRunning
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidShaping(let why): return "invalid shaping: \(why)"
        case .duplicateLink(let name): return "link \(name) is listed twice"
        case .unknownLink(let name): return "no link named \(name) in this engine"
        case .interfaceNotFound(let link, let interface):
            return "link \(link): interface \(interface) not found in the engine's namespace; create the wire veth pairs first"
        case .socket(let link, let interface, let errno):
            return "link \(link): AF_PACKET socket on \(interface) failed with errno \(errno)\(errno == 1 ? " (needs CAP_NET_RAW)" : "")"
        case .system(let operation, let errno): return "\(operation) failed with errno \(errno)"
        case .notRunning: return "the link engine is not running"
        case .alreadyStarted: return "the link engine was already started (an engine starts once)"
        }
    }
}
