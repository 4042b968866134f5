import Foundation
import NetLoomKernel

/// Root tests run only where namespaces can be created (probed, not uid-checked),
/// use names no other test or user would pick, and remove what they made even when
/// they fail.
enum Root {
    static let available: Bool = {
        let name = unique("probe")
        guard (try? NetworkNamespace.create(named: name)) != nil else { return false }
        try? NetworkNamespace.delete(named: name)
        return true
    }()

    /// The machine's probed capabilities (qdisc kinds in particular).
    static let machine = MachineCapabilities.probe()
    static var hasNetem: Bool { available && machine.hasNetem }
    static var lacksNetem: Bool { available && !machine.hasNetem }

    private static let counter = Counter()

    /// "nltest-<pid>-<n>-<tag>": unique per process and call.
    static func unique(_ tag: String) -> String {
        "nltest-\(getpid())-\(counter.next())-\(tag)"
    }

    /// Creates `count` namespaces, runs `body`, and deletes them whatever happens.
    static func withNamespaces<T>(_ count: Int, _ body: ([NetworkNamespace]) throws -> T) throws -> T {
        var created: [NetworkNamespace] = []
        defer { for ns in created { try? NetworkNamespace.delete(named: ns.name!) } }
        for index in 0..<count {
            created.append(try NetworkNamespace.create(named: unique("ns\(index)")))
        }
        return try body(created)
    }

    /// Runs an independent tool (`ip`, `sysctl`, `ethtool`) and returns what it printed.
    static func run(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
