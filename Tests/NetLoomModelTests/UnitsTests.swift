// Units: every unit, canonical round trips, every bad form.

import Foundation
import Testing
@testable import NetLoomModel

@Suite struct BitrateTests {
    @Test(arguments: [
        ("1bit", 1), ("10kbit", 10_000), ("1.5mbit", 1_500_000), ("25gbit", 25_000_000_000), ("1tbit", 1_000_000_000_000),
        ("10Gbit", 10_000_000_000), ("100MBIT", 100_000_000), ("8bps", 8), ("100Kbps", 100_000), ("100Mbps", 100_000_000),
        ("10Gbps", 10_000_000_000), ("1Tbps", 1_000_000_000_000), ("1kibit", 1024), ("2mibit", 2 << 20), ("1gibit", 1 << 30),
        ("0.5gbit", 500_000_000),
    ] as [(String, UInt64)])
    func parses(text: String, bits: UInt64) throws {
        #expect(try Bitrate(parsing: text).bitsPerSecond == bits)
    }

    @Test(arguments: [
        ("10 gbits", "is not a rate"), ("10", "has no unit"), ("gbit", "is not a rate"), ("0gbit", "is zero"),
        ("2tbit", "more than 1tbit"), ("1.0000001bit", "whole number"), ("-1gbit", "negative"), ("100mbps", "bytes per second"),
        ("10gbits", "is not a rate"), ("1e9bit", "is not a rate"), ("", "is not a rate"), ("99999999999999999999999999999gbit", "more than 1tbit"),
    ])
    func rejects(text: String, fragment: String) {
        #expect {
            _ = try Bitrate(parsing: text)
        } throws: { error in
            (error as? UnitSyntaxError).map { "\($0)".contains(fragment) } ?? false
        }
    }

    @Test func errorTextMatchesTheBrief() {
        #expect(throws: UnitSyntaxError("\"10 gbits\" is not a rate", allowed: "use a number with bit, kbit, mbit, gbit or tbit (e.g. 10gbit)")) {
            try Bitrate(parsing: "10 gbits")
        }
    }

    @Test(arguments: ["1bit", "1500bit", "25gbit", "1500mbit", "1tbit", "1024bit", "999999kbit"])
    func canonicalFormRoundTrips(text: String) throws {
        let rate = try Bitrate(parsing: text)
        #expect(rate.description == text)
        #expect(try Bitrate(parsing: rate.description) == rate)
    }

    @Test func canonicalPicksTheLargestExactUnit() throws {
        #expect(try Bitrate(parsing: "1.5gbit").description == "1500mbit")
        #expect(try Bitrate(parsing: "10Gbps").description == "10gbit")
        #expect(try Bitrate(parsing: "1kibit").description == "1024bit")
    }

    @Test func codableAsCanonicalString() throws {
        let data = try JSONEncoder().encode([try Bitrate(parsing: "10Gbps")])
        #expect(String(decoding: data, as: UTF8.self) == #"["10gbit"]"#)
        #expect(try JSONDecoder().decode([Bitrate].self, from: data) == [.gbit(10)])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Bitrate].self, from: Data(#"["fast"]"#.utf8)) }
    }
}

@Suite struct ByteCountTests {
    @Test(arguments: [
        ("0B", 0), ("1500B", 1500), ("4kB", 4000), ("4KB", 4000), ("4MB", 4_000_000), ("1GB", 1_000_000_000), ("2TB", 2_000_000_000_000),
        ("1KiB", 1024), ("64MiB", 64 << 20), ("1GiB", 1 << 30), ("1TiB", 1 << 40), ("1.5KiB", 1536), ("0.5MB", 500_000),
    ] as [(String, UInt64)])
    func parses(text: String, bytes: UInt64) throws {
        #expect(try ByteCount(parsing: text).bytes == bytes)
    }

    @Test(arguments: [
        ("4", "has no unit"), ("4k", "ambiguous"), ("4m", "ambiguous"), ("4kb", "ambiguous"), ("4mb", "ambiguous"), ("4b", "ambiguous"),
        ("4 MB", "is not a size"), ("-4MB", "negative"), ("1.5B", "whole number"), ("MB", "is not a size"), ("4MiBs", "is not a size"),
        ("20000000TiB", "too large"),
    ])
    func rejects(text: String, fragment: String) {
        #expect {
            _ = try ByteCount(parsing: text)
        } throws: { error in
            (error as? UnitSyntaxError).map { "\($0)".contains(fragment) } ?? false
        }
    }

    @Test(arguments: ["0B", "1B", "1536B", "4MB", "64MiB", "1GiB", "3kB", "7TiB"])
    func canonicalFormRoundTrips(text: String) throws {
        let size = try ByteCount(parsing: text)
        #expect(size.description == text)
        #expect(try ByteCount(parsing: size.description) == size)
    }

    @Test func canonicalPrefersTheShorterOfSIAndIEC() throws {
        #expect(ByteCount(bytes: 1_024_000).description == "1000KiB")
        #expect(ByteCount(bytes: 2_000_000).description == "2MB")
        #expect(ByteCount(bytes: 1 << 20).description == "1MiB")
    }
}

@Suite struct PercentTests {
    @Test(arguments: [("0%", 0.0), ("0.1%", 0.1), ("25%", 25.0), ("100%", 100.0), ("0.001%", 0.001), ("99.99%", 99.99)])
    func parses(text: String, value: Double) throws {
        #expect(try Percent(parsing: text).value == value)
    }

    @Test(arguments: [("0.1", "no % sign"), ("101%", "more than 100%"), ("-1%", "negative"), ("ten%", "not a percentage"),
                      ("5 %", "not a percentage"), ("5%%", "not a percentage")])
    func rejects(text: String, fragment: String) {
        #expect {
            _ = try Percent(parsing: text)
        } throws: { error in
            (error as? UnitSyntaxError).map { "\($0)".contains(fragment) } ?? false
        }
    }

    @Test(arguments: ["0%", "0.1%", "25%", "100%", "0.00001%", "33.333%", "12.5%"])
    func canonicalFormRoundTrips(text: String) throws {
        let percent = try Percent(parsing: text)
        #expect(percent.description == text)
        #expect(try Percent(parsing: percent.description) == percent)
    }

    @Test func fraction() throws {
        #expect(try Percent(parsing: "25%").fraction == 0.25)
    }
}

@Suite struct DurationSyntaxTests {
    @Test(arguments: [
        ("1ns", 1), ("50us", 50_000), ("50µs", 50_000), ("1.5ms", 1_500_000), ("20ms", 20_000_000), ("2s", 2_000_000_000),
        ("1m", 60_000_000_000), ("1h", 3_600_000_000_000), ("0s", 0), ("0.1ms", 100_000), ("-5ms", -5_000_000),
    ] as [(String, Int64)])
    func parses(text: String, nanoseconds: Int64) throws {
        #expect(try DurationSyntax.parse(text) == .nanoseconds(nanoseconds))
    }

    @Test(arguments: [("20", "has no unit"), ("20 ms", "is not a time"), ("20sec", "is not a time"), ("0.5ns", "whole number"),
                      ("ms", "is not a time"), ("99999999999h", "too long"), ("1d", "is not a time")])
    func rejects(text: String, fragment: String) {
        #expect {
            _ = try DurationSyntax.parse(text)
        } throws: { error in
            (error as? UnitSyntaxError).map { "\($0)".contains(fragment) } ?? false
        }
    }

    @Test(arguments: ["1ns", "50us", "1500us", "20ms", "2s", "90s", "1m", "2h", "0s", "-5ms"])
    func canonicalFormRoundTrips(text: String) throws {
        let duration = try DurationSyntax.parse(text)
        #expect(duration.labDescription == text)
        #expect(try DurationSyntax.parse(duration.labDescription) == duration)
    }

    @Test func allowedUnitsAreNamed() {
        #expect(throws: UnitSyntaxError("\"20\" has no unit", allowed: "use a number with ns, us, ms, s, m or h (e.g. 20ms)")) {
            try DurationSyntax.parse("20")
        }
    }
}

@Suite struct QueueLimitTests {
    @Test func parses() throws {
        #expect(try QueueLimit(parsing: "1000p") == .packets(1000))
        #expect(try QueueLimit(parsing: "4MB") == .bytes(ByteCount(bytes: 4_000_000)))
        #expect(try QueueLimit(parsing: "auto") == .auto)
    }

    @Test(arguments: [("0p", "empty queue"), ("0B", "empty queue"), ("1.5p", "whole number"), ("1000", "not a queue size"),
                      ("lots", "not a queue size"), ("5GiB", "4GiB"), ("99999999999p", "too many")])
    func rejects(text: String, fragment: String) {
        #expect {
            _ = try QueueLimit(parsing: text)
        } throws: { error in
            (error as? UnitSyntaxError).map { "\($0)".contains(fragment) } ?? false
        }
    }

    @Test(arguments: ["1000p", "4MB", "64KiB", "auto"])
    func roundTrips(text: String) throws {
        #expect(try QueueLimit(parsing: text).description == text)
    }
}

@Suite struct AddressTests {
    @Test func ipv4() throws {
        #expect(IPv4Address("10.0.1.2")?.value == 0x0A00_0102)
        #expect(IPv4Address("10.0.1.2")?.description == "10.0.1.2")
        #expect(IPv4Address("10.0.1") == nil)
        #expect(IPv4Address("10.0.1.256") == nil)
    }

    @Test func ipv6CanonicalText() throws {
        #expect(IPv6Address("fd00:6e6c:0:0:0:0:0:1")?.description == "fd00:6e6c::1")
        #expect(IPv6Address("FD00::0001")?.description == "fd00::1")
        #expect(IPv6Address("fd00:::1") == nil)
    }

    @Test func prefixes() throws {
        let pool = try IPPrefix(parsing: "10.0.0.0/8")
        #expect(pool.contains(IPAddress("10.200.0.1")!))
        #expect(!pool.contains(IPAddress("11.0.0.1")!))
        #expect(pool.overlaps(try IPPrefix(parsing: "10.1.0.0/16")))
        #expect(!pool.overlaps(try IPPrefix(parsing: "192.168.0.0/16")))
        #expect(throws: UnitSyntaxError("\"10.0.0.1/8\" has host bits set", allowed: "did you mean 10.0.0.0/8?")) {
            try IPPrefix(parsing: "10.0.0.1/8")
        }
        #expect(throws: UnitSyntaxError.self) { try IPPrefix(parsing: "10.0.0.0/33") }
        #expect(throws: UnitSyntaxError.self) { try IPPrefix(parsing: "10.0.0.0") }
        #expect(try IPPrefix(parsing: "fd00:6e6c::/48").description == "fd00:6e6c::/48")
    }

    @Test func interfaceAddress() throws {
        let address = try InterfaceAddress(parsing: "10.9.0.2/30")
        #expect(address.network.description == "10.9.0.0/30")
        #expect(address.description == "10.9.0.2/30")
        let data = try JSONEncoder().encode(address)
        #expect(try JSONDecoder().decode(InterfaceAddress.self, from: data) == address)
    }
}
