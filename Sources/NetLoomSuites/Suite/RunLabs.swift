// Suites / Suite: the lab of one run: the base lab's YAML with each axis's value (and the run's seed) set,
// serialized and resolved with the lab file's full validation. Errors in it are moved to the suite file:
// to the axis value that caused them, or to `lab:` with the point named.

import Foundation
import NetLoomCore
import NetLoomKernel
import NetLoomModel
import NetLoomPluginAPI
import Yams

/// A run's lab, ready to build.
public struct RunLab: Sendable {
    public var run: SuiteRun
    public var lab: ResolvedLab
    /// The lab text (the base lab's YAML with the point's values; comments are not kept).
    public var text: String
}

extension Suite {
    /// The base lab's tree (composed again for each run: Yams nodes are not Sendable).
    func tree() throws -> LabTree {
        guard let root = try Yams.compose(yaml: labText) else { throw LabErrors([]) }
        return LabTree(root: root, base: base)
    }

    /// The lab of one run. Errors name the suite file's line and column.
    public func lab(for run: SuiteRun) throws(LabErrors) -> RunLab {
        let text: String
        do {
            var tree = try tree()
            for (axis, value) in run.point.assignments { tree.set(axis.target, to: value.value.node) }
            if let seed = run.seed, let policy = self.seed {
                tree.set(LabTarget(steps: [.key("seed")]), to: Node(String(seed)))
                for target in policy.also { tree.set(target, to: Node(String(seed))) }
            }
            text = try tree.serialized()
        } catch {
            throw LabErrors([LabError(.syntax, at: labLocation, path: "lab", "point \(run.point.id) (\(run.point.label)): \(error)")])
        }
        do {
            return RunLab(run: run, lab: try ResolvedLab.parse(yaml: text, file: labFile, checkFiles: true), text: text)
        } catch {
            throw LabErrors(error.errors.map { moved($0, point: run.point) })
        }
    }

    /// A lab error of a point's lab, at the suite file place that caused it: the axis value
    /// whose field it is about, else `lab:` (the point's lab was re-serialized, so its own lines
    /// mean nothing to the reader).
    func moved(_ error: LabError, point: SuitePoint) -> LabError {
        let owner = point.assignments.filter { $0.axis.target.contains(errorPath: error.path) }
            .max { $0.axis.target.steps.count < $1.axis.target.steps.count }
        if let (axis, value) = owner {
            return LabError(error.kind, at: value.location, path: error.path,
                            "with \(axis.name)=\(value.text): \(error.message)", allowed: error.allowed)
        }
        let label = point.label.isEmpty ? "" : " (\(point.label))"
        return LabError(error.kind, at: labLocation, path: error.path, "point \(point.id)\(label): \(error.message)", allowed: error.allowed)
    }

    /// Resolves each point's lab once (its first repetition) and throws every error of every point.
    func checkPoints() throws(LabErrors) {
        var errors: [LabError] = []
        for point in points {
            let run = SuiteRun(point: point, repetition: 1, seed: seed?.seed(point: point, repetition: 1))
            do { _ = try lab(for: run) } catch { errors += error.errors }
        }
        guard errors.isEmpty else { throw LabErrors(Array(Set(errors))) }
    }

    /// Every run's lab, with every error of every point (each point checked once; a point whose
    /// lab is wrong is wrong for all its repetitions). With a registry, each workload's plugin and
    /// parameters are checked too.
    public func labs(registry: PluginRegistry? = nil) throws(LabErrors) -> [RunLab] {
        var labs: [RunLab] = []
        var errors: [LabError] = []
        var failed: Set<Int> = []
        var checkedPlugins: Set<Int> = []
        for run in runs where !failed.contains(run.point.index) {
            do {
                let lab = try lab(for: run)
                if let registry, checkedPlugins.insert(run.point.index).inserted {
                    do {
                        _ = try registry.instantiate(lab.lab)
                    } catch {
                        failed.insert(run.point.index)
                        errors += error.errors.map { moved($0, point: run.point) }
                        continue
                    }
                }
                labs.append(lab)
            } catch {
                failed.insert(run.point.index)
                errors += error.errors
            }
        }
        guard errors.isEmpty else { throw LabErrors(Array(Set(errors))) }
        return labs
    }
}

extension Suite {
    /// Plans every point's lab for this machine (once per point), so what only `up` would find
    /// (a `kernel` link that needs netem on a kernel without it, a missing delay distribution) is
    /// reported before anything runs, at `lab:` with the point named.
    public func checkPlans(_ labs: [RunLab], machine: MachineCapabilities) throws(LabErrors) {
        var errors: [LabError] = []
        var seen: Set<Int> = []
        for lab in labs where seen.insert(lab.run.point.index).inserted {
            do {
                _ = try LabPlanner.plan(lab.lab, instance: "check", machine: machine)
            } catch {
                let point = lab.run.point
                let label = point.label.isEmpty ? "" : " (\(point.label))"
                errors.append(LabError(.unsupportedByBackend, at: labLocation, path: "lab", "point \(point.id)\(label): \(error)"))
            }
        }
        guard errors.isEmpty else { throw LabErrors(errors) }
    }
}
