import Testing
@testable import NetLoomReports

@Suite("CSV reader")
struct CSVTests {
    @Test func plainRowsAndLines() throws {
        let table = try CSVTable(parsing: "a,b,c\n1,2,3\n4,5,6\n", file: "x.csv")
        #expect(table.header == ["a", "b", "c"])
        #expect(table.rows.map(\.fields) == [["1", "2", "3"], ["4", "5", "6"]])
        #expect(table.rows.map(\.line) == [2, 3])
    }

    @Test func quotedFieldsWithCommasQuotesAndLineBreaks() throws {
        let text = "seconds,kind,detail\n1.0,timeline,\"wan: set a->b, b->a\"\n2.0,note,\"say \"\"hi\"\"\"\n3.0,multi,\"one\ntwo\"\n4.0,empty,\"\"\n"
        let table = try CSVTable(parsing: text, file: "events.csv")
        #expect(table.rows.map { $0.fields[2] } == ["wan: set a->b, b->a", "say \"hi\"", "one\ntwo", ""])
        // The row after the quoted line break starts two lines later.
        #expect(table.rows.map(\.line) == [2, 3, 4, 6])
    }

    @Test func crlfNoFinalNewlineAndBlankLines() throws {
        let table = try CSVTable(parsing: "a,b\r\n1,2\r\n\r\n3,4", file: "x.csv")
        #expect(table.rows.map(\.fields) == [["1", "2"], ["3", "4"]])
        #expect(table.rows.map(\.line) == [2, 4])
    }

    @Test func emptyFieldsAreKept() throws {
        let table = try CSVTable(parsing: "a,b,c\n,,\n", file: "x.csv")
        #expect(table.rows.map(\.fields) == [["", "", ""]])
    }

    @Test func wrongFieldCountNamesFileAndLine() {
        #expect(throws: ReportError.malformed(file: "links.csv", line: 3, reason: "2 fields where the header (a,b,c) has 3")) {
            try CSVTable(parsing: "a,b,c\n1,2,3\n1,2\n", file: "links.csv")
        }
    }

    @Test func unterminatedQuoteAndStrayQuotes() {
        #expect(throws: ReportError.malformed(file: "x.csv", line: 2, reason: "a quoted field is not closed")) {
            try CSVTable(parsing: "a\n\"open\n", file: "x.csv")
        }
        #expect(throws: ReportError.self) { try CSVTable(parsing: "a,b\nx\"y,2\n", file: "x.csv") }
        #expect(throws: ReportError.self) { try CSVTable(parsing: "a,b\n\"x\"y,2\n", file: "x.csv") }
    }

    @Test func emptyFileHasNoHeader() {
        #expect(throws: ReportError.malformed(file: "tcp.csv", line: 1, reason: "empty file: expected a header line")) {
            try CSVTable(parsing: "", file: "tcp.csv")
        }
    }

    @Test func typedFieldsSayWhatIsWrong() throws {
        let table = try CSVTable(parsing: "seconds,bytes\n1.5,10\nsoon,-3\n", file: "links.csv")
        #expect(try table.double(table.rows[0], 0) == 1.5)
        #expect(try table.count(table.rows[0], 1) == 10)
        #expect(throws: ReportError.malformed(file: "links.csv", line: 3, reason: "seconds: \"soon\" is not a number")) {
            try table.double(table.rows[1], 0)
        }
        #expect(throws: ReportError.malformed(file: "links.csv", line: 3, reason: "bytes: \"-3\" is not a whole number of at least 0")) {
            try table.count(table.rows[1], 1)
        }
        #expect(throws: ReportError.malformed(file: "links.csv", line: 1, reason: "no column \"drops\"; the header is seconds,bytes")) {
            try table.column("drops")
        }
    }
}
