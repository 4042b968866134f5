// Reports / Charts: colours. A key (a workload, a link direction, a connection) keeps its colour on
// every chart of a report.

/// Hands out colours by key, the same key always getting the same colour. Tableau 10,
/// which stays distinguishable for most colour-blind readers and in greyscale print
/// order (blue, orange, red, teal, green, ...).
public struct Palette: Sendable {
    public static let colors = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    ]
    /// Timeline events.
    public static let event = "#b2182b"
    /// Workload starts and ends.
    public static let workload = "#555555"

    private var assigned: [String: String] = [:]
    private var order: [String] = []

    public init() {}

    /// The colour of a key: the next free colour the first time it is asked for.
    public mutating func color(for key: String) -> String {
        if let color = assigned[key] { return color }
        let color = Self.colors[order.count % Self.colors.count]
        assigned[key] = color
        order.append(key)
        return color
    }
}
