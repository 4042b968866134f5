import Foundation
import NetLoomCore
import NetLoomModel
import Testing
@testable import NetLoomReports

@Suite("Link usage, rate schedules, TCP connections, digest")
struct AnalysisTests {
    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-6 * max(1, abs(b)) }

    @Test func ratesFromCounterDeltas() throws {
        let report = try ResultsReport(path: Fixture.path)
        #expect(report.links.map(\.direction) == ["h1->h2", "h2->h1"])
        let forward = report.links[0]
        #expect(forward.link == "wan" && forward.backend == "userspace" && forward.samples.count == 7)
        // 0.122 s: 496 bytes, 1.131 s: 23880516 bytes.
        let first = (23_880_516.0 - 496) * 8 / 1e6 / (1.131 - 0.122)
        #expect(forward.throughput.count == 6)
        #expect(forward.throughput[0].x == 1.131 && Self.close(forward.throughput[0].y, first))
        #expect(Self.close(forward.dropsPerSecond[0].y, 674 / (1.131 - 0.122)))
        #expect(Self.close(forward.peakMbps!, first))
        #expect(Self.close(forward.meanMbps!, (88_222_590.0 - 496) * 8 / 1e6 / (5.4 - 0.122)))
    }

    @Test func utilizationFollowsTheRateTheTimelineSet() throws {
        let report = try ResultsReport(path: Fixture.path)
        let forward = report.links[0]
        let schedule = try #require(forward.schedule)
        #expect(schedule.changes == [
            RateSchedule.Change(seconds: 0, bitsPerSecond: 200_000_000),
            RateSchedule.Change(seconds: 2.008511354, bitsPerSecond: 100_000_000),
        ])
        #expect(schedule.rate(at: 1) == 200_000_000 && schedule.rate(at: 3) == 100_000_000)
        // Before the cut: share of 200 Mbit/s; after it (interval 2.135 to 3.139): of 100 Mbit/s.
        #expect(Self.close(forward.utilization[0].y, forward.throughput[0].y / 2))
        #expect(Self.close(forward.utilization[2].y, forward.throughput[2].y))
    }

    @Test func onlyAppliedSetsThatChangeTheRateCount() throws {
        let lab = try ResolvedLab.parse(yaml: """
            name: x
            nodes: { a: {}, b: {} }
            links:
              - { endpoints: [a, b], name: wan, rate: 200mbit, from_b: { rate: 50mbit } }
            timeline:
              - { at: 1s, link: wan, set: { rate: 100mbit } }
              - { at: 1500ms, link: wan, set: { delay: 5ms } }
              - { at: 2s, link: wan, down: 1s }
              - { at: 4s, link: wan, set: { rate: 10mbit } }
              - { at: 5s, link: wan, set: { rate: 20mbit } }
            """)
        let applied = try JSONDecoder().decode([AppliedEvent].self, from: Data("""
            [{"seconds": 1.01, "link": "wan", "action": "set a->b rate 100mbit; b->a rate 100mbit"},
             {"seconds": 1.5, "link": "wan", "action": "set a->b delay 5ms rate 100mbit; b->a delay 5ms rate 100mbit"},
             {"seconds": 2.0, "link": "wan", "action": "down"},
             {"seconds": 3.0, "link": "wan", "action": "up"},
             {"seconds": 4.02, "link": "wan", "action": "set a->b rate 10mbit; b->a rate 10mbit", "error": "engine not answering"}]
            """.utf8))
        let schedules = RateSchedule.all(lab: lab, applied: applied)
        #expect(schedules["wan"]?["a->b"]?.changes.map(\.bitsPerSecond) == [200_000_000, 100_000_000])
        #expect(schedules["wan"]?["b->a"]?.changes == [
            RateSchedule.Change(seconds: 0, bitsPerSecond: 50_000_000), RateSchedule.Change(seconds: 1.01, bitsPerSecond: 100_000_000),
        ])
    }

    @Test func aLinkWithoutARateHasNoUtilization() throws {
        let lab = try ResolvedLab.parse(yaml: "name: x\nnodes: { a: {}, b: {} }\nlinks:\n  - { endpoints: [a, b], delay: 1ms }\n")
        let schedule = try #require(RateSchedule.all(lab: lab, applied: [])["a--b"]?["a->b"])
        #expect(!schedule.hasRate && schedule.rate(at: 1) == nil)
    }

    @Test func tcpConnectionsAreGroupedAndSendersKnown() throws {
        let report = try ResultsReport(path: Fixture.path)
        #expect(report.connections.map(\.name) == ["w0 h1 fd16", "w0 h2 fd17", "w1 h2 fd31", "w1 h1 fd19"])
        #expect(report.connections.map(\.sent) == [true, false, true, false])
        #expect(report.connections.map { $0.samples.count }.reduce(0, +) == 17)
    }

    @Test func digestTotalsComeFromTheLastSample() throws {
        let digest = try ResultsReport(path: Fixture.path).digest(report: "x/report.html")
        #expect(digest.lab == "report-demo" && digest.status == "succeeded" && digest.seconds == 5)
        #expect(digest.workloads.map(\.headline["throughput"]?.unit) == ["Mbit/s", "Mbit/s"])
        #expect(digest.links.map(\.bytes) == [88_222_590, 52_319_960])
        #expect(digest.links.map(\.drops) == [3557, 4484])
        #expect(digest.links.map(\.rateBitsPerSecond) == [100_000_000, 100_000_000])
        #expect(digest.links.allSatisfy { $0.seconds == 5.4 })
        #expect(digest.report == "x/report.html")
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let json = String(decoding: try encoder.encode(digest), as: UTF8.self)
        #expect(json.contains("\"started\":\"2026-11-25T12:31:47Z\""))
    }

    @Test func markersForTheTimelineAndWorkloads() throws {
        let summary = try ResultsFolder(path: Fixture.path).summary
        let timeline = RunMarkers.timeline(summary)
        #expect(timeline.map(\.label) == ["T1 wan set"])
        #expect(timeline[0].x == 2.008511354 && timeline[0].detail.hasPrefix("T1 at 2.01 s: wan: set a->b delay 5ms rate 100mbit"))
        #expect(RunMarkers.workloads(summary).map(\.label) == ["w0 start", "w0 end", "w1 start", "w1 end"])
        #expect(RunMarkers.workloads(summary, only: 1).map(\.x) == [1.004493738, 4.310412784])
    }

    @Test func formats() {
        #expect(Format.seconds(2.008511354) == "2.01 s")
        #expect(Format.seconds(0.121) == "121 ms")
        #expect(Format.seconds(5.7638e-05) == "57.6 us")
        #expect(Format.bytes(88_222_590) == "88.2 MB" && Format.bytes(512) == "512 B")
        #expect(Format.mbps(133.72) == "134 Mbit/s" && Format.mbps(1500) == "1.5 Gbit/s" && Format.mbps(0.25) == "250 kbit/s")
        #expect(Format.figure(127.97658311557414, unit: "Mbit/s") == "128 Mbit/s")
        #expect(Format.figure(84_148_224, unit: "bytes") == "84.1 MB")
        #expect(Format.figure(1_234_567, unit: "datagrams") == "1,234,567 datagrams")
        #expect(Format.figure(0.0314, unit: "%") == "0.0314 %")
    }
}
