import NetLoomModel

/// NetLoom assigns every ifindex itself (namespaces are fresh, so all are free), by one
/// rule used by `up` and by every later command: in a node's namespace the loopback is
/// 1, a switch's bridge 2, and the node's interfaces follow in link order.
public enum InterfaceIndexes {
    public static let bridge: Int32 = 2

    public static func first(for kind: NodeKind) -> Int32 { kind == .switch ? 3 : 2 }

    /// Interface name -> ifindex for one node.
    public static func map(_ node: ResolvedNode) -> [String: Int32] {
        let first = first(for: node.kind)
        return Dictionary(uniqueKeysWithValues: node.interfaces.enumerated().map { ($1.name, first + Int32($0)) })
    }
}
