import Foundation
import NetLoomPluginAPI

/// Samples the network while workloads run: every link direction's counters (from the
/// kernel's qdiscs or the link engine) and TCP_INFO of every TCP connection the
/// plugins opened, into links.csv and tcp.csv.
final class Sampler: Sendable {
    let lab: String
    let results: ResultsWriter
    let interval: Duration
    let clock: RunClock

    init(lab: String, results: ResultsWriter, interval: Duration, clock: RunClock) {
        self.lab = lab
        self.results = results
        self.interval = interval
        self.clock = clock
    }

    /// Samples until cancelled.
    func run(contexts: @escaping @Sendable () -> [PluginContext]) async {
        while !Task.isCancelled {
            sampleOnce(contexts: contexts())
            try? await Task.sleep(for: interval)
        }
    }

    func sampleOnce(contexts: [PluginContext]) {
        let time = clock.seconds
        if let report = try? LabStatusReader.read(lab: lab) {
            for link in report.links {
                for direction in link.directions {
                    let c = direction.counters
                    results.appendLinkSample([
                        format(time), link.name, direction.direction, link.backend.rawValue, "\(c.bytes)", "\(c.packets)",
                        "\(c.drops)", "\(c.overlimits)", "\(c.backlog)", "\(c.queued)",
                    ])
                }
            }
        }
        for context in contexts {
            for socket in context.openSockets {
                guard let info = socket.tcpInfo(), info.bytesAcked > 0 || info.bytesReceived > 0 else { continue }
                results.appendTCPSample([
                    format(time), "\(context.index)", socket.node, "\(socket.descriptor)", "\(info.rttMicroseconds)",
                    "\(info.rttVarianceMicroseconds)", "\(info.congestionWindow)", "\(info.mss)", "\(info.retransmits)",
                    "\(info.lost)", "\(info.deliveryRate * 8)", "\(info.bytesAcked)", "\(info.bytesReceived)",
                ])
            }
        }
    }
}

/// Seconds since the run's zero (when the lab came up).
struct RunClock: Sendable {
    let zero: ContinuousClock.Instant

    var elapsed: Duration { ContinuousClock.now - zero }
    var seconds: Double { NetLoomCore.seconds(elapsed) }
}

func format(_ seconds: Double) -> String { String(format: "%.3f", seconds) }
