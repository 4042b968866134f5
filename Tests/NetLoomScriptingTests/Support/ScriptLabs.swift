import Foundation
import Logging
import NetLoom
import NetLoomKernel
import Synchronization

/// Tests on real labs: probed capability, unique lab names, scratch results folders.
enum ScriptLabs {
    static let machine = MachineCapabilities.probe()
    static var available: Bool { machine.canCreateNamespaces }

    private static let counter = Mutex(0)

    /// A lab name no one else uses: "w<pid>-<n>" (lab names allow 20 characters).
    static func uniqueName() -> String {
        "w\(String(getpid(), radix: 36))-\(counter.withLock { $0 += 1; return $0 })"
    }

    /// A fresh scratch folder for results.
    static func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "netloom-scripting-tests-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Options for short runs: results in `root`, quiet, the probed machine.
    static func options(_ root: String) -> ScriptOptions {
        var options = ScriptOptions()
        options.resultsRoot = root
        options.sampleInterval = .milliseconds(200)
        options.grace = .seconds(3)
        options.machine = machine
        options.logger.logLevel = .critical
        return options
    }

    /// Namespaces whose names start with "<lab>.".
    static func namespaces(of lab: String) -> [String] {
        NetworkNamespace.list().filter { $0.hasPrefix("\(lab).") }
    }

    /// Two hosts over one userspace link (so delay changes in place on any kernel): 1 ms each way,
    /// 100 Mbit/s.
    static let twoHosts = """
        name: pair
        nodes: { a: {}, b: {} }
        links:
          - endpoints: [a, b]
            name: wire
            backend: userspace
            delay: 1ms
            rate: 100mbit
        """

    /// The package's folder (this file is Tests/NetLoomScriptingTests/Support/ScriptLabs.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A program built next to the test bundle (`swift build --build-tests` builds every product).
    static func builtProduct(_ name: String) -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Runs a program and returns its standard output, standard error and exit code.
    static func run(_ path: String, _ arguments: [String], in directory: String? = nil) throws -> (output: String, errors: String, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        // Standard error goes to a file, so reading standard output to its end cannot block on a full pipe.
        let errorsPath = try scratch() + "/stderr"
        _ = FileManager.default.createFile(atPath: errorsPath, contents: nil)
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorsPath))
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errors.close()
        return (String(decoding: outputData, as: UTF8.self), (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? "",
                process.terminationStatus)
    }
}

struct Unexpected: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
