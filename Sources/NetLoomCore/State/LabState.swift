import Foundation
import NetLoomModel

/// What a running lab is, saved by `up` in `/run/netloom/<lab>/lab.json` for the
/// commands that come after it (status, set, link, exec, down).
public struct LabState: Codable, Sendable {
    public var lab: ResolvedLab
    /// The lab file as it was read at `up`, so later changes resolve against it even if
    /// the file is edited meanwhile.
    public var labText: String
    /// `netloom set` changes applied since `up`, in order.
    public var changes: [LinkChange]
    public var instance: String
    public var tag: String
    public var createdAt: Date
    /// Node namespaces (file order) and the wire namespace, if any.
    public var namespaces: [String]
    public var links: [PlannedLink]
    public var wireNamespace: String?
    /// The link engine's process, when links are shaped in userspace.
    public var engine: EngineProcess?
    /// Seconds spent in each phase of `up`: for `up`'s own report, not saved in lab.json
    /// (the file is encoded while the phases still run, see LabBuilder).
    public var timings: [PhaseTiming] = []

    enum CodingKeys: String, CodingKey {
        case lab, labText, changes, instance, tag, createdAt, namespaces, links, wireNamespace, engine
    }

    public func link(named name: String) throws -> PlannedLink {
        guard let link = links.first(where: { $0.name == name }) else {
            throw CoreError.unknownLink(lab: lab.name, link: name, known: links.map(\.name))
        }
        return link
    }

    public func namespace(ofNode node: String) throws -> String {
        guard let resolved = lab.node(named: node) else {
            throw CoreError.unknownNode(lab: lab.name, node: node, known: lab.nodes.map(\.name))
        }
        return resolved.namespace
    }

    public static func load(lab: String) throws -> LabState {
        let directory = LabDirectory(lab: lab)
        guard let data = FileManager.default.contents(atPath: directory.state) else {
            throw CoreError.notRunning(lab: lab)
        }
        do {
            return try JSONDecoder().decode(LabState.self, from: data)
        } catch {
            throw CoreError.corruptState("\(directory.state): \(error)")
        }
    }

    /// Writes the state atomically (a temporary file renamed over the old one).
    public func save() throws {
        try write(try encoded())
    }

    /// The state as lab.json holds it. Compact JSON: pretty-printed with sorted keys it
    /// took 0.6 s of a 1,024-host `up` (4 MB), compact 0.39 s (2 MB); `jq . lab.json` reads it.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Writes `data` (this state's `encoded()`) as lab.json, atomically.
    public func write(_ data: Data) throws {
        // Not durable: fsync of lab.json took 10-130 ms of `up` where /run is on disk.
        try AtomicFile.write(data, to: LabDirectory(lab: lab.name).state, durable: false)
    }
}

/// The link engine daemon of a lab.
public struct EngineProcess: Codable, Sendable, Equatable {
    public var pid: Int32
    public var startTime: UInt64
    public var socket: String
}

public struct PhaseTiming: Codable, Sendable, Equatable {
    public var phase: String
    public var seconds: Double
}

/// Whole-file writes that readers never see half done, and that never follow a symlink
/// planted at the destination.
public enum AtomicFile {
    /// `durable: false` skips the fsync, for runtime state under /run that a reboot
    /// makes meaningless anyway (a lab's namespaces do not survive one): the rename
    /// still replaces the file at once for every reader.
    public static func write(_ data: Data, to path: String, durable: Bool = true) throws {
        let temporary = "\(path).tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CoreError.io("create \(temporary)", errno: errno) }
        let written = data.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let synced = durable ? fsync(descriptor) : 0
        close(descriptor)
        guard written == data.count, synced == 0 else {
            unlink(temporary)
            throw CoreError.io("write \(temporary)", errno: errno)
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CoreError.io("rename \(temporary)", errno: errno)
        }
    }
}
