// Lab model / Parsing: a lab file's YAML into a `LabSpec` (values as written, with locations).
// Shape and unit errors are reported here; cross-references and topology are checked in Resolution.

import Foundation
import Yams

/// Reads a lab file into a `LabSpec`, reporting every problem it finds to `diagnostics`.
struct LabParser {
    let reader: YAMLReader
    let diagnostics: Diagnostics
    /// Folder that relative paths in the lab (rate traces) are resolved against.
    let baseFolder: URL

    static let topKeys = ["name", "backend", "settings", "addressing", "defaults", "nodes", "links", "workloads", "timeline", "seed"]
    static let settingsKeys = ["mtu", "offloads", "ipv6", "tcp_congestion_control", "tcp_slow_start_after_idle", "sysctls"]
    static let labNamePattern = #"^[a-z][a-z0-9-]{0,19}$"#

    init(file: String, diagnostics: Diagnostics) {
        self.reader = YAMLReader(file: file, diagnostics: diagnostics)
        self.diagnostics = diagnostics
        let fileURL = URL(fileURLWithPath: file)
        self.baseFolder = fileURL.deletingLastPathComponent()
    }

    var file: String { reader.file }

    /// Parses `yaml`; nil when the file is not YAML or not a mapping (errors are in `diagnostics`).
    func parse(yaml: String) -> LabSpec? {
        let start = LabLocation(file: file, line: 1, column: 1)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                diagnostics.error(.syntax, at: start, path: "", "the lab file is empty", allowed: "a lab needs at least `name` and `nodes`")
                return nil
            }
            root = node
        } catch {
            diagnostics.report(YAMLErrors.labError(error, file: file, yaml: yaml))
            return nil
        }
        let rootField = Field(node: root, path: "", location: reader.location(of: root))
        guard let top = reader.mapping(rootField, keys: Self.topKeys, what: "a lab (a mapping with name, nodes, links, ...)") else {
            return nil
        }
        var lab = LabSpec(file: file, name: "", location: start)

        if let field = top["name"] {
            if let name = reader.scalar(field, what: "a lab name") {
                if name.range(of: Self.labNamePattern, options: .regularExpression) == nil {
                    diagnostics.error(.badName, at: field.location, path: field.path, "\"\(name)\" is not a valid lab name",
                                      allowed: "use 1 to 20 lowercase letters, digits or hyphens, starting with a letter (it prefixes namespace names)")
                }
                lab.name = name
            }
        } else {
            diagnostics.error(.missingKey, at: rootField.location, path: "name", "the lab has no `name`",
                              allowed: "add e.g. `name: ring8` (it prefixes the namespaces: ring8.gpu0)")
        }
        if let field = top["backend"] { lab.backend = reader.word(field, what: "a backend", as: Backend.self) }
        if let field = top["seed"] { lab.seed = reader.seed(field) }
        if let field = top["settings"], !field.isNull { lab.settings = parseSettings(field) }
        if let field = top["addressing"], !field.isNull { lab.addressing = parseAddressing(field) }
        if let field = top["defaults"], !field.isNull,
           let defaults = reader.mapping(field, keys: ["link"]),
           let link = defaults["link"], !link.isNull {
            lab.defaults = parseLinkFields(link, context: .defaults) ?? LinkFieldsSpec()
        }
        if let field = top["nodes"] {
            lab.nodes = parseNodes(field)
        } else {
            diagnostics.error(.missingKey, at: rootField.location, path: "nodes", "the lab has no `nodes`",
                              allowed: "add e.g. `nodes: { h1: {}, h2: {} }`")
        }
        if let field = top["links"], !field.isNull {
            lab.links = (reader.sequence(field, what: "a list of links") ?? []).compactMap(parseLink)
        }
        if let field = top["workloads"], !field.isNull {
            lab.workloads = (reader.sequence(field, what: "a list of workloads") ?? []).compactMap(parseWorkload)
        }
        if let field = top["timeline"], !field.isNull {
            lab.timeline = (reader.sequence(field, what: "a list of timeline events") ?? []).compactMap(parseTimelineEvent)
        }
        return lab
    }

    // MARK: settings, addressing

    func parseSettings(_ field: Field) -> SettingsSpec {
        var settings = SettingsSpec()
        guard let map = reader.mapping(field, keys: Self.settingsKeys) else { return settings }
        if let f = map["mtu"], let mtu = reader.integer(f, in: 576...65535, what: "an MTU") { settings.mtu = f.located(mtu) }
        if let f = map["offloads"] { settings.offloads = reader.bool(f) }
        if let f = map["ipv6"] { settings.ipv6 = reader.bool(f) }
        if let f = map["tcp_slow_start_after_idle"] { settings.tcpSlowStartAfterIdle = reader.bool(f) }
        if let f = map["tcp_congestion_control"], let name = reader.scalar(f, what: "a congestion control name") {
            if name.range(of: #"^[a-z0-9_]{1,15}$"#, options: .regularExpression) == nil {
                diagnostics.error(.badValue, at: f.location, path: f.path, "\"\(name)\" is not a congestion control name",
                                  allowed: "use a kernel name such as cubic, reno, bbr or dctcp")
            } else {
                settings.tcpCongestionControl = name
            }
        }
        if let f = map["sysctls"] { settings.sysctls = parseSysctls(f) }
        return settings
    }

    func parseSysctls(_ field: Field) -> [Located<Sysctl>] {
        guard !field.isNull, let map = reader.anyMapping(field, what: "a mapping of sysctl names to values") else { return [] }
        var result: [Located<Sysctl>] = []
        for entry in map.entries {
            let keyField = Field(node: entry.field.node, path: entry.field.path, location: entry.keyLocation)
            if entry.key.range(of: #"^net\.[A-Za-z0-9_.-]+$"#, options: .regularExpression) == nil {
                diagnostics.error(.badValue, at: entry.keyLocation, path: entry.field.path, "\"\(entry.key)\" is not a net.* sysctl",
                                  allowed: "only net.* sysctls belong to a network namespace; others would change the host")
                continue
            }
            guard let value = reader.scalar(entry.field, what: "a sysctl value") else { continue }
            if value.contains("\n") || value.isEmpty {
                diagnostics.error(.badValue, at: entry.field.location, path: entry.field.path, "a sysctl value must be one line")
                continue
            }
            result.append(keyField.located(Sysctl(key: entry.key, value: value)))
        }
        return result
    }

    func parseAddressing(_ field: Field) -> AddressingSpec {
        var spec = AddressingSpec()
        guard let map = reader.mapping(field, keys: ["ipv4", "ipv6"]) else { return spec }
        if let f = map["ipv4"], let prefix = reader.unit(f, what: "an IPv4 prefix", IPPrefix.init(parsing:)) {
            if !prefix.value.network.isIPv4 {
                diagnostics.error(.badValue, prefix, "\"\(prefix.value)\" is not an IPv4 prefix", allowed: "e.g. 10.0.0.0/8")
            } else if prefix.value.length > 24 {
                diagnostics.error(.badValue, prefix, "\"\(prefix.value)\" is too small for /24 subnets", allowed: "use a /24 or shorter prefix")
            } else {
                spec.ipv4 = prefix
            }
        }
        if let f = map["ipv6"], let prefix = reader.unit(f, what: "an IPv6 prefix", IPPrefix.init(parsing:)) {
            if prefix.value.network.isIPv4 {
                diagnostics.error(.badValue, prefix, "\"\(prefix.value)\" is not an IPv6 prefix", allowed: "e.g. fd00:6e6c::/48")
            } else if prefix.value.length > 64 {
                diagnostics.error(.badValue, prefix, "\"\(prefix.value)\" is longer than /64", allowed: "the pool must be /64 or shorter (each segment gets a /64)")
            } else {
                spec.ipv6 = prefix
            }
        }
        return spec
    }

    // MARK: nodes

    func parseNodes(_ field: Field) -> [NodeSpec] {
        guard let map = reader.anyMapping(field, what: "a mapping of node names (e.g. `gpu[0-7]: { kind: host }`)") else { return [] }
        var nodes: [NodeSpec] = []
        for entry in map.entries {
            var node = NodeSpec(pattern: Located(entry.key, at: entry.keyLocation, path: entry.field.path), kind: .host, sysctls: [])
            if !entry.field.isNull, let body = reader.mapping(entry.field, keys: ["kind", "sysctls"]) {
                if let f = body["kind"], let kind = reader.word(f, what: "a node kind", as: NodeKind.self) { node.kind = kind.value }
                if let f = body["sysctls"] { node.sysctls = parseSysctls(f) }
            }
            nodes.append(node)
        }
        return nodes
    }
}
