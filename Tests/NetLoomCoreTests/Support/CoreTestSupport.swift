import Foundation
import Logging
import NetLoomCore
import NetLoomKernel
import NetLoomModel

/// Root lab tests: probed capability, unique lab names, and teardown even on failure.
enum LabTests {
    static let machine = MachineCapabilities.probe()
    static var available: Bool { machine.canCreateNamespaces }

    /// Whether this kernel takes a switch's MLDReportFilter (clsact, cls_u32, act_mirred),
    /// tried in a throwaway namespace.
    static let kernelHasIngressFilters: Bool = {
        guard available else { return false }
        let name = "t\(String(getpid(), radix: 36))-filters"
        guard let namespace = try? NetworkNamespace.create(named: name) else { return false }
        defer { try? NetworkNamespace.delete(named: name) }
        return (try? namespace.run { () throws -> Bool in
            let socket = try NetlinkSocket()
            try socket.perform(LinkRequest.addVeth(InterfaceSpec(name: "p0", index: 2), peer: InterfaceSpec(name: "p1", index: 3)))
            try socket.perform(MLDReportFilter.ports([2]))
            try socket.perform(MLDReportFilter.filter(bridge: 3))
            return true
        }) ?? false
    }()

    static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }()

    private static let counter = LabCounter()

    /// A lab name no one else uses: "t<pid>-<n>" (lab names allow 20 characters).
    static func uniqueName() -> String { "t\(String(getpid(), radix: 36))-\(counter.next())" }

    /// Parses `yaml` with `NAME` replaced by a unique lab name.
    static func lab(_ yaml: String) throws -> (ResolvedLab, String) {
        let text = yaml.replacingOccurrences(of: "NAME", with: uniqueName())
        return (try ResolvedLab.parse(yaml: text, file: "<test>"), text)
    }

    /// Brings the lab up, runs `body`, and always takes it down.
    static func withLab<T>(_ yaml: String, _ body: (LabState) throws -> T) throws -> T {
        let (lab, text) = try lab(yaml)
        defer { _ = try? LabLifecycle.down(lab: lab.name, logger: logger) }
        let state = try LabLifecycle.up(lab, labText: text, logger: logger, machine: machine)
        return try body(state)
    }

    /// Runs a program inside a lab node and returns its output and exit code.
    static func exec(_ state: LabState, _ node: String, _ arguments: [String]) throws -> (output: String, status: Int32) {
        try run("/usr/sbin/ip", ["netns", "exec", try state.namespace(ofNode: node)] + arguments)
    }

    static func run(_ path: String, _ arguments: [String]) throws -> (output: String, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }

    /// Namespaces whose names start with "<lab>.".
    static func namespaces(of lab: String) -> [String] {
        NetworkNamespace.list().filter { $0.hasPrefix("\(lab).") }
    }

    /// The `netloom` executable built next to the test bundle.
    static var netloomExecutable: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("netloom").path
    }
}

final class LabCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}

/// "rtt min/avg/max/mdev = 20.1/20.3/20.9/0.2 ms" -> 20.3
func pingAverage(_ output: String) -> Double? {
    guard let line = output.split(separator: "\n").first(where: { $0.contains("min/avg/max") }),
          let values = line.split(separator: "=").last?.split(separator: "/"), values.count >= 2
    else { return nil }
    return Double(values[1].trimmingCharacters(in: .whitespaces))
}
