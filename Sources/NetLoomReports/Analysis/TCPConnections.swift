// Reports / Analysis: tcp.csv grouped by connection (workload, node, socket).

/// One TCP connection a plugin opened, with its TCP_INFO samples in time order.
public struct TCPConnection: Sendable {
    public var workload: Int
    public var node: String
    public var socket: String
    public var samples: [TCPSample]

    /// "w0 h1 fd16".
    public var name: String { "w\(workload) \(node) fd\(socket)" }

    /// Whether it sent data (its RTT and window say something).
    public var sent: Bool { samples.contains { $0.bytesAcked > 0 } }

    public var bytesAcked: UInt64 { samples.map(\.bytesAcked).max() ?? 0 }

    /// Connections in order of first appearance.
    public static func all(_ samples: [TCPSample]) -> [TCPConnection] {
        var connections: [TCPConnection] = []
        var index: [String: Int] = [:]
        for sample in samples {
            let key = "\(sample.workload)\u{0}\(sample.node)\u{0}\(sample.socket)"
            if let i = index[key] {
                connections[i].samples.append(sample)
            } else {
                index[key] = connections.count
                connections.append(TCPConnection(workload: sample.workload, node: sample.node, socket: sample.socket, samples: [sample]))
            }
        }
        for i in connections.indices { connections[i].samples.sort { $0.seconds < $1.seconds } }
        return connections
    }
}
