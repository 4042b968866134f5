// Lab model / Parsing: links, link defaults and the per-direction impairment fields.

import Foundation

extension LabParser {
    /// Where a set of link fields appears; decides which keys are allowed.
    enum LinkFieldsContext {
        case link, defaults, timelineSet

        var extraKeys: [String] {
            switch self {
            case .link: ["endpoints", "name", "ipv4", "ipv6", "from_a", "from_b", "backend", "mtu"]
            case .defaults: ["from_a", "from_b", "backend", "mtu"]
            case .timelineSet: ["from_a", "from_b"]
            }
        }

        var misplaced: [String: String] {
            switch self {
            case .link: [:]
            case .defaults:
                Dictionary(uniqueKeysWithValues: ["endpoints", "name", "ipv4", "ipv6"].map {
                    ($0, "`\($0)` belongs to each link, it cannot have a default")
                })
            case .timelineSet:
                Dictionary(uniqueKeysWithValues: ["endpoints", "name", "ipv4", "ipv6", "backend", "mtu"].map {
                    ($0, "a timeline `set` changes impairments only; `\($0)` cannot change while the lab runs")
                })
            }
        }
    }

    func parseLink(_ field: Field) -> LinkSpec? {
        guard let fields = parseLinkFields(field, context: .link),
              let map = reader.mapping(field, keys: ImpairmentSpec.keys + LinkFieldsContext.link.extraKeys)
        else { return nil }
        var endpoints: [Located<String>] = []
        if let f = map["endpoints"] {
            if let items = reader.sequence(f, what: "a list of two endpoints, e.g. [h1, h2]") {
                if items.count != 2 {
                    diagnostics.error(.badValue, at: f.location, path: f.path, "a link has exactly two endpoints, found \(items.count)",
                                      allowed: "e.g. endpoints: [h1, tor]")
                }
                for item in items.prefix(2) {
                    if let text = reader.scalar(item, what: "an endpoint (node or node:interface)") {
                        endpoints.append(item.located(text))
                    }
                }
            }
        } else {
            diagnostics.error(.missingKey, at: field.location, path: "\(field.path).endpoints", "the link has no `endpoints`",
                              allowed: "add e.g. endpoints: [h1, tor]")
        }
        var name: Located<String>?
        if let f = map["name"], let text = reader.scalar(f, what: "a link name") { name = f.located(text) }
        var link = LinkSpec(endpoints: endpoints, name: name, fields: fields, ipv4: nil, ipv6: nil, location: field.location, path: field.path)
        if let f = map["ipv4"] { link.ipv4 = parseAddressPair(f, ipv4: true) }
        if let f = map["ipv6"] { link.ipv6 = parseAddressPair(f, ipv4: false) }
        guard endpoints.count == 2 else { return nil }
        return link
    }

    func parseAddressPair(_ field: Field, ipv4: Bool) -> AddressPairSpec? {
        let family = ipv4 ? "IPv4" : "IPv6"
        let example = ipv4 ? "[10.9.0.1/30, 10.9.0.2/30]" : "[fd00:9::1/64, fd00:9::2/64]"
        guard let items = reader.sequence(field, what: "a list of two \(family) addresses, e.g. \(example)") else { return nil }
        guard items.count == 2 else {
            diagnostics.error(.badValue, at: field.location, path: field.path, "expected two addresses (endpoint a, endpoint b), found \(items.count)",
                              allowed: "e.g. \(example); use null for a side that stays automatic")
            return nil
        }
        func one(_ item: Field) -> Located<InterfaceAddress>? {
            if item.isNull { return nil }
            guard let address = reader.unit(item, what: "an \(family) address with prefix length", InterfaceAddress.init(parsing:)) else { return nil }
            if address.value.address.isIPv4 != ipv4 {
                diagnostics.error(.badValue, address, "\"\(address.value)\" is not an \(family) address", allowed: "e.g. \(example)")
                return nil
            }
            let bits = address.value.address.bitWidth
            let length = address.value.prefixLength
            if length >= bits {
                diagnostics.error(.addressing, address, "a /\(length) leaves no room for a neighbour", allowed: "use a prefix shorter than /\(bits)")
                return nil
            }
            if ipv4, length < 31 {
                let network = address.value.network
                let hostBits = address.value.address.bits & network.hostMask
                if hostBits == 0 || hostBits == network.hostMask {
                    diagnostics.error(.addressing, address, "\(address.value.address) is the \(hostBits == 0 ? "network" : "broadcast") address of \(network)",
                                      allowed: "use a host address inside the subnet")
                    return nil
                }
            }
            return address
        }
        return AddressPairSpec(a: one(items[0]), b: one(items[1]), location: field.location, path: field.path)
    }

    /// Link fields (both directions, from_a, from_b, backend, mtu) from a mapping; keys outside the
    /// context's set are reported.
    func parseLinkFields(_ field: Field, context: LinkFieldsContext) -> LinkFieldsSpec? {
        let keys = ImpairmentSpec.keys + context.extraKeys
        guard let map = reader.mapping(field, keys: keys, misplaced: context.misplaced) else { return nil }
        var fields = LinkFieldsSpec()
        fields.both = parseImpairment(map)
        for (key, isA) in [("from_a", true), ("from_b", false)] {
            guard let f = map[key], !f.isNull else { continue }
            let misplaced = Dictionary(uniqueKeysWithValues: LinkFieldsContext.link.extraKeys.map {
                ($0, "`\($0)` applies to the whole link, not to one direction")
            })
            guard let sub = reader.mapping(f, keys: ImpairmentSpec.keys, misplaced: misplaced) else { continue }
            if isA { fields.fromA = parseImpairment(sub) } else { fields.fromB = parseImpairment(sub) }
        }
        if let f = map["backend"] { fields.backend = reader.word(f, what: "a backend", as: Backend.self) }
        if let f = map["mtu"], let mtu = reader.integer(f, in: 576...65535, what: "an MTU") { fields.mtu = f.located(mtu) }
        return fields
    }

    /// The impairment keys of a mapping (other keys are left to the caller).
    func parseImpairment(_ map: MappingFields) -> ImpairmentSpec {
        var spec = ImpairmentSpec()
        func duration(_ key: String) -> Located<Duration>? {
            guard let f = map[key], let d = reader.unit(f, what: "a time", DurationSyntax.parse) else { return nil }
            if d.value < .zero {
                diagnostics.error(.badValue, d, "\"\(d.value.labDescription)\" is negative", allowed: "use 0 or more, at most 1h")
                return nil
            }
            if d.value > .seconds(3600) {
                diagnostics.error(.badValue, d, "\"\(d.value.labDescription)\" is more than an hour", allowed: "use at most 1h")
                return nil
            }
            return d
        }
        func percent(_ key: String) -> Located<Percent>? {
            guard let f = map[key] else { return nil }
            return reader.unit(f, what: "a percentage", Percent.init(parsing:))
        }
        spec.delay = duration("delay")
        spec.jitter = duration("jitter")
        if let f = map["distribution"] { spec.distribution = reader.word(f, what: "a delay distribution", as: DelayDistribution.self) }
        spec.delayCorrelation = percent("delay_correlation")
        spec.loss = percent("loss")
        spec.lossCorrelation = percent("loss_correlation")
        if let f = map["loss_model"] { spec.lossModel = parseLossModel(f) }
        if let loss = map["loss"], let model = map["loss_model"] {
            diagnostics.error(.conflict, at: model.location, path: model.path, "`loss` and `loss_model` are alternatives",
                              allowed: "keep one of them (loss is set at \(loss.location.line):\(loss.location.column))")
        }
        spec.duplicate = percent("duplicate")
        spec.duplicateCorrelation = percent("duplicate_correlation")
        spec.corrupt = percent("corrupt")
        spec.corruptCorrelation = percent("corrupt_correlation")
        spec.reorder = percent("reorder")
        spec.reorderCorrelation = percent("reorder_correlation")
        if let f = map["rate"] { spec.rate = reader.unit(f, what: "a rate", Bitrate.init(parsing:)) }
        if let f = map["queue"] { spec.queue = reader.unit(f, what: "a queue size", QueueLimit.init(parsing:)) }
        if let f = map["aqm"] { spec.aqm = reader.word(f, what: "an AQM", as: AQM.self) }
        if let f = map["rate_trace"], let path = reader.scalar(f, what: "a trace file path") {
            spec.rateTrace = f.located(URL(fileURLWithPath: path, relativeTo: baseFolder).standardizedFileURL.path)
        }
        if let rate = map["rate"], let trace = map["rate_trace"] {
            diagnostics.error(.conflict, at: trace.location, path: trace.path, "`rate` and `rate_trace` are alternatives",
                              allowed: "a trace sets the rate; remove `rate` (set at \(rate.location.line):\(rate.location.column))")
        }
        if let f = map["keep_order"], let value = reader.bool(f) { spec.keepOrder = f.located(value) }
        if let f = map["seed"], let value = reader.seed(f) { spec.seed = f.located(value) }
        return spec
    }

    func parseLossModel(_ field: Field) -> Located<GilbertElliott>? {
        guard let map = reader.mapping(field, keys: ["gilbert_elliott"], what: "a loss model, e.g. { gilbert_elliott: { p: 1%, r: 10% } }") else { return nil }
        guard let f = map["gilbert_elliott"] else {
            diagnostics.error(.missingKey, at: field.location, path: field.path, "the loss model is empty",
                              allowed: "use { gilbert_elliott: { p: 1%, r: 10%, h: 0%, k: 100% } }")
            return nil
        }
        guard let ge = reader.mapping(f, keys: ["p", "r", "h", "k"]) else { return nil }
        func percent(_ key: String) -> Percent? {
            guard let g = ge[key] else { return nil }
            return reader.unit(g, what: "a percentage", Percent.init(parsing:))?.value
        }
        guard ge.has("p") else {
            diagnostics.error(.missingKey, at: f.location, path: "\(f.path).p", "the Gilbert-Elliott model needs `p`",
                              allowed: "p = P(good -> bad), e.g. p: 1%")
            return nil
        }
        guard let p = percent("p") else { return nil }
        let model = GilbertElliott(p: p, r: percent("r"), h: percent("h") ?? .zero, k: percent("k") ?? .hundred)
        return field.located(model)
    }
}
