// Lab model / Resolution: workload node lists and the timeline, whose `set` events are resolved into the
// link's complete new shaping (cumulative in time order).

extension LabBuilder {
    func resolveWorkloads() -> [ResolvedWorkload] {
        spec.workloads.map { workload in
            var names: [String] = []
            for pattern in workload.nodes {
                do throws(UnitSyntaxError) {
                    for name in try NamePattern(parsing: pattern.value).expand() {
                        if nodeIndex[name] != nil {
                            names.append(name)
                        } else {
                            var allowed = "define it under `nodes:`"
                            if let near = KeySuggestion.closest(to: name, among: nodes.map(\.name)) { allowed = "did you mean `\(near)`?" }
                            diagnostics.error(.unknownReference, pattern, "no node named `\(name)`", allowed: allowed)
                            break
                        }
                    }
                } catch {
                    diagnostics.error(.badName, pattern, error.message, allowed: error.allowed)
                }
            }
            return ResolvedWorkload(plugin: workload.plugin, nodes: names, params: workload.params, start: workload.start,
                                    duration: workload.duration, location: workload.location, path: workload.path)
        }
    }

    func checkTimelineReferences() {
        for event in spec.timeline where linkIndex[event.link.value] == nil {
            var allowed = "name a link: `<a>--<b>` or its `name:`"
            if let near = KeySuggestion.closest(to: event.link.value, among: links.map(\.name)) { allowed = "did you mean `\(near)`?" }
            diagnostics.error(.unknownReference, event.link, "no link named `\(event.link.value)`", allowed: allowed)
        }
    }

    func resolveTimeline() -> [ResolvedTimelineEvent] {
        var current: [Int: (aToB: ImpairmentSpec, bToA: ImpairmentSpec)] = [:]
        let ordered = spec.timeline.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        return ordered.compactMap { event in
            guard let l = linkIndex[event.link.value] else { return nil }
            let action: TimelineAction
            switch event.action {
            case .up: action = .up
            case .down(let duration): action = .down(for: duration)
            case .set(let fields):
                let shape = shapes[links[l].spec]
                let before = current[l] ?? (shape.aToB, shape.bToA)
                let after = (aToB: fields.direction(fromA: true, over: before.aToB),
                             bToA: fields.direction(fromA: false, over: before.bToA))
                current[l] = after
                for direction in [after.aToB, after.bToA] {
                    checkDirection(direction, mtu: shape.mtu)
                    if shape.backend == .kernel {
                        for (field, feature) in BackendSupport.kernelMissing(direction) {
                            diagnostics.error(.unsupportedByBackend, field, "\(feature) needs the userspace backend",
                                              allowed: "link `\(links[l].name)` uses the kernel backend")
                        }
                    }
                }
                action = .set(aToB: impairment(after.aToB, mtu: shape.mtu, link: l, isA: true),
                              bToA: impairment(after.bToA, mtu: shape.mtu, link: l, isA: false))
            }
            return ResolvedTimelineEvent(at: event.at, link: links[l].name, action: action, location: event.location)
        }
    }
}
