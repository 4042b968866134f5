import Logging
import NetLoomModel
import Synchronization

/// Applies a lab's timeline while its workloads run: each event at its time after the
/// lab came up, through the same operations as `netloom set` and `netloom link`.
final class TimelinePlayer: Sendable {
    let state: LabState
    let results: ResultsWriter
    let clock: RunClock
    let logger: Logger
    let report: @Sendable (RunEvent) -> Void
    private let applied = Mutex<[AppliedEvent]>([])

    init(state: LabState, results: ResultsWriter, clock: RunClock, logger: Logger, report: @escaping @Sendable (RunEvent) -> Void) {
        self.state = state
        self.results = results
        self.clock = clock
        self.logger = logger
        self.report = report
    }

    var events: [AppliedEvent] { applied.withLock { $0 } }

    /// Plays the timeline until its end or cancellation. A `down: 2s` is followed by
    /// its `up` 2 s later; events never wait for each other.
    func run() async {
        let actions = state.lab.timeline.flatMap { event -> [(Duration, String, TimelineAction)] in
            if case .down(let duration?) = event.action {
                return [(event.at, event.link, .down(for: nil)), (event.at + duration, event.link, .up)]
            }
            return [(event.at, event.link, event.action)]
        }.sorted { $0.0 < $1.0 }
        for (at, link, action) in actions {
            let wait = at - clock.elapsed
            if wait > .zero {
                do { try await Task.sleep(for: wait) } catch { return }
            }
            apply(link: link, action: action)
        }
    }

    func apply(link: String, action: TimelineAction) {
        let description: String
        switch action {
        case .set(let aToB, let bToA):
            description = "set a->b \(ImpairmentDescription.describe(aToB)); b->a \(ImpairmentDescription.describe(bToA))"
        case .down: description = "down"
        case .up: description = "up"
        }
        var failure: String?
        do {
            switch action {
            case .set(let aToB, let bToA):
                try LabControl.applyShaping(lab: state.lab.name, link: link, aToB: aToB, bToA: bToA, logger: logger)
            case .down:
                try LabControl.setLink(lab: state.lab.name, link: link, up: false, logger: logger)
            case .up:
                try LabControl.setLink(lab: state.lab.name, link: link, up: true, logger: logger)
            }
        } catch {
            failure = "\(error)"
            logger.error("timeline event failed", metadata: ["link": "\(link)", "error": "\(error)"])
        }
        let seconds = clock.seconds
        applied.withLock { $0.append(AppliedEvent(seconds: seconds, link: link, action: description, error: failure)) }
        results.appendEvent(seconds: seconds, kind: "timeline", detail: "\(link): \(description)\(failure.map { " FAILED: \($0)" } ?? "")")
        report(.timeline("\(link): \(description)"))
    }
}
