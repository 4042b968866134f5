// Suites / Suite: reading a suite file. Every problem is collected (not just the first) as a `LabError`
// at the suite file's line and column, with the field path inside the suite (`axes[1].zip[0].values[2]`),
// so suite errors read like lab errors.

import Foundation
import NetLoomModel
import Yams

final class SuiteParser {
    let file: String
    let text: String
    private var errors: [LabError] = []

    static let topKeys = ["name", "description", "lab", "repetitions", "seed", "order", "axes", "metrics"]
    static let axisKeys = ["path", "name", "values", "range"]
    static let rangeKeys = ["from", "to", "step", "factor", "count"]
    static let seedKeys = ["base", "per", "also"]
    /// A range longer than this is almost certainly a mistake in its step.
    static let maximumRange = 10_000

    init(file: String, text: String) {
        self.file = file
        self.text = text
    }

    func parse() throws(LabErrors) -> Suite {
        let start = LabLocation(file: file, line: 1, column: 1)
        let composed: Node?
        do {
            composed = try Yams.compose(yaml: text)
        } catch {
            throw LabErrors([Self.syntaxError(error, file: file)])
        }
        guard case .mapping(let root)? = composed else {
            throw LabErrors([LabError(.syntax, at: start, path: "", composed == nil ? "the suite file is empty" : "a suite is a mapping",
                                      allowed: "a suite needs at least `lab` (and usually `axes`)")])
        }
        checkKeys(root, allowed: Self.topKeys, path: "")

        // The base lab first: paths are resolved against it.
        guard let labNode = value(root, "lab") else {
            throw LabErrors(errors + [LabError(.missingKey, at: location(composed!), path: "lab", "the suite has no `lab`",
                                               allowed: "give a lab file (lab: ../x.yaml, relative to the suite file) or write the lab under `lab:`")])
        }
        let labLocation = keyLocation(root, "lab") ?? start
        guard let (labFile, labText, inline) = baseLab(labNode, root: root) else { throw LabErrors(errors) }
        let base: ResolvedLab
        do {
            base = try ResolvedLab.parse(yaml: labText, file: labFile, checkFiles: true)
        } catch {
            throw LabErrors(errors + error.errors)
        }
        let tree: LabTree
        do {
            guard let node = try Yams.compose(yaml: labText) else { throw LabErrors([]) }
            tree = LabTree(root: node, base: base)
        } catch {
            throw LabErrors(errors + [LabError(.syntax, at: labLocation, path: "lab", "the lab could not be read again: \(error)")])
        }

        var groups: [AxisGroup] = []
        if let axesNode = value(root, "axes") {
            if case .sequence(let items) = axesNode {
                for (index, item) in items.enumerated() {
                    if let group = axisGroup(item, path: "axes[\(index)]", tree: tree) { groups.append(group) }
                }
            } else {
                error(.syntax, axesNode, "axes", "expected a list of axes", allowed: "axes: [{ path: links[wan].delay, values: [0ms, 10ms] }]")
            }
        }
        nameAxes(&groups)
        checkOverlaps(groups)

        let repetitions = integer(value(root, "repetitions"), path: "repetitions", range: 1...1000) ?? 1
        var order = RunOrder.points
        if let node = value(root, "order") {
            if let text = node.scalar?.string, let parsed = RunOrder(rawValue: text) {
                order = parsed
            } else {
                error(.badValue, node, "order", "\"\(node.scalar?.string ?? "")\" is not an order", allowed: "use points or rounds")
            }
        }
        let seed = seedPolicy(value(root, "seed"), tree: tree, axes: groups.flatMap(\.axes))
        var metrics: [String] = []
        if let node = value(root, "metrics") {
            if case .sequence(let items) = node {
                for (index, item) in items.enumerated() {
                    guard let text = item.scalar?.string, text.contains(".") else {
                        error(.badValue, item, "metrics[\(index)]", "expected `workload.figure`", allowed: "e.g. bulk.throughput or rr.latency.p99")
                        continue
                    }
                    metrics.append(text)
                }
            } else {
                error(.syntax, node, "metrics", "expected a list", allowed: "metrics: [bulk.throughput]")
            }
        }
        var name = Self.defaultName(file: file, lab: base.name)
        if let node = value(root, "name") {
            if let text = node.scalar?.string, Self.isValidName(text) {
                name = text
            } else {
                error(.badName, node, "name", "\"\(node.scalar?.string ?? "")\" is not a suite name",
                      allowed: "1 to 64 of lowercase letters, digits, `-`, `_`, `.`, starting with a letter or digit (it names the results folder)")
            }
        }
        if let node = value(root, "seed"), seed == nil, errors.isEmpty {
            error(.badValue, node, "seed", "the seed could not be read")
        }
        guard errors.isEmpty else { throw LabErrors(errors) }
        return Suite(
            name: name, file: file, text: text, labFile: labFile, labText: labText, labIsInline: inline, labLocation: labLocation,
            base: base, groups: groups, repetitions: repetitions, seed: seed, order: order, metrics: metrics,
            description: value(root, "description")?.scalar?.string)
    }

    // MARK: - The base lab

    /// A lab file's path and text, or an inline lab's text with the suite file's line numbers.
    func baseLab(_ node: Node, root: Node.Mapping) -> (file: String, text: String, inline: Bool)? {
        switch node {
        case .scalar(let scalar):
            let folder = URL(fileURLWithPath: file).deletingLastPathComponent()
            let path = scalar.string.hasPrefix("/") ? scalar.string : folder.appendingPathComponent(scalar.string).path
            let display = scalar.string.hasPrefix("/") || file.hasPrefix("<") ? scalar.string : Self.relative(path)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                error(.badValue, node, "lab", "cannot read the lab file \(display)",
                      allowed: "a lab file's path is relative to the suite file's folder")
                return nil
            }
            return (display, text, false)
        case .mapping:
            return (file, inlineText(node, root: root), true)
        default:
            error(.syntax, node, "lab", "expected a lab file's path or a lab", allowed: "lab: ../quickstart.yaml")
            return nil
        }
    }

    /// The suite text with everything but the lab's mapping blanked out, so the lab's errors keep
    /// their lines and columns in the suite file.
    func inlineText(_ node: Node, root: Node.Mapping) -> String {
        guard let mark = node.mark else { return "" }
        let following = root.compactMap { $0.key.mark }.filter { $0.line > mark.line }.map(\.line).min()
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let following { lines = Array(lines.prefix(following - 1)) }
        for index in lines.indices {
            let number = index + 1
            if number < mark.line {
                lines[index] = ""
            } else if number == mark.line {
                let characters = Array(lines[index])
                let cut = min(mark.column - 1, characters.count)
                lines[index] = String(repeating: " ", count: cut) + String(characters[cut...])
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Axes

    func axisGroup(_ node: Node, path: String, tree: LabTree) -> AxisGroup? {
        guard case .mapping(let mapping) = node else {
            error(.syntax, node, path, "expected an axis", allowed: "{ path: links[wan].delay, values: [0ms, 10ms] } or { zip: [axis, axis] }")
            return nil
        }
        if let zipped = value(mapping, "zip") {
            checkKeys(mapping, allowed: ["zip"], path: path)
            guard case .sequence(let items) = zipped, !items.isEmpty else {
                error(.syntax, zipped, "\(path).zip", "expected a list of axes that change together")
                return nil
            }
            let axes = items.enumerated().compactMap { axis($1, path: "\(path).zip[\($0)]", tree: tree) }
            guard axes.count == items.count else { return nil }
            let counts = axes.map(\.values.count)
            if Set(counts).count > 1 {
                error(.conflict, mapping.first { $0.key.scalar?.string == "zip" }!.key, "\(path).zip", "zipped axes must have the same number of values; these have "
                        + counts.map(String.init).joined(separator: ", "),
                      allowed: "give each the same number of values, or cross them as separate axes")
                return nil
            }
            return AxisGroup(axes: axes)
        }
        return axis(node, path: path, tree: tree).map { AxisGroup(axes: [$0]) }
    }

    func axis(_ node: Node, path: String, tree: LabTree) -> Axis? {
        guard case .mapping(let mapping) = node else {
            error(.syntax, node, path, "expected an axis", allowed: "{ path: links[wan].delay, values: [0ms, 10ms] }")
            return nil
        }
        checkKeys(mapping, allowed: Self.axisKeys, path: path)
        guard let pathNode = value(mapping, "path") else {
            error(.missingKey, node, "\(path).path", "the axis has no `path`", allowed: "the field to sweep, e.g. path: links[wan].delay")
            return nil
        }
        guard let (sweep, target) = target(pathNode, field: "\(path).path", tree: tree) else { return nil }
        if target.steps == [.key("name")] {
            error(.badValue, pathNode, "\(path).path", "the lab's name cannot be swept", allowed: "every point runs the same lab, renamed never")
            return nil
        }
        var values: [AxisValue] = []
        switch (value(mapping, "values"), value(mapping, "range")) {
        case (let list?, nil):
            guard case .sequence(let items) = list, !items.isEmpty else {
                error(.syntax, list, "\(path).values", "expected a list of values", allowed: "values: [0ms, 1ms, 5ms]")
                return nil
            }
            values = items.map { AxisValue(SweepValue($0), at: location($0)) }
        case (nil, let range?):
            guard let expanded = self.range(range, path: "\(path).range") else { return nil }
            values = expanded
        case (.some, .some):
            error(.conflict, node, path, "`values` and `range` are alternatives", allowed: "give one of them")
            return nil
        case (nil, nil):
            error(.missingKey, node, "\(path).values", "the axis has no `values` or `range`", allowed: "values: [0ms, 1ms] or range: { from: 0ms, to: 20ms, step: 5ms }")
            return nil
        }
        var seen: Set<String> = []
        for (index, value) in values.enumerated() where !seen.insert(value.text).inserted {
            errors.append(LabError(.duplicate, at: value.location, path: "\(path).values[\(index)]", "the value \(value.text) repeats",
                                   allowed: "each value once; use `repetitions` to run a point more than once"))
        }
        var name = ""
        if let nameNode = value(mapping, "name") {
            if let text = nameNode.scalar?.string, Self.isValidColumn(text) {
                name = text
            } else {
                error(.badName, nameNode, "\(path).name", "\"\(nameNode.scalar?.string ?? "")\" is not a column name",
                      allowed: "letters, digits, `_`, `-`, `.`")
            }
        }
        return Axis(name: name, path: sweep, pathLocation: location(pathNode), target: target, values: values)
    }

    /// A path's steps and where they land; errors point at the step's column.
    func target(_ node: Node, field: String, tree: LabTree) -> (SweepPath, LabTarget)? {
        guard let scalar = node.scalar else {
            error(.syntax, node, field, "expected a path", allowed: "e.g. links[wan].delay, defaults.link.rate, workloads[0].params.size")
            return nil
        }
        let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
        func at(_ offset: Int) -> LabLocation {
            var place = location(node)
            place.column += offset + (quoted ? 1 : 0)
            return place
        }
        let sweep: SweepPath
        do {
            sweep = try SweepPath(parsing: scalar.string)
        } catch {
            errors.append(LabError(.badValue, at: at(error.offset), path: field, "bad path \"\(scalar.string)\": \(error.message)",
                                   allowed: "steps are `.key` and `[index]`, e.g. links[wan].delay or workloads[0].params.size"))
            return nil
        }
        do {
            return (sweep, try tree.resolve(sweep))
        } catch {
            errors.append(LabError(.unknownReference, at: at(error.offset), path: field, "\(scalar.string): \(error.message)", allowed: error.allowed))
            return nil
        }
    }

    /// `{ from, to, step | factor | count }` expanded to values.
    func range(_ node: Node, path: String) -> [AxisValue]? {
        guard case .mapping(let mapping) = node else {
            error(.syntax, node, path, "expected a range", allowed: "range: { from: 0ms, to: 20ms, step: 5ms } (or factor: 2, or count: 5)")
            return nil
        }
        checkKeys(mapping, allowed: Self.rangeKeys, path: path)
        func quantity(_ key: String) -> (Quantity, Node)? {
            guard let node = value(mapping, key) else { return nil }
            guard let text = node.scalar?.string, let quantity = Quantity(parsing: text) else {
                error(.badValue, node, "\(path).\(key)", "\"\(node.scalar?.string ?? "")\" is not a time, rate, size, percentage or number",
                      allowed: "e.g. 5ms, 10gbit, 64MiB, 0.5%, 8")
                return nil
            }
            return (quantity, node)
        }
        guard let (from, fromNode) = quantity("from"), let (to, toNode) = quantity("to") else {
            if value(mapping, "from") == nil { error(.missingKey, node, "\(path).from", "the range has no `from`") }
            if value(mapping, "to") == nil { error(.missingKey, node, "\(path).to", "the range has no `to`") }
            return nil
        }
        guard from.kind == to.kind else {
            error(.conflict, toNode, "\(path).to", "`to` is \(to.kind.noun) but `from` is \(from.kind.noun)")
            return nil
        }
        let spacings = ["step", "factor", "count"].filter { value(mapping, $0) != nil }
        guard spacings.count == 1 else {
            error(spacings.isEmpty ? .missingKey : .conflict, node, path,
                  spacings.isEmpty ? "the range has no `step`, `factor` or `count`" : "`step`, `factor` and `count` are alternatives",
                  allowed: "step: 5ms (from + k x step), factor: 2 (from x 2^k) or count: 5 (evenly spaced, ends included)")
            return nil
        }
        let location = self.location(fromNode)
        var bases: [Double] = []
        switch spacings[0] {
        case "step":
            guard let (step, stepNode) = quantity("step") else { return nil }
            guard step.kind == from.kind, step.base > 0 else {
                error(.badValue, stepNode, "\(path).step", step.kind == from.kind ? "the step must be more than zero" : "`step` is \(step.kind.noun) but `from` is \(from.kind.noun)")
                return nil
            }
            guard from.base <= to.base else {
                error(.badValue, toNode, "\(path).to", "`to` is less than `from`", allowed: "a range counts up")
                return nil
            }
            let count = Int(((to.base - from.base) / step.base * (1 + 1e-9)).rounded(.down)) + 1
            guard count <= Self.maximumRange else {
                error(.badValue, stepNode, "\(path).step", "the range makes \(count) values; at most \(Self.maximumRange)")
                return nil
            }
            bases = (0..<count).map { from.base + Double($0) * step.base }
        case "factor":
            let factorNode = value(mapping, "factor")!
            guard let factor = factorNode.scalar.flatMap({ Double($0.string) }), factor > 1, factor.isFinite else {
                error(.badValue, factorNode, "\(path).factor", "the factor must be a number more than 1", allowed: "e.g. factor: 2")
                return nil
            }
            guard from.base > 0, from.base <= to.base else {
                error(.badValue, fromNode, "\(path).from", from.base <= 0 ? "a range with a factor starts above zero" : "`to` is less than `from`")
                return nil
            }
            var value = from.base
            while value <= to.base * (1 + 1e-9), bases.count <= Self.maximumRange {
                bases.append(value)
                value *= factor
            }
        default:
            guard let count = integer(value(mapping, "count"), path: "\(path).count", range: 2...Self.maximumRange) else { return nil }
            bases = (0..<count).map { from.base + (to.base - from.base) * Double($0) / Double(count - 1) }
        }
        return bases.map { AxisValue(.scalar(Quantity(kind: from.kind, base: $0).text), at: location) }
    }

    /// Column names: the path's last key (`delay`), or the whole path where two would clash.
    func nameAxes(_ groups: inout [AxisGroup]) {
        func short(_ axis: Axis) -> String {
            axis.path.steps.last(where: { $0.kind == .key })?.text ?? axis.path.text
        }
        let all = groups.flatMap(\.axes)
        var counts: [String: Int] = [:]
        for axis in all where axis.name.isEmpty { counts[short(axis), default: 0] += 1 }
        let explicit = Set(all.map(\.name).filter { !$0.isEmpty })
        for g in groups.indices {
            for a in groups[g].axes.indices where groups[g].axes[a].name.isEmpty {
                let candidate = short(groups[g].axes[a])
                groups[g].axes[a].name = counts[candidate] == 1 && !explicit.contains(candidate) ? candidate : groups[g].axes[a].path.text
            }
        }
        var seen: [String: LabLocation] = [:]
        for axis in groups.flatMap(\.axes) {
            if seen[axis.name] != nil {
                errors.append(LabError(.duplicate, at: axis.pathLocation, path: "axes", "two axes are named \(axis.name)",
                                       allowed: "give one of them a different `name`"))
            }
            seen[axis.name] = axis.pathLocation
        }
    }

    /// Two axes on the same field, or one inside another, would fight.
    func checkOverlaps(_ groups: [AxisGroup]) {
        let all = groups.flatMap(\.axes)
        for (i, axis) in all.enumerated() {
            if let earlier = all[..<i].first(where: { $0.target.overlaps(axis.target) }) {
                errors.append(LabError(.conflict, at: axis.pathLocation, path: "axes",
                                       "\(axis.path.text) and \(earlier.path.text) (\(earlier.pathLocation)) change the same field",
                                       allowed: "sweep each field once (zip axes that must change together)"))
            }
        }
    }

    // MARK: - Seeds

    func seedPolicy(_ node: Node?, tree: LabTree, axes: [Axis]) -> SeedPolicy? {
        guard let node else { return nil }
        var policy: SeedPolicy?
        switch node {
        case .scalar(let scalar):
            guard let base = UInt64(scalar.string) else {
                error(.badValue, node, "seed", "\"\(scalar.string)\" is not a seed", allowed: "an integer from 0 to 2^64-1, or { base: 42, per: run, also: [...] }")
                return nil
            }
            policy = SeedPolicy(base: base, scope: .run, also: [])
        case .mapping(let mapping):
            checkKeys(mapping, allowed: Self.seedKeys, path: "seed")
            guard let baseNode = value(mapping, "base") else {
                error(.missingKey, node, "seed.base", "the seed has no `base`", allowed: "seed: { base: 42 }")
                return nil
            }
            guard let base = baseNode.scalar.flatMap({ UInt64($0.string) }) else {
                error(.badValue, baseNode, "seed.base", "\"\(baseNode.scalar?.string ?? "")\" is not a seed", allowed: "an integer from 0 to 2^64-1")
                return nil
            }
            var scope = SeedPolicy.Scope.run
            if let per = value(mapping, "per") {
                guard let parsed = per.scalar.flatMap({ SeedPolicy.Scope(rawValue: $0.string) }) else {
                    error(.badValue, per, "seed.per", "\"\(per.scalar?.string ?? "")\" is not a seed scope",
                          allowed: "run (every repetition its own seed) or point (repetitions share the point's seed)")
                    return nil
                }
                scope = parsed
            }
            var also: [LabTarget] = []
            if let alsoNode = value(mapping, "also") {
                guard case .sequence(let items) = alsoNode else {
                    error(.syntax, alsoNode, "seed.also", "expected a list of paths", allowed: "also: [workloads[0].params.seed]")
                    return nil
                }
                for (index, item) in items.enumerated() {
                    guard let (_, target) = target(item, field: "seed.also[\(index)]", tree: tree) else { continue }
                    if let axis = axes.first(where: { $0.target.overlaps(target) }) {
                        error(.conflict, item, "seed.also[\(index)]", "\(axis.path.text) is swept by an axis; it cannot also take the seed")
                        continue
                    }
                    also.append(target)
                }
            }
            policy = SeedPolicy(base: base, scope: scope, also: also)
        default:
            error(.syntax, node, "seed", "expected a seed", allowed: "seed: 42")
            return nil
        }
        if let axis = axes.first(where: { $0.target.overlaps(LabTarget(steps: [.key("seed")])) }) {
            errors.append(LabError(.conflict, at: axis.pathLocation, path: "seed", "the suite's `seed` sets the lab's seed, which this axis sweeps",
                                   allowed: "drop the suite's seed, or the axis"))
        }
        return policy
    }

    // MARK: - Support

    func value(_ mapping: Node.Mapping, _ key: String) -> Node? {
        mapping.first { $0.key.scalar?.string == key }?.value
    }

    func keyLocation(_ mapping: Node.Mapping, _ key: String) -> LabLocation? {
        mapping.first { $0.key.scalar?.string == key }.map { location($0.key) }
    }

    func location(_ node: Node) -> LabLocation {
        LabLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    func error(_ kind: LabError.Kind, _ node: Node, _ path: String, _ message: String, allowed: String = "") {
        errors.append(LabError(kind, at: location(node), path: path, message, allowed: allowed))
    }

    func checkKeys(_ mapping: Node.Mapping, allowed: [String], path: String) {
        for (key, _) in mapping {
            guard let name = key.scalar?.string else { continue }
            if !allowed.contains(name) {
                error(.unknownKey, key, path.isEmpty ? name : "\(path).\(name)", "unknown key `\(name)`",
                      allowed: KeySuggestion.hint(for: name, among: allowed))
            }
        }
    }

    func integer(_ node: Node?, path: String, range: ClosedRange<Int>) -> Int? {
        guard let node else { return nil }
        guard let number = node.scalar.flatMap({ Int($0.string) }), range.contains(number) else {
            error(.badValue, node, path, "\"\(node.scalar?.string ?? "")\" is not an integer from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return number
    }

    static func isValidName(_ text: String) -> Bool {
        text.range(of: #"^[a-z0-9][a-z0-9._-]{0,63}$"#, options: .regularExpression) != nil
    }

    static func isValidColumn(_ text: String) -> Bool {
        text.range(of: #"^[A-Za-z0-9_.-]{1,64}$"#, options: .regularExpression) != nil
    }

    /// The suite file's name without its extension, made a valid name; else the lab's.
    static func defaultName(file: String, lab: String) -> String {
        guard !file.hasPrefix("<") else { return lab }
        let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent.lowercased()
        let cleaned = String(stem.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "-" }.prefix(64))
        return isValidName(cleaned) ? cleaned : lab
    }

    /// A path relative to the working directory when it is under it.
    static func relative(_ path: String) -> String {
        let standardized = URL(fileURLWithPath: path).standardized.path
        let current = FileManager.default.currentDirectoryPath
        return standardized.hasPrefix(current + "/") ? String(standardized.dropFirst(current.count + 1)) : standardized
    }

    /// A YAML syntax error at its line and column.
    static func syntaxError(_ error: any Error, file: String) -> LabError {
        var line = 1, column = 1
        var message = "\(error)"
        if let yamlError = error as? YamlError {
            switch yamlError {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                (line, column, message) = (mark.line, mark.column, problem)
            case .duplicatedKeysInMapping(let duplicates, let context):
                (line, column) = (context.mark.line, context.mark.column)
                message = "duplicate key " + duplicates.map { "`\($0)`" }.joined(separator: ", ") + " in a mapping"
            default:
                break
            }
        }
        return LabError(.syntax, at: LabLocation(file: file, line: line, column: column), path: "", "not valid YAML: \(message)",
                        allowed: "a path with a range inside [ ... ] of a flow list must be quoted: [\"links[wan].delay\"]")
    }
}
