// Lab model / Lab: workload parameters kept raw, with a location on every node, for plugins to validate.

/// A YAML value as written, without interpretation: plugins read it against their own schema.
public enum ParamValue: Sendable, Codable, Hashable {
    case null
    /// A scalar's text (`ring`, `10`, `1MiB`, `true`), quoted or not.
    case scalar(String)
    case sequence([LocatedValue])
    case mapping([ParamEntry])
}

/// One key of a parameter mapping.
public struct ParamEntry: Sendable, Codable, Hashable {
    public var key: String
    public var keyLocation: LabLocation
    public var value: LocatedValue
}

/// A parameter value with its location and field path (`workloads[0].params.sizes[1]`), so a plugin can
/// point its errors at the right line and column.
public struct LocatedValue: Sendable, Codable, Hashable {
    public var value: ParamValue
    public var location: LabLocation
    public var path: String

    public init(_ value: ParamValue, at location: LabLocation, path: String) {
        self.value = value
        self.location = location
        self.path = path
    }

    /// An error about this value, e.g. `params.error("\"rong\" is not an algorithm", allowed: "use ring or tree")`.
    public func error(_ message: String, allowed: String = "") -> LabError {
        LabError(.plugin, at: location, path: path, message, allowed: allowed)
    }

    /// The value under `key` of a mapping; nil when absent or when this is not a mapping.
    public subscript(key: String) -> LocatedValue? {
        guard case .mapping(let entries) = value else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// The keys of a mapping, in file order.
    public var keys: [String] {
        guard case .mapping(let entries) = value else { return [] }
        return entries.map(\.key)
    }

    /// Errors for every key not in `allowed`, with the closest allowed key suggested.
    public func unknownKeys(allowed: [String]) -> [LabError] {
        guard case .mapping(let entries) = value else { return [] }
        return entries.filter { !allowed.contains($0.key) }.map { entry in
            LabError(.unknownKey, at: entry.keyLocation, path: path.isEmpty ? entry.key : "\(path).\(entry.key)",
                     "unknown key `\(entry.key)`", allowed: KeySuggestion.hint(for: entry.key, among: allowed))
        }
    }

    private func scalarText(_ what: String) throws(LabError) -> String {
        guard case .scalar(let text) = value else { throw error("expected \(what)") }
        return text
    }

    public func string() throws(LabError) -> String { try scalarText("a string") }

    public func int() throws(LabError) -> Int {
        let text = try scalarText("an integer")
        guard let number = Int(text) else { throw error("\"\(text)\" is not an integer") }
        return number
    }

    public func double() throws(LabError) -> Double {
        let text = try scalarText("a number")
        guard let number = Double(text), number.isFinite else { throw error("\"\(text)\" is not a number") }
        return number
    }

    public func bool() throws(LabError) -> Bool {
        let text = try scalarText("true or false")
        switch text {
        case "true": return true
        case "false": return false
        default: throw error("\"\(text)\" is not true or false")
        }
    }

    public func array() throws(LabError) -> [LocatedValue] {
        guard case .sequence(let items) = value else { throw error("expected a list") }
        return items
    }

    public func byteCount() throws(LabError) -> ByteCount {
        let text = try scalarText("a size")
        do { return try ByteCount(parsing: text) } catch { throw self.error(error.message, allowed: error.allowed) }
    }

    public func duration() throws(LabError) -> Duration {
        let text = try scalarText("a time")
        do { return try DurationSyntax.parse(text) } catch { throw self.error(error.message, allowed: error.allowed) }
    }

    public func bitrate() throws(LabError) -> Bitrate {
        let text = try scalarText("a rate")
        do { return try Bitrate(parsing: text) } catch { throw self.error(error.message, allowed: error.allowed) }
    }

    public func percent() throws(LabError) -> Percent {
        let text = try scalarText("a percentage")
        do { return try Percent(parsing: text) } catch { throw self.error(error.message, allowed: error.allowed) }
    }
}
