import Foundation

/// Finds a trace file: `conv` and `code` are the Azure LLM inference traces of 2023 that
/// ship in `Labs/traces/azure-llm-2023/`; anything else is a path (relative to the
/// lab file's folder or the working directory). The shipped traces are looked for under `$NETLOOM_TRACES`, the
/// working directory's `Labs/traces`, and the source tree this binary was built from.
enum TraceLocator {
    static let builtIn = [
        "conv": "azure-llm-2023/AzureLLMInferenceTrace_conv.csv",
        "code": "azure-llm-2023/AzureLLMInferenceTrace_code.csv",
    ]

    /// `labFile`: a relative path is taken relative to the lab file's folder (as the training
    /// `trace` plugin does), then to the working directory.
    static func path(for name: String, labFile: String? = nil) -> String? {
        guard let relative = builtIn[name] else {
            if !name.hasPrefix("/"), let labFile {
                let beside = URL(fileURLWithPath: labFile).deletingLastPathComponent().appendingPathComponent(name).standardizedFileURL.path
                if FileManager.default.fileExists(atPath: beside) { return beside }
            }
            return FileManager.default.fileExists(atPath: name) ? name : nil
        }
        var roots: [String] = []
        if let custom = ProcessInfo.processInfo.environment["NETLOOM_TRACES"] { roots.append(custom) }
        roots.append(FileManager.default.currentDirectoryPath + "/Labs/traces")
        // Plugins/Inference/Arrivals/TraceLocator.swift -> the package root.
        let source = URL(fileURLWithPath: #filePath)
        roots.append(source.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Labs/traces").path)
        return roots.map { "\($0)/\(relative)" }.first { FileManager.default.fileExists(atPath: $0) }
    }
}
