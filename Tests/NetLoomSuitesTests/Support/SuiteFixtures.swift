import BaselinePlugins
import Foundation
import NetLoomModel
import NetLoomSuites
import Testing
import Yams

/// Suite and lab texts for unit tests (no root needed).
enum SuiteFixtures {
    static let baselinePlugins = BaselinePlugins.all

    /// The tree of a lab text, resolved from the same text.
    static func tree(_ yaml: String) throws -> LabTree {
        let base = try ResolvedLab.parse(yaml: yaml, file: "<lab>")
        return LabTree(root: try #require(try Yams.compose(yaml: yaml)), base: base)
    }

    /// Parses a suite text as if it were the file `suite.yaml` in a scratch folder holding `files`.
    static func suite(_ yaml: String, files: [String: String] = [:]) throws -> Suite {
        try Suite.parse(yaml: yaml, file: try folder(files) + "/suite.yaml")
    }

    /// The errors a suite text gets.
    static func errors(_ yaml: String, files: [String: String] = [:]) throws -> [LabError] {
        let file = try folder(files) + "/suite.yaml"
        let result = Result { () throws(LabErrors) -> Suite in try Suite.parse(yaml: yaml, file: file) }
        guard case .failure(let error) = result else { throw Unexpected("the suite should have errors") }
        return error.errors
    }

    /// A fresh folder holding `files`.
    static func folder(_ files: [String: String]) throws -> String {
        let folder = NSTemporaryDirectory() + "netloom-suite-fixtures-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: "\(folder)/\(name)", atomically: true, encoding: .utf8) }
        return folder
    }
}

struct Unexpected: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
