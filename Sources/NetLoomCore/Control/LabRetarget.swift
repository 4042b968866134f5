import Logging
import NetLoomKernel
import NetLoomModel

/// What `LabControl.retarget` did.
public enum RetargetOutcome: Sendable, Equatable {
    /// The running lab now is the new lab: `links` got new shaping in place, and
    /// `namespaces` had sysctls rewritten (TCP buffer limits that follow the lab's
    /// largest bandwidth-delay product).
    case applied(links: [String], namespaces: [String])
    /// Nothing was changed: the new lab differs in more than shaping (nodes, links,
    /// addresses, routes, MTUs, or a link whose backend would change); why.
    case needsRebuild(String)
}

extension LabControl {
    /// Turns a running lab into `newLab` without taking it down, when the two differ
    /// only in what can change in place: link shaping (delay, rate, loss, queue, ...;
    /// `tc qdisc change` or the engine), the TCP buffer sysctls that follow from it,
    /// workloads and timeline. Everything is checked before anything is changed; when
    /// the labs differ in anything else the outcome says why and the lab is untouched.
    /// Changes made by `netloom set` are forgotten (the new lab is the base from now on).
    ///
    /// Both labs are planned for `machine`, so a link whose `auto` backend would change
    /// (a delay added to a rate-only link on a kernel without netem) needs a rebuild.
    public static func retarget(
        lab name: String, to newLab: ResolvedLab, labText: String, machine: MachineCapabilities, logger: Logger
    ) throws -> RetargetOutcome {
        let lock = try LabLock(directory: LabDirectory(lab: name))
        defer { withExtendedLifetime(lock) {} }
        var state = try LabState.load(lab: name)
        guard newLab.name == state.lab.name else { return .needsRebuild("the lab's name changes") }
        let old = try LabPlanner.plan(state.lab, instance: state.instance, machine: machine)
        let new = try LabPlanner.plan(newLab, instance: state.instance, machine: machine)
        if let reason = difference(old, new) { return .needsRebuild(reason) }

        // Sysctls: each namespace's final values, old and new; a key the new plan drops
        // goes back to the value a fresh namespace gets (this namespace's, which new
        // namespaces copy for the TCP buffer limits).
        var sysctlWrites: [(namespace: String, settings: [(key: String, value: String)])] = []
        for (before, after) in zip(old.namespaces, new.namespaces) {
            let was = finalValues(before.sysctls)
            let will = finalValues(after.sysctls)
            guard was != will else { continue }
            // Only the TCP buffer limits change in place: other keys (`conf.default.*`, say) act on
            // what is created later, so a namespace changed in place would differ from a rebuilt one.
            let differing = Set(was.keys).union(will.keys).filter { was[$0] != will[$0] }
            if let other = differing.sorted().first(where: { !Self.inPlaceSysctls.contains($0) }) {
                return .needsRebuild("sysctl \(other) of \(after.node ?? after.name) changes")
            }
            var settings = after.sysctls.filter { was[$0.key] != will[$0.key] }.map { (key: $0.key, value: $0.value) }
            for key in was.keys.sorted() where will[key] == nil {
                guard let value = try? ProcSys.read(key) else {
                    return .needsRebuild("sysctl \(key) of \(after.name) would go back to its default, which cannot be read here")
                }
                settings.append((key, value.trimmingCharacters(in: .whitespacesAndNewlines)))
            }
            sysctlWrites.append((after.name, settings))
        }
        for (namespace, settings) in sysctlWrites {
            try NetworkNamespace.open(named: namespace).run { try ProcSys.write(settings) }
        }

        var changed: [String] = []
        for (index, target) in new.links.enumerated() {
            var link = state.links[index]
            guard link.aToB != target.aToB || link.bToA != target.bToA else { continue }
            try reshape(&link, aToB: target.aToB, bToA: target.bToA, state: state, machine: machine)
            state.links[index] = link
            changed.append(link.name)
        }
        state.lab = newLab
        state.labText = labText
        state.changes = []
        try state.save()
        logger.info("lab retargeted in place", metadata: [
            "lab": "\(name)", "links": "\(changed.count)", "sysctl-namespaces": "\(sysctlWrites.count)",
        ])
        return .applied(links: changed, namespaces: sysctlWrites.map(\.namespace))
    }

    /// Why two plans of the same lab cannot be turned into each other in place (nil
    /// when they can): everything but link shaping, qdisc trees and sysctls.
    static func difference(_ old: LabPlan, _ new: LabPlan) -> String? {
        guard old.namespaces.count == new.namespaces.count else { return "the set of nodes changes" }
        for (a, b) in zip(old.namespaces, new.namespaces) {
            guard a.name == b.name, a.node == b.node, a.kind == b.kind else { return "the set of nodes changes" }
            guard a.bridge == b.bridge, a.offloadsOff == b.offloadsOff else { return "node \(b.node ?? b.name) changes" }
            guard a.interfaces.map(unshaped) == b.interfaces.map(unshaped) else {
                return "the interfaces of \(b.node ?? b.name) change (links, addresses or MTU)"
            }
            guard a.routes == b.routes else { return "the routes of \(b.node ?? b.name) change" }
        }
        guard old.links.count == new.links.count else { return "the set of links changes" }
        for (a, b) in zip(old.links, new.links) {
            guard a.name == b.name, a.a == b.a, a.b == b.b, a.wireA == b.wireA, a.wireB == b.wireB else {
                return "the set of links changes"
            }
            guard a.backend == b.backend else {
                return "link \(b.name) would be shaped by \(b.reason) instead of \(a.reason)"
            }
        }
        guard old.wireNamespace == new.wireNamespace else { return "the set of userspace links changes" }
        return nil
    }

    static func unshaped(_ interface: PlannedInterface) -> PlannedInterface {
        var copy = interface
        copy.egress = nil
        return copy
    }

    /// Sysctls a running lab may change in place (the limits `LabPlanner.tcpBufferSysctls` sets).
    static let inPlaceSysctls: Set<String> = ["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"]

    /// A namespace's sysctls as they end up (later entries win).
    static func finalValues(_ sysctls: [Sysctl]) -> [String: String] {
        var values: [String: String] = [:]
        for sysctl in sysctls { values[sysctl.key] = sysctl.value }
        return values
    }
}
