// NetLoom / Scripting: a lab that is up for the length of a `withLab` scope. It is kept up by a suites
// LabSession (the link engine of userspace links is hosted in this process); links change in place
// through LabControl, exactly as `netloom set` and `netloom link` change them.

import Foundation
import NetLoomKernel

/// The lab a `withLab` body gets. An actor: a run can go on while the same script changes links
/// (`async let run = lab.run(...)`, then `try await lab.set(...)`).
public actor RunningLab {
    /// The lab's name (its namespaces are `NAME.NODE`; `netloom status NAME` works from another terminal).
    public nonisolated let name: String
    public nonisolated let options: ScriptOptions
    let session: LabSession
    /// The lab as built (or as `apply` last made it), shaping as written: `set` changes are in `state()`.
    public private(set) var lab: ResolvedLab
    var text: String
    /// `<resultsRoot>/<lab>-<UTC time>`, made at the first run; each run is a folder inside it.
    public internal(set) var resultsFolder: String?
    var runCount = 0
    var isDown = false

    init(lab: ResolvedLab, text: String, session: LabSession, options: ScriptOptions) {
        name = lab.name
        self.lab = lab
        self.text = text
        self.session = session
        self.options = options
    }

    /// Builds the lab (all or nothing: a failure half-way removes what was built).
    static func up(_ source: LabSource, name: String?, options: ScriptOptions) async throws -> RunningLab {
        let (lab, text) = try source.load(name: name)
        let session = LabSession(logger: options.logger, machine: options.machine)
        try await session.apply(lab, text: text)
        return RunningLab(lab: lab, text: text, session: session, options: options)
    }

    /// Takes the lab down (idempotent). `withLab` calls it; afterwards every other call throws.
    func down() async throws {
        guard !isDown else { return }
        try await session.down()
        isDown = true
    }

    func checkUp() throws {
        if isDown { throw CoreError.unsupported("lab \(name) is down: its withLab scope has ended") }
    }

    // MARK: - The lab

    /// The lab's state as saved: the plan's links with the shaping they have now, the changes made.
    public func state() throws -> LabState {
        try checkUp()
        return try LabState.load(lab: name)
    }

    /// The status read back from the kernel and the link engine: each link direction's shaping and
    /// counters (bytes, packets, drops, backlog), as `netloom status NAME` prints it.
    public func status() throws -> LabStatusReport {
        try checkUp()
        return try LabStatusReader.read(lab: name)
    }

    /// One link's status (see `status()`).
    public func status(of link: String) throws -> LinkStatus {
        let report = try status()
        guard let found = report.links.first(where: { $0.name == link }) else {
            throw CoreError.unknownLink(lab: name, link: link, known: report.links.map(\.name))
        }
        return found
    }

    /// A node's first IPv4 address (or IPv6), for programs run with `exec`.
    public func address(of node: String, ipv6: Bool = false) throws -> String {
        guard let resolved = lab.node(named: node) else {
            throw CoreError.unknownNode(lab: name, node: node, known: lab.nodes.map(\.name))
        }
        let address = ipv6 ? resolved.interfaces.compactMap(\.ipv6).first : resolved.interfaces.compactMap(\.ipv4).first
        guard let address else { throw CoreError.unsupported("node \(node) has no \(ipv6 ? "IPv6" : "IPv4") address") }
        return "\(address.address)"
    }

    /// Turns the running lab into another version of it (same name): in place when only shaping,
    /// workloads or timeline differ, else by taking it down and building it again. Changes made with
    /// `set` are forgotten: the new version is the base from now on.
    @discardableResult
    public func apply(_ source: LabSource) async throws -> LabTransition {
        try checkUp()
        let (newLab, newText) = try source.load(name: name)
        let transition = try await session.apply(newLab, text: newText)
        lab = newLab
        text = newText
        return transition
    }

    // MARK: - Links

    /// New shaping for a link, in place (`netloom set NAME LINK delay=20ms rate=1gbit`): only the values
    /// given change, earlier changes stay; `direction` limits them to one direction. Kernel links change
    /// with `tc qdisc change` semantics, userspace links in the engine without losing queued packets.
    /// Returns the link's shaping now. Throws `LabErrors` for a value the lab file would reject.
    @discardableResult
    public func set(
        _ link: String, delay: Duration? = nil, jitter: Duration? = nil, loss: Percent? = nil, rate: Bitrate? = nil,
        direction: LinkDirection = .both
    ) throws -> PlannedLink {
        let fields: [(String, String?)] = [
            ("delay", delay?.labDescription), ("jitter", jitter?.labDescription), ("loss", loss?.description),
            ("rate", rate?.description),
        ]
        return try set(LinkChange(link: link, fields: fields.compactMap { key, value in
            value.map { LinkChange.Field(key: direction.prefix + key, value: $0) }
        }))
    }

    /// New shaping in the lab file's words: `set("wan", "delay=40ms", "from_b.rate=1gbit", "loss=0.1%")`.
    @discardableResult
    public func set(_ link: String, _ words: String...) throws -> PlannedLink {
        let parsed = LinkChange.parse(link: link, words: words)
        guard let change = parsed.change else {
            throw CoreError.unsupported("\"\(parsed.badWord ?? "")\" is not key=value (e.g. delay=20ms)")
        }
        return try set(change)
    }

    /// Applies one `netloom set` change.
    @discardableResult
    public func set(_ change: LinkChange) throws -> PlannedLink {
        try checkUp()
        return try LabControl.setShaping(lab: name, change: change, logger: options.logger)
    }

    /// Cuts a link (both ends lose carrier) or restores it (`netloom link NAME LINK down|up`).
    public func link(_ link: String, up: Bool) async throws {
        try checkUp()
        try LabControl.setLink(lab: name, link: link, up: up, logger: options.logger)
        // `apply` may not trust the lab to be as built any more: the next version is built afresh.
        if !up { await session.invalidate("link \(link) was taken down") }
    }
}

/// Which direction of a link a change is for.
public enum LinkDirection: Sendable {
    case both
    /// Traffic sent by the link's first endpoint (`from_a.` in the lab file).
    case fromA
    /// Traffic sent by the second endpoint (`from_b.`).
    case fromB

    var prefix: String {
        switch self {
        case .both: ""
        case .fromA: "from_a."
        case .fromB: "from_b."
        }
    }
}
