import NetLoomModel

/// Validates a workload's `params` against a plugin's parameter specs: unknown keys,
/// wrong types and units, values out of range, missing required parameters, each a
/// lab-file error at its line and column. Defaults fill in the rest.
public struct ParameterSchema: Sendable {
    public let specs: [ParameterSpec]

    public init(_ specs: [ParameterSpec]) { self.specs = specs }

    public func validate(
        _ params: LocatedValue?, nodes: [String], location: LabLocation, path: String
    ) throws(LabErrors) -> PluginParameters {
        var errors: [LabError] = []
        var values: [String: ParameterValue] = [:]
        var locations: [String: LocatedValue] = [:]
        if let params {
            if case .mapping = params.value {
                errors += params.unknownKeys(allowed: specs.map(\.name))
            } else if params.value != .null {
                errors.append(params.error("`params` must be a mapping of parameter names to values",
                                           allowed: "parameters: " + specs.map(\.name).joined(separator: ", ")))
            }
        }
        for spec in specs {
            if let given = params?[spec.name] {
                locations[spec.name] = given
                do {
                    values[spec.name] = try Self.parse(given, as: spec.kind)
                } catch {
                    errors.append(error)
                }
            } else if let defaultValue = spec.defaultValue {
                values[spec.name] = Self.parseDefault(defaultValue, as: spec.kind, spec: spec.name)
            } else if !spec.optional {
                errors.append(LabError(
                    .missingKey, at: params?.location ?? location, path: "\(path).\(spec.name)",
                    "missing parameter `\(spec.name)`", allowed: "\(spec.name): \(spec.kind) (\(spec.help))"))
            }
        }
        if !errors.isEmpty { throw LabErrors(errors) }
        return PluginParameters(
            values: values, nodes: nodes, locations: locations, location: params?.location ?? location, path: path)
    }

    static func parse(_ value: LocatedValue, as kind: ParameterSpec.Kind) throws(LabError) -> ParameterValue {
        switch kind {
        case .string:
            return .string(try value.string())
        case .integer(let range):
            let number = try value.int()
            guard range.contains(number) else {
                throw value.error("\(number) is out of range", allowed: "\(range.lowerBound) to \(range.upperBound)")
            }
            return .integer(number)
        case .number(let range):
            let number = try value.double()
            guard range.contains(number) else {
                throw value.error("\(number) is out of range", allowed: "\(range.lowerBound) to \(range.upperBound)")
            }
            return .number(number)
        case .bool:
            return .bool(try value.bool())
        case .duration:
            return .duration(try value.duration())
        case .bitrate:
            return .bitrate(try value.bitrate())
        case .size:
            return .size(try value.byteCount())
        case .percent:
            return .percent(try value.percent())
        case .choice(let choices):
            let text = try value.string()
            guard choices.contains(text) else {
                throw value.error("\"\(text)\" is not one of the choices",
                                  allowed: KeySuggestion.closest(to: text, among: choices).map { "did you mean `\($0)`?" }
                                      ?? "use " + choices.joined(separator: ", "))
            }
            return .string(text)
        case .list(let element):
            // A single value where a list is expected is taken as a list of one.
            guard case .sequence(let items) = value.value else { return .list([try parse(value, as: element)]) }
            var parsed: [ParameterValue] = []
            for item in items { parsed.append(try parse(item, as: element)) }
            guard !parsed.isEmpty else { throw value.error("the list is empty", allowed: "give at least one \(element)") }
            return .list(parsed)
        }
    }

    /// Defaults are written by the plugin's author; one that does not parse is a bug.
    static func parseDefault(_ value: ParameterSpec.Default, as kind: ParameterSpec.Kind, spec: String) -> ParameterValue {
        let here = LabLocation(file: "<default of \(spec)>", line: 1, column: 1)
        let located: LocatedValue
        switch value {
        case .scalar(let text):
            located = LocatedValue(.scalar(text), at: here, path: spec)
        case .list(let items):
            located = LocatedValue(.sequence(items.map { LocatedValue(.scalar($0), at: here, path: spec) }), at: here, path: spec)
        }
        do {
            return try parse(located, as: kind)
        } catch {
            preconditionFailure("the default of parameter \(spec) does not parse: \(error)")
        }
    }
}
