// Lab model / Parsing: workloads (kept raw for plugins) and the timeline of link changes.

extension LabParser {
    func parseWorkload(_ field: Field) -> WorkloadSpec? {
        guard let map = reader.mapping(field, keys: ["plugin", "nodes", "params", "start", "duration"]) else { return nil }
        var plugin = ""
        if let f = map["plugin"] {
            plugin = reader.scalar(f, what: "a plugin name") ?? ""
        } else {
            diagnostics.error(.missingKey, at: field.location, path: "\(field.path).plugin", "the workload has no `plugin`",
                              allowed: "add e.g. plugin: allreduce")
        }
        var nodes: [Located<String>] = []
        if let f = map["nodes"] {
            for item in reader.oneOrMany(f) {
                if let text = reader.scalar(item, what: "a node or node range") { nodes.append(item.located(text)) }
            }
        }
        func time(_ key: String) -> Duration? {
            guard let f = map[key], let d = reader.unit(f, what: "a time", DurationSyntax.parse) else { return nil }
            if d.value < .zero {
                diagnostics.error(.badValue, d, "\"\(d.value.labDescription)\" is negative", allowed: "use 0s or more")
                return nil
            }
            return d.value
        }
        let params = map["params"].map(reader.locatedValue)
        return WorkloadSpec(plugin: plugin, nodes: nodes, params: params, start: time("start"), duration: time("duration"),
                            location: field.location, path: field.path)
    }

    func parseTimelineEvent(_ field: Field) -> TimelineEventSpec? {
        guard let map = reader.mapping(field, keys: ["at", "link", "set", "down", "up"]) else { return nil }
        var at: Duration?
        if let f = map["at"] {
            if let d = reader.unit(f, what: "a time", DurationSyntax.parse) {
                if d.value < .zero {
                    diagnostics.error(.badValue, d, "\"\(d.value.labDescription)\" is negative", allowed: "times count from the start of the run: use 0s or more")
                } else {
                    at = d.value
                }
            }
        } else {
            diagnostics.error(.missingKey, at: field.location, path: "\(field.path).at", "the event has no `at`", allowed: "add e.g. at: 10s")
        }
        var link: Located<String>?
        if let f = map["link"] {
            if let text = reader.scalar(f, what: "a link name") { link = f.located(text) }
        } else {
            diagnostics.error(.missingKey, at: field.location, path: "\(field.path).link", "the event has no `link`",
                              allowed: "add e.g. link: \"h1--h2\"")
        }
        let actions = ["set", "down", "up"].filter { map.has($0) }
        guard actions.count == 1 else {
            diagnostics.error(actions.isEmpty ? .missingKey : .conflict, at: field.location, path: field.path,
                              actions.isEmpty ? "the event does nothing" : "the event has more than one of set, down, up",
                              allowed: "give exactly one of set: {...}, down: 2s (or true), up: true")
            return nil
        }
        var action: TimelineActionSpec?
        switch actions[0] {
        case "set":
            if let f = map["set"], let fields = parseLinkFields(f, context: .timelineSet) { action = .set(fields) }
        case "down":
            let f = map["down"]!
            if case .scalar(let scalar) = f.node, scalar.string == "true" {
                action = .down(nil)
            } else if let d = reader.unit(f, what: "a time or true", DurationSyntax.parse) {
                if d.value <= .zero {
                    diagnostics.error(.badValue, d, "a link stays down for more than 0s", allowed: "use e.g. down: 2s, or down: true to stay down")
                } else {
                    action = .down(d.value)
                }
            }
        default:
            let f = map["up"]!
            if reader.bool(f) == true {
                action = .up
            } else {
                diagnostics.error(.badValue, at: f.location, path: f.path, "`up` only takes true", allowed: "use up: true, or down: true to take the link down")
            }
        }
        guard let at, let link, let action else { return nil }
        return TimelineEventSpec(at: at, link: link, action: action, location: field.location, path: field.path)
    }
}
