// Lab model / Resolution: the pipeline from lab text to `ResolvedLab`. Each stage lives in its own file
// as an extension of `LabBuilder`; stages report into one `Diagnostics`, and the pipeline stops before
// a stage that needs a valid result of the one before.

import Foundation

enum LabResolver {
    static func resolve(yaml: String, file: String, checkFiles: Bool) throws(LabErrors) -> ResolvedLab {
        let diagnostics = Diagnostics()
        let parser = LabParser(file: file, diagnostics: diagnostics)
        guard let spec = parser.parse(yaml: yaml) else {
            try diagnostics.throwIfErrors()
            throw LabErrors([LabError(.syntax, at: LabLocation(file: file, line: 1, column: 1), path: "", "the lab file could not be read")])
        }
        let builder = LabBuilder(spec: spec, diagnostics: diagnostics, checkFiles: checkFiles)
        return try builder.build()
    }
}

/// Working state of one resolution. Indices (node, link, member, segment) are positions in these arrays.
final class LabBuilder {
    let spec: LabSpec
    let diagnostics: Diagnostics
    let checkFiles: Bool

    // Topology.swift
    var nodes: [TopoNode] = []
    var nodeIndex: [String: Int] = [:]
    var links: [TopoLink] = []
    var linkIndex: [String: Int] = [:]

    // LinkShaping.swift: per link spec (index into spec.links), shared by the links a line expands to.
    var shapes: [LinkShape] = []

    // Segments.swift
    var members: [Member] = []
    var segments: [Segment] = []

    // AddressPlanner.swift
    var ipv4Pool = IPPrefix(network: .v4(IPv4Address(0x0A00_0000)), length: 8)
    var ipv6Pool = IPPrefix(network: .v6(IPv6Address(UInt128(0xfd00_6e6c) << 96)), length: 48)

    // RoutePlanner.swift
    var routes: [[ResolvedRoute]] = []
    var rttReference: Duration = .milliseconds(1)

    init(spec: LabSpec, diagnostics: Diagnostics, checkFiles: Bool) {
        self.spec = spec
        self.diagnostics = diagnostics
        self.checkFiles = checkFiles
    }

    var ipv6Enabled: Bool { spec.settings.ipv6 ?? true }
    var labMTU: Int { spec.settings.mtu?.value ?? 1500 }

    func build() throws(LabErrors) -> ResolvedLab {
        expandNodes()
        expandLinks()
        nameInterfaces()
        checkSwitchLoops()
        checkSwitchPorts()
        shapeLinks()
        let workloads = resolveWorkloads()
        checkTimelineReferences()
        try diagnostics.throwIfErrors()

        buildSegments()
        planAddresses()
        try diagnostics.throwIfErrors()

        planRoutesAndRTT()
        let resolvedLinks = resolveLinks()
        let timeline = resolveTimeline()
        try diagnostics.throwIfErrors()

        return ResolvedLab(
            name: spec.name,
            file: spec.file,
            backend: spec.backend?.value ?? .auto,
            settings: ResolvedSettings(
                mtu: labMTU,
                offloads: spec.settings.offloads ?? true,
                ipv6: ipv6Enabled,
                tcpCongestionControl: spec.settings.tcpCongestionControl,
                tcpSlowStartAfterIdle: spec.settings.tcpSlowStartAfterIdle,
                ipv4Pool: ipv4Pool,
                ipv6Pool: ipv6Pool),
            seed: spec.seed,
            nodes: resolveNodes(),
            links: resolvedLinks,
            segments: resolveSegments(),
            workloads: workloads,
            timeline: timeline,
            rttReference: rttReference,
            warnings: diagnostics.warnings.sorted { $0.location < $1.location })
    }
}
