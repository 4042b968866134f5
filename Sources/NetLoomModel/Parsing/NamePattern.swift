// Lab model / Parsing: names with a numeric range, `gpu[0-7]` -> gpu0 ... gpu7, `leaf[01-16]` -> leaf01 ...

/// A name with at most one numeric range in square brackets.
///
/// - `gpu[0-7]` expands to gpu0 ... gpu7; `gpu[00-15]` to gpu00 ... gpu15 (a lower bound written with a
///   leading zero pads every number to its width).
/// - `rack[1-2]-tor` keeps the text after the range.
/// - One range per name; `a[1-2]b[1-3]` is rejected. `gpu[5-2]` expands to nothing and is rejected.
struct NamePattern: Equatable {
    let prefix: String
    let suffix: String
    /// nil for a plain name.
    let range: ClosedRange<Int>?
    /// Digits to pad each number to (0 = no padding).
    let width: Int

    /// The largest range a name may expand to.
    static let maximumCount = 65_536

    var count: Int { range?.count ?? 1 }
    var isRange: Bool { range != nil }

    func name(at index: Int) -> String {
        guard let range else { return prefix + suffix }
        var number = String(range.lowerBound + index)
        while number.count < width { number = "0" + number }
        return prefix + number + suffix
    }

    func expand() -> [String] { (0..<count).map(name(at:)) }

    static let allowed = "write one range of whole numbers in square brackets, e.g. gpu[0-7] or gpu[00-15]"

    init(parsing text: String) throws(UnitSyntaxError) {
        guard let open = text.firstIndex(of: "[") else {
            if text.contains("]") {
                throw UnitSyntaxError("\"\(text)\" has a `]` without `[`", allowed: Self.allowed)
            }
            prefix = text
            suffix = ""
            range = nil
            width = 0
            return
        }
        guard let close = text[open...].firstIndex(of: "]") else {
            throw UnitSyntaxError("\"\(text)\" has a `[` without `]`", allowed: Self.allowed)
        }
        let rest = text[text.index(after: close)...]
        if rest.contains("[") || rest.contains("]") || text[..<open].contains("]") {
            throw UnitSyntaxError("\"\(text)\" has more than one range", allowed: "one range per name: write the nodes as separate entries")
        }
        let inner = text[text.index(after: open)..<close]
        let bounds = inner.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2,
              !bounds[0].isEmpty, !bounds[1].isEmpty,
              bounds[0].count <= 9, bounds[1].count <= 9,
              bounds.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let lower = Int(bounds[0]), let upper = Int(bounds[1])
        else {
            throw UnitSyntaxError("\"\(text)\" has a malformed range `[\(inner)]`", allowed: Self.allowed)
        }
        guard lower <= upper else {
            throw UnitSyntaxError("\"\(text)\" expands to nothing (\(lower) is above \(upper))", allowed: "write the lower bound first, e.g. [\(upper)-\(lower)]")
        }
        guard upper - lower < Self.maximumCount else {
            throw UnitSyntaxError("\"\(text)\" expands to \(upper - lower + 1) names", allowed: "a range holds at most \(Self.maximumCount) names")
        }
        prefix = String(text[..<open])
        suffix = String(rest)
        range = lower...upper
        width = bounds[0].count > 1 && bounds[0].hasPrefix("0") ? bounds[0].count : 0
    }
}
