import Foundation

/// One line of a lab's journal.
public struct JournalEntry: Codable, Equatable, Sendable {
    public enum Event: String, Codable, Sendable {
        /// `up` started: the lab's ownership tag and the process that holds it.
        case begin
        /// A network namespace is about to be created (teardown deletes it if it
        /// carries the tag).
        case namespace
        /// The namespace now exists with this nsfs inode: teardown's fast ownership check.
        case namespaceCreated
        /// A process NetLoom started (the link engine, a workload); teardown stops it if
        /// its pid still has the recorded start time.
        case process
        /// `up` completed.
        case ready
    }

    public var event: Event
    public var name: String?
    public var tag: String?
    public var pid: Int32?
    public var startTime: UInt64?
    public var role: String?
    public var inode: UInt64?

    public static func begin(tag: String, pid: Int32) -> JournalEntry {
        JournalEntry(event: .begin, tag: tag, pid: pid)
    }

    public static func namespace(_ name: String) -> JournalEntry {
        JournalEntry(event: .namespace, name: name)
    }

    public static func namespaceCreated(_ name: String, inode: UInt64) -> JournalEntry {
        JournalEntry(event: .namespaceCreated, name: name, inode: inode)
    }

    public static func process(pid: Int32, startTime: UInt64, role: String) -> JournalEntry {
        JournalEntry(event: .process, pid: pid, startTime: startTime, role: role)
    }

    public static let ready = JournalEntry(event: .ready)
}

/// The append-only record of what a lab created. Every entry is written (one
/// write(2) per batch, O_APPEND) before the objects it names are created, so a
/// process killed at any point leaves a journal that lists at least everything that
/// exists; teardown reads it and removes what it lists, and nothing else.
public final class Journal {
    private let descriptor: Int32
    private let path: String
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Opens (creating) the journal for appending; refuses symlinks.
    public init(directory: LabDirectory) throws {
        path = directory.journal
        descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CoreError.io("open \(path)", errno: errno) }
    }

    deinit { close(descriptor) }

    public func append(_ entry: JournalEntry) throws {
        try append(contentsOf: [entry])
    }

    public func append(contentsOf entries: [JournalEntry]) throws {
        guard !entries.isEmpty else { return }
        var bytes = Data()
        for entry in entries {
            bytes.append(try encoder.encode(entry))
            bytes.append(0x0A)
        }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw CoreError.io("write \(path)", errno: errno) }
    }

    /// Reads a journal; a torn last line (the writer was killed mid-write) is skipped.
    public static func read(directory: LabDirectory) throws -> [JournalEntry] {
        guard let data = FileManager.default.contents(atPath: directory.journal) else { return [] }
        let decoder = JSONDecoder()
        return data.split(separator: 0x0A).compactMap { try? decoder.decode(JournalEntry.self, from: Data($0)) }
    }
}
