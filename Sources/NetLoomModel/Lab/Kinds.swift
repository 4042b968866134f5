// Lab model / Lab: the small closed vocabularies of a lab file.

/// What a node is.
public enum NodeKind: String, Sendable, Codable, CaseIterable {
    /// An end host: a network namespace with addresses; does not forward.
    case host
    /// A Linux bridge in its own namespace; no addresses; everything attached to it shares one subnet.
    case `switch`
    /// A namespace with addresses that forwards IPv4 and IPv6.
    case router

    /// Hosts and routers have addresses and routes; switches do not.
    public var isLayer3: Bool { self != .switch }
}

/// Which shaping path a link uses.
public enum Backend: String, Sendable, Codable, CaseIterable {
    /// netem / tbf / htb qdiscs in the kernel.
    case kernel
    /// NetLoom's userspace link engine (AF_PACKET).
    case userspace
    /// The kernel where it has netem, else userspace; the orchestrator decides when it builds the lab.
    case auto
}

/// The distribution of jitter around the delay (netem's `distribution`).
public enum DelayDistribution: String, Sendable, Codable, CaseIterable {
    case uniform, normal, pareto, paretonormal
}

/// The queue discipline at the head of a direction.
public enum AQM: String, Sendable, Codable, CaseIterable {
    /// A plain FIFO that drops new packets when full.
    case droptail
    /// CoDel (RFC 8289); userspace backend only.
    case codel
}
