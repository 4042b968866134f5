// Plugins/Training / Metrics: the figures nccl-tests prints, and one row of its table.

import Foundation

/// nccl-tests' figures for one size: time per operation, algbw = S / t, busbw = algbw x factor (GB/s,
/// GB = 1e9 bytes).
public struct NcclFigures: Sendable, Equatable {
    public var bytes: Int
    public var seconds: Double
    public var factor: Double

    public init(operation: CollectiveOperation, ranks: Int, bytes: Int, seconds: Double) {
        self.bytes = bytes
        self.seconds = seconds
        factor = operation.busBandwidthFactor(ranks: ranks)
    }

    public var algorithmBandwidth: Double { seconds > 0 ? Double(bytes) / seconds / 1e9 : 0 }
    public var busBandwidth: Double { algorithmBandwidth * factor }
}

/// One row of the collective plugin's table.
public struct NcclRow: Sendable {
    public static let columns = ["size", "count", "type", "redop", "root", "time_us", "algbw_GBps", "busbw_GBps", "wrong",
                                 "predicted_us", "measured_over_predicted", "cpu_cores", "runqueue_pct", "note"]

    public var figures: NcclFigures
    public var count: Int
    public var type: DataType
    public var operation: CollectiveOperation
    public var root: Int
    /// Wrong elements; nil when the values were not checked (nccl-tests' `-c 0` prints N/A).
    public var wrong: Int?
    public var predictedSeconds: Double
    public var cpuCores: Double
    /// Share of the operation's time the rank threads waited, on average, for a core.
    public var runQueueShare: Double
    public var note: String

    public var ratio: Double { predictedSeconds > 0 ? figures.seconds / predictedSeconds : .nan }

    /// GB/s as nccl-tests prints it (two decimals), with more below 1 GB/s so slow links keep their digits.
    static func bandwidth(_ value: Double) -> String {
        value >= 100 ? String(format: "%.2f", value) : value >= 1 ? String(format: "%.3f", value) : String(format: "%.5f", value)
    }

    public var cells: [String] {
        [String(figures.bytes), String(count), type.rawValue, operation.reduces ? "sum" : "none",
         operation == .broadcast || operation == .reduce ? String(root) : "-1",
         String(format: "%.1f", figures.seconds * 1e6), Self.bandwidth(figures.algorithmBandwidth),
         Self.bandwidth(figures.busBandwidth), wrong.map(String.init) ?? "N/A", String(format: "%.1f", predictedSeconds * 1e6),
         String(format: "%.3f", ratio), String(format: "%.2f", cpuCores), String(format: "%.0f", runQueueShare * 100), note]
    }

    /// The row as nccl-tests prints it, with the prediction after it.
    public var line: String {
        let c = cells
        return [c[0].leftPad(12), c[1].leftPad(12), c[2].leftPad(9), c[3].leftPad(6), c[4].leftPad(5), c[5].leftPad(11),
                c[6].leftPad(8), c[7].leftPad(8), c[8].leftPad(6), c[9].leftPad(12), c[10].leftPad(7), c[11].leftPad(5),
                c[12].leftPad(4), " " + c[13]]
            .joined(separator: " ")
    }

    public static var header: String {
        ["size", "count", "type", "redop", "root", "time(us)", "algbw", "busbw", "#wrong", "predict(us)", "meas/pr", "cpu", "rq%", " note"]
            .enumerated().map { $0.element.leftPad([12, 12, 9, 6, 5, 11, 8, 8, 6, 12, 7, 5, 4, 0][$0.offset]) }.joined(separator: " ")
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

/// CPU time of this process and of the whole machine, to tell a CPU-bound size from a network-bound one.
public struct CPUMeter: Sendable {
    public let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
    private let processStart: Double
    private let machineStart: Double
    private let wallStart: ContinuousClock.Instant

    public init() {
        processStart = Self.processSeconds()
        machineStart = Self.machineBusySeconds()
        wallStart = .now
    }

    /// Cores this process kept busy on average, and the share of the machine that was busy (from
    /// /proc/stat, in clock ticks: only over 0.2 s or more, else 0, unknown).
    public func read() -> (processCores: Double, machineShare: Double) {
        let wall = PathTable.seconds(ContinuousClock.now - wallStart)
        guard wall > 0 else { return (0, 0) }
        let machine = wall >= 0.2 ? min(1, (Self.machineBusySeconds() - machineStart) / wall / cores) : 0
        return ((Self.processSeconds() - processStart) / wall, machine)
    }

    /// Adds up CPU and wall time over several measured stretches (the timed iterations, not the refills
    /// between them).
    public struct Total: Sendable {
        public private(set) var processSeconds = 0.0
        public private(set) var machineSeconds = 0.0
        public private(set) var wallSeconds = 0.0
        public let cores = Double(ProcessInfo.processInfo.activeProcessorCount)

        public init() {}

        public mutating func measure<T>(_ body: () async throws -> T) async rethrows -> T {
            let process = CPUMeter.processSeconds(), machine = CPUMeter.machineBusySeconds(), start = ContinuousClock.now
            defer {
                processSeconds += CPUMeter.processSeconds() - process
                machineSeconds += CPUMeter.machineBusySeconds() - machine
                wallSeconds += PathTable.seconds(ContinuousClock.now - start)
            }
            return try await body()
        }

        public var processCores: Double { wallSeconds > 0 ? processSeconds / wallSeconds : 0 }
        /// Only over 0.2 s or more (the machine's counters tick every 10 ms), else 0, unknown.
        public var machineShare: Double { wallSeconds >= 0.2 ? min(1, machineSeconds / wallSeconds / cores) : 0 }
        public var limited: Bool { CPUMeter.limited(processCores: processCores, machineShare: machineShare, cores: cores) }
    }

    /// Rank threads waiting this share of an operation's time for a core mark it CPU-bound.
    public static let runQueueLimit = 0.10

    /// Whether the CPU rather than the network limited a measurement: this process used 85% of all
    /// cores, or the machine was 90% busy.
    public static func limited(processCores: Double, machineShare: Double, cores: Double) -> Bool {
        processCores >= 0.85 * cores || machineShare >= 0.9
    }

    static func processSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func machineBusySeconds() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first else { return 0 }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard fields.count >= 8 else { return 0 }
        return (fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
