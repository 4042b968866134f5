import Foundation

/// Where a running lab keeps its state: `/run/netloom/<lab>/`, on tmpfs so a reboot
/// (which also destroys every namespace) clears it.
///
/// - `journal.jsonl`: every kernel object and process, recorded before it is created
/// - `lock`: flock'ed by whichever netloom command works on the lab
/// - `lab.json`: the resolved lab and what `up` built (written when `up` completes)
/// - `engine.sock`, `engine.log`: the userspace link engine's control socket and log
public struct LabDirectory: Sendable {
    public static let root = "/run/netloom"

    public let lab: String
    public var path: String { "\(Self.root)/\(lab)" }
    public var journal: String { "\(path)/journal.jsonl" }
    public var lock: String { "\(path)/lock" }
    public var state: String { "\(path)/lab.json" }
    public var engineSocket: String { "\(path)/engine.sock" }
    public var engineLog: String { "\(path)/engine.log" }

    public init(lab: String) { self.lab = lab }

    public var exists: Bool { FileManager.default.fileExists(atPath: path) }

    /// Creates the folder (mode 0700, never through a symlink).
    public func create() throws {
        try Self.makePrivateDirectory(Self.root)
        try Self.makePrivateDirectory(path)
    }

    public func remove() throws {
        try FileManager.default.removeItem(atPath: path)
    }

    /// Labs with a folder under /run/netloom, sorted.
    public static func all() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: "\(root)/\(name)", isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
    }

    static func makePrivateDirectory(_ path: String) throws {
        if mkdir(path, 0o700) == 0 { return }
        guard errno == EEXIST else { throw CoreError.io("mkdir \(path)", errno: errno) }
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw CoreError.unsafePath(path)
        }
    }
}
