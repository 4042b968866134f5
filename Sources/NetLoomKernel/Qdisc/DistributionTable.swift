import Glibc

/// netem delay distributions come as tables that iproute2 ships (normal.dist,
/// pareto.dist, paretonormal.dist); tc reads them from its library folder and sends
/// the samples to the kernel. NetLoom reads the same files.
public enum DistributionTable {
    /// Where distributions live: Debian/Ubuntu multiarch first, then the other layouts.
    public static let searchPath = [
        "/usr/lib/x86_64-linux-gnu/tc", "/usr/lib/aarch64-linux-gnu/tc", "/usr/lib/tc", "/usr/lib64/tc",
        "/usr/share/tc", "/lib/tc",
    ]

    /// Loads `NAME.dist` from the first folder that has it.
    public static func load(_ name: String) throws(KernelError) -> NetemDistribution {
        for folder in searchPath {
            let path = "\(folder)/\(name).dist"
            guard let file = fopen(path, "r") else { continue }
            defer { fclose(file) }
            var samples: [Int16] = []
            var line = [CChar](repeating: 0, count: 4096)
            while fgets(&line, Int32(line.count), file) != nil {
                let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if text.hasPrefix("#") { continue }
                for word in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
                    guard let value = Int16(word) else {
                        throw KernelError("read \(path)", errno: .invalidArgument, hint: "not a distribution table")
                    }
                    samples.append(value)
                }
            }
            return NetemDistribution(name: name, table: samples)
        }
        throw KernelError(
            "load netem distribution \(name)", errno: .noSuchFileOrDirectory,
            hint: "no \(name).dist in \(searchPath.joined(separator: ", ")); install iproute2")
    }
}
