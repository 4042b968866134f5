// Reports / Loading: a small CSV reader (RFC 4180: quoted fields, doubled quotes, line breaks inside
// quotes, CRLF), and typed access to columns with errors that name the file, line and column.

import Foundation

/// A CSV file: its header and its rows, each with the line it starts on.
public struct CSVTable: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        /// 1-based line of the file the row starts on.
        public var line: Int
        public var fields: [String]
    }

    /// The file's name as errors show it (relative to the results folder).
    public var file: String
    public var header: [String]
    public var rows: [Row]

    /// Parses CSV text. The first record is the header; every row must have as many
    /// fields as the header. An empty text is a malformed file (it has no header).
    public init(parsing text: String, file: String) throws(ReportError) {
        let records = try Self.records(text, file: file)
        guard let first = records.first else { throw .malformed(file: file, line: 1, reason: "empty file: expected a header line") }
        self.file = file
        header = first.fields
        rows = Array(records.dropFirst())
        for row in rows where row.fields.count != header.count {
            throw .malformed(
                file: file, line: row.line,
                reason: "\(row.fields.count) fields where the header (\(header.joined(separator: ","))) has \(header.count)")
        }
    }

    /// The index of a column, or an error naming the columns there are.
    public func column(_ name: String) throws(ReportError) -> Int {
        guard let index = header.firstIndex(of: name) else {
            throw .malformed(file: file, line: 1, reason: "no column \"\(name)\"; the header is \(header.joined(separator: ","))")
        }
        return index
    }

    /// Requires every column and returns their indexes in the order asked.
    public func columns(_ names: [String]) throws(ReportError) -> [Int] {
        var indexes: [Int] = []
        for name in names { indexes.append(try column(name)) }
        return indexes
    }

    /// A field as a number (integers and decimals, `nan` and `inf` refused).
    public func double(_ row: Row, _ column: Int) throws(ReportError) -> Double {
        let text = row.fields[column]
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw .malformed(file: file, line: row.line, reason: "\(header[column]): \"\(text)\" is not a number")
        }
        return value
    }

    /// A field as a whole number of at least 0 (a counter).
    public func count(_ row: Row, _ column: Int) throws(ReportError) -> UInt64 {
        let text = row.fields[column]
        guard let value = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
            throw .malformed(file: file, line: row.line, reason: "\(header[column]): \"\(text)\" is not a whole number of at least 0")
        }
        return value
    }

    /// Splits text into records. A blank line is skipped; an unterminated quote is an error.
    static func records(_ text: String, file: String) throws(ReportError) -> [Row] {
        var records: [Row] = []
        var fields: [String] = []
        var field = ""
        var quoted = false          // inside a quoted field
        var wasQuoted = false       // the current field was quoted (text after its closing quote is an error)
        var line = 1
        var recordLine = 1
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil

        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty && !wasQuoted) {
                records.append(Row(line: recordLine, fields: fields))
            }
            fields = []
            field = ""
            wasQuoted = false
        }

        while let scalar = pending ?? scalars.next() {
            pending = nil
            if quoted {
                if scalar == "\"" {
                    let next = scalars.next()
                    if next == "\"" {
                        field.unicodeScalars.append("\"")
                    } else {
                        quoted = false
                        pending = next
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                fields.append(field)
                field = ""
                wasQuoted = false
            case "\"":
                guard field.isEmpty, !wasQuoted else {
                    throw .malformed(file: file, line: line, reason: "a quote inside an unquoted field (quote the whole field and double its quotes)")
                }
                quoted = true
                wasQuoted = true
            case "\r":
                let next = scalars.next()
                if next != "\n" { pending = next }
                endRecord()
                line += 1
                recordLine = line
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default:
                if wasQuoted {
                    throw .malformed(file: file, line: line, reason: "text after a closing quote")
                }
                field.unicodeScalars.append(scalar)
            }
        }
        if quoted { throw .malformed(file: file, line: recordLine, reason: "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { endRecord() }
        return records
    }
}
