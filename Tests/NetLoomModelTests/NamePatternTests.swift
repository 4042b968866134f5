// Range expansion in names.

import Testing
@testable import NetLoomModel

@Suite struct NamePatternTests {
    @Test func plainName() throws {
        #expect(try NamePattern(parsing: "tor").expand() == ["tor"])
    }

    @Test func range() throws {
        #expect(try NamePattern(parsing: "gpu[0-3]").expand() == ["gpu0", "gpu1", "gpu2", "gpu3"])
        #expect(try NamePattern(parsing: "gpu[8-11]").expand() == ["gpu8", "gpu9", "gpu10", "gpu11"])
    }

    @Test func zeroPadding() throws {
        let names = try NamePattern(parsing: "gpu[00-15]").expand()
        #expect(names.count == 16)
        #expect(names.first == "gpu00")
        #expect(names.last == "gpu15")
        #expect(try NamePattern(parsing: "n[001-100]").expand().suffix(2) == ["n099", "n100"])
    }

    @Test func textAfterTheRange() throws {
        #expect(try NamePattern(parsing: "rack[1-2]-tor").expand() == ["rack1-tor", "rack2-tor"])
    }

    @Test func singleElementRange() throws {
        #expect(try NamePattern(parsing: "h[3-3]").expand() == ["h3"])
    }

    @Test(arguments: [
        ("gpu[5-2]", "expands to nothing"), ("gpu[1-]", "malformed"), ("gpu[-3]", "malformed"), ("gpu[a-b]", "malformed"),
        ("gpu[3]", "malformed"), ("gpu[0-7", "without `]`"), ("gpu0-7]", "without `[`"), ("a[1-2]b[1-3]", "more than one range"),
        ("x[0-99999]", "at most"), ("gpu[1-2-3]", "malformed"),
    ])
    func rejects(text: String, fragment: String) {
        #expect {
            _ = try NamePattern(parsing: text)
        } throws: { error in
            (error as? UnitSyntaxError).map { "\($0)".contains(fragment) } ?? false
        }
    }
}
