import Foundation
import Logging
import NetLoomKernel
import Synchronization

/// Tests on real labs: probed capability, unique lab names, scratch folders.
enum RootLabs {
    static let machine = MachineCapabilities.probe()
    static var available: Bool { machine.canCreateNamespaces }

    static let logger: Logger = {
        var logger = Logger(label: "suite-test")
        logger.logLevel = .critical
        return logger
    }()

    private static let counter = Mutex(0)

    /// A lab name no one else uses: "s<pid>-<n>" (lab names allow 20 characters).
    static func uniqueName() -> String {
        "s\(String(getpid(), radix: 36))-\(counter.withLock { $0 += 1; return $0 })"
    }

    /// A fresh scratch folder for results.
    static func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "netloom-suite-tests-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Namespaces whose names start with "<lab>.".
    static func namespaces(of lab: String) -> [String] {
        NetworkNamespace.list().filter { $0.hasPrefix("\(lab).") }
    }
}
