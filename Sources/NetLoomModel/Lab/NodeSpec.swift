// Lab model / Lab: one entry of `nodes:` as written (the name may be a range such as `gpu[0-7]`).

/// A kernel parameter to set inside a node's namespace (`sysctl -w key=value`).
public struct Sysctl: Sendable, Hashable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A `nodes:` entry.
public struct NodeSpec: Sendable, Codable, Equatable {
    public var pattern: Located<String>
    public var kind: NodeKind
    public var sysctls: [Located<Sysctl>]
}
