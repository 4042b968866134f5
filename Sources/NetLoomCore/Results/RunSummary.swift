import Foundation
import NetLoomKernel
import NetLoomModel
import NetLoomPluginAPI

/// summary.json: one record per workload with its headline figures.
public struct RunSummary: Codable, Sendable {
    public var lab: String
    public var file: String
    public var started: Date
    public var finished: Date
    public var status: RunStatus
    /// Why the run failed, when it did.
    public var error: String?
    public var phases: [PhaseTiming]
    public var workloads: [WorkloadSummary]
    /// Timeline events as applied, with the run time they happened at.
    public var timeline: [AppliedEvent]
}

public struct WorkloadSummary: Codable, Sendable {
    public var index: Int
    public var plugin: String
    public var nodes: [String]
    /// ok, failed, overran (did not return by its deadline plus grace), cancelled.
    public var status: String
    public var error: String?
    /// Seconds since the lab came up.
    public var started: Double
    public var finished: Double
    /// The plugin's headline figures.
    public var headline: [String: ResultRecord]
    public var results: [String: ResultRecord]
    public var counters: [String: Int64]
    public var histograms: [String: HistogramSummary]
    /// Names of the series, tables and histograms written under workloads/<index>-<plugin>/.
    public var series: [String]
    public var tables: [String]
    /// The folder of this workload's files, relative to the results folder.
    public var directory: String
}

public struct AppliedEvent: Codable, Sendable {
    public var seconds: Double
    public var link: String
    public var action: String
    public var error: String?
}

/// environment.json: what the run ran on.
public struct RunEnvironment: Codable, Sendable {
    public var netloomVersion: String
    public var commandLine: [String]
    public var hostname: String
    public var cores: Int
    public var memoryBytes: UInt64
    public var machine: MachineCapabilities
    public var seed: UInt64?
    /// Link name -> the backend it got and why.
    public var backends: [String: String]
}

public enum NetLoomVersion {
    public static let current = "0.1.0"
}
