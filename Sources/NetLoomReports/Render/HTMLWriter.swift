// Reports / Render: writing the page's HTML as well-formed XML (every element closed, every text escaped),
// so it reads in browsers and in XML tools alike.

import Foundation
import NetLoomCore

/// Accumulates HTML.
struct HTMLWriter {
    private(set) var markup = ""

    /// `<tag attributes>text</tag>`, the text escaped.
    mutating func element(_ tag: String, _ attributes: [(String, String)] = [], text: String) {
        markup += "<\(tag)\(SVGWriter.attributes(attributes))>\(Markup.escape(text))</\(tag)>\n"
    }

    /// `<tag attributes>`, the children, `</tag>`.
    mutating func group(_ tag: String, _ attributes: [(String, String)] = [], _ body: (inout HTMLWriter) -> Void) {
        markup += "<\(tag)\(SVGWriter.attributes(attributes))>\n"
        body(&self)
        markup += "</\(tag)>\n"
    }

    /// Markup that is already well-formed (a chart).
    mutating func raw(_ text: String) { markup += text }

    /// A table; `numeric` columns are right-aligned.
    mutating func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = [], caption: String? = nil) {
        group("div", [("class", "table-wrap")]) { html in
            html.group("table") { html in
                if let caption { html.element("caption", [("class", "muted")], text: caption) }
                html.group("thead") { html in
                    html.group("tr") { html in
                        for (index, name) in header.enumerated() {
                            html.element("th", numeric.contains(index) ? [("class", "num")] : [], text: name)
                        }
                    }
                }
                html.group("tbody") { html in
                    for row in rows {
                        html.group("tr") { html in
                            for (index, cell) in row.enumerated() {
                                html.element("td", numeric.contains(index) ? [("class", "num")] : [], text: cell)
                            }
                        }
                    }
                }
            }
        }
    }

    /// A definition list of facts (name, value), skipping empty values.
    mutating func facts(_ items: [(String, String?)]) {
        group("dl", [("class", "facts")]) { html in
            for (name, value) in items {
                guard let value, !value.isEmpty else { continue }
                html.element("dt", text: name)
                html.element("dd", text: value)
            }
        }
    }
}

extension HTMLWriter {
    /// A whole NetLoom page: the shared head and style, then `body`'s content, then a footer line
    /// saying what wrote the page, when, and from which folder, followed by `footer`.
    static func page(title: String, generated: Date, source: String, footer: String, body: (inout HTMLWriter) -> Void) -> String {
        let footer = "Written by netloom report (NetLoom \(NetLoomVersion.current)) at \(Format.date(generated)) "
            + "from \(source). " + footer
        var html = HTMLWriter()
        html.raw("<!DOCTYPE html>\n")
        html.group("html", [("lang", "en")]) { html in
            html.group("head") { html in
                html.raw("<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                html.element("title", text: title)
                // Raw: a browser does not decode entities inside <style> (the CSS holds no < or &).
                html.raw("<style>\n\(HTMLStyle.css)\n</style>\n")
            }
            html.group("body") { html in
                body(&html)
                html.group("footer") { html in html.element("p", text: footer) }
            }
        }
        return html.markup
    }
}
