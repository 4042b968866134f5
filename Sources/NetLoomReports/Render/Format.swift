// Reports / Render: numbers, times, sizes and rates as people read them, in the terminal and the page.

import Foundation
import NetLoomCore
import NetLoomPluginAPI

public enum Format {
    /// "5.28 s", "121 ms", "57.6 us".
    public static func seconds(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1 || magnitude == 0 { return significant(value, 3) + " s" }
        if magnitude >= 1e-3 { return significant(value * 1e3, 3) + " ms" }
        return significant(value * 1e6, 3) + " us"
    }

    /// "88.2 MB".
    public static func bytes(_ count: UInt64) -> String {
        for (unit, scale) in [("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)] where Double(count) >= scale {
            return significant(Double(count) / scale, 3) + " " + unit
        }
        return "\(count) B"
    }

    /// "100 Mbit/s", "1.5 Gbit/s".
    public static func rate(bitsPerSecond: UInt64) -> String {
        mbps(Double(bitsPerSecond) / 1e6)
    }

    /// A rate given in Mbit/s, in the unit that reads best.
    public static func mbps(_ value: Double) -> String {
        if abs(value) >= 1000 { return significant(value / 1000, 3) + " Gbit/s" }
        if abs(value) >= 1 || value == 0 { return significant(value, 3) + " Mbit/s" }
        return significant(value * 1000, 3) + " kbit/s"
    }

    /// A plugin's figure with its unit: sizes in bytes as sizes, large counts grouped.
    public static func figure(_ record: ResultRecord) -> String {
        figure(record.value, unit: record.unit)
    }

    public static func figure(_ value: Double, unit: String) -> String {
        if (unit == "bytes" || unit == "B"), value >= 0, value < 1e19 { return bytes(UInt64(value)) }
        let number = abs(value) >= 10_000 ? grouped(value) : significant(value, 4)
        return unit.isEmpty ? number : "\(number) \(unit)"
    }

    /// Up to `digits` significant digits, no exponent, no trailing zeros: 127.98 -> "128", 0.0314 -> "0.0314".
    public static func significant(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        guard value != 0 else { return "0" }
        let magnitude = Int(floor(log10(abs(value))))
        let decimals = max(0, digits - 1 - magnitude)
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// 84148224 -> "84,148,224".
    public static func grouped(_ value: Double) -> String {
        let digits = String(format: "%.0f", abs(value))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// ISO 8601 in UTC: "2026-11-25T12:31:47Z".
    public static func date(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
