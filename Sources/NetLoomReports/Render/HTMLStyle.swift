// Reports / Render: the page's stylesheet: readable on a screen, plain on paper (charts never split
// across pages, no navigation). It contains no "<" or "&", so the page stays well-formed XML.

enum HTMLStyle {
    static let css = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; color: #1d1d1f; background: #fafafa; }
        header, main, footer { max-width: 980px; margin: 0 auto; padding: 0 20px; }
        header { padding-top: 24px; }
        h1 { font-size: 24px; margin: 0 0 4px; }
        h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #ddd; }
        h3 { font-size: 16px; margin: 24px 0 8px; }
        h4 { font-size: 14px; margin: 16px 0 6px; }
        .subtitle { color: #555; margin: 0 0 10px; }
        nav { font-size: 13px; color: #555; margin: 8px 0 0; }
        nav a { color: #2a5db0; text-decoration: none; margin-right: 12px; }
        .status { display: inline-block; font-size: 12px; font-weight: 600; padding: 2px 8px; border-radius: 10px; vertical-align: middle;
                  background: #eee; color: #333; border: 1px solid #ccc; }
        .status-good { background: #e6f4ea; color: #1e6b34; border-color: #a8d5b5; }
        .status-bad { background: #fdecea; color: #a11d1d; border-color: #f1b0ab; }
        .status-warn { background: #fff5e0; color: #8a5a00; border-color: #f0d08a; }
        .error { color: #a11d1d; white-space: pre-wrap; }
        .note { color: #6b5500; background: #fff9e6; border-left: 3px solid #e0b000; padding: 4px 8px; margin: 6px 0; }
        .muted { color: #666; }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
        .facts dt { color: #555; }
        .facts dd { margin: 0; overflow-wrap: anywhere; }
        .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 32px; }
        @media (max-width: 700px) { .columns { grid-template-columns: 1fr; } }
        table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
        th, td { padding: 3px 10px 3px 0; text-align: left; vertical-align: top; border-bottom: 1px solid #e6e6e6; }
        th { font-weight: 600; color: #333; border-bottom: 1px solid #bbb; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; padding-left: 10px; white-space: nowrap; }
        .table-wrap { overflow-x: auto; }
        .cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0 12px; }
        .card { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px; min-width: 130px; }
        .card .value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
        .card .name { color: #555; font-size: 12px; }
        article.workload { margin-bottom: 28px; }
        figure { margin: 10px 0 18px; background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 6px 6px 2px; }
        figure svg { display: block; width: 100%; height: auto; }
        figcaption { font-size: 12px; color: #666; padding: 2px 6px 4px; }
        details { margin: 8px 0; }
        summary { cursor: pointer; color: #2a5db0; }
        pre { background: #fff; border: 1px solid #e3e3e3; padding: 8px; overflow-x: auto; font-size: 12px; }
        footer { color: #777; font-size: 12px; padding-top: 16px; padding-bottom: 32px; }
        svg .marker:hover line, svg .series-line:hover path { stroke-width: 3; }
        @media print {
          body { background: #fff; font-size: 10pt; }
          header, main, footer { max-width: none; padding: 0; }
          nav { display: none; }
          h2 { break-after: avoid; page-break-after: avoid; }
          h3, h4 { break-after: avoid; page-break-after: avoid; }
          figure, table, .cards { break-inside: avoid; page-break-inside: avoid; }
          figure { border: none; padding: 0; }
          section { break-before: auto; }
          a { color: inherit; text-decoration: none; }
          details { display: block; }
        }
        """
}
