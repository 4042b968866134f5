import Foundation
import Logging
import NetLoomKernel
import NetLoomLinkEngine
import NetLoomModel

/// Hosts a lab's link engine: starts it for the userspace links and answers the
/// control protocol (`EngineRequest`) over a unix socket, one request per connection.
public final class EngineHost: Sendable {
    let engine: LinkEngine
    let logger: Logger

    public init(namespace: NetworkNamespace, links: [PlannedLink], logger: Logger) throws {
        engine = try LinkEngine(namespace: namespace, links: try EngineShaping.links(links), logger: logger)
        self.logger = logger
    }

    public func start() throws { try engine.start() }
    public func stop() { engine.stop() }

    /// Serves requests until a `stop` request, then stops the engine and returns.
    public func serve(socketPath: String) throws {
        unlink(socketPath)
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw CoreError.io("socket(AF_UNIX)", errno: errno) }
        var address = try UnixConnection.socketAddress(socketPath)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(socketPath, 0o600) == 0, listen(listener, 16) == 0 else {
            throw CoreError.io("listen on \(socketPath)", errno: errno)
        }
        logger.info("link engine serving", metadata: ["socket": "\(socketPath)"])
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let connection = UnixConnection(descriptor: client)
            let reply: EngineReply
            var stopping = false
            do {
                let request = try JSONDecoder().decode(EngineRequest.self, from: try connection.readLine())
                stopping = request.command == EngineRequest.Command.stop
                reply = try handle(request)
            } catch {
                reply = EngineReply(ok: false, error: "\(error)", report: nil)
            }
            if var line = try? JSONEncoder().encode(reply) {
                line.append(0x0A)
                try? connection.write(line)
            }
            connection.close()
            if stopping {
                engine.stop()
                unlink(socketPath)
                Glibc.close(listener)
                return
            }
        }
    }

    public func handle(_ request: EngineRequest) throws -> EngineReply {
        switch request.command {
        case .ping, .stop:
            return EngineReply(ok: true, error: nil, report: nil)
        case .report:
            return EngineReply(ok: true, error: nil, report: report())
        case .update:
            guard let link = request.link else { throw CoreError.unsupported("update names no link") }
            try engine.update(
                link: link,
                aToB: try request.aToB.map { try EngineShaping.direction($0, seed: $0.seed) },
                bToA: try request.bToA.map { try EngineShaping.direction($0, seed: $0.seed) })
            logger.info("link updated", metadata: ["link": "\(link)"])
            return EngineReply(ok: true, error: nil, report: nil)
        }
    }

    /// Every link's shaping as the engine applies it now, and its counters.
    public func report() -> [String: [EngineDirection: EngineDirectionReport]] {
        let shapings = Dictionary(uniqueKeysWithValues: engine.links.map { ($0.name, $0) })
        var result: [String: [EngineDirection: EngineDirectionReport]] = [:]
        for counters in engine.counters() {
            guard let link = shapings[counters.link] else { continue }
            let direction: EngineDirection = counters.direction == .aToB ? .aToB : .bToA
            let shaping = direction == .aToB ? link.aToB : link.bToA
            result[counters.link, default: [:]][direction] = EngineDirectionReport(
                shaping: EngineShapingDescription.describe(shaping), counters: DirectionCounters(counters))
        }
        return result
    }
}

extension DirectionCounters {
    init(_ engine: EngineLinkCounters) {
        self.init()
        bytes = engine.forwardedBytes
        packets = engine.forwardedPackets
        let reasons: [String: UInt64] = [
            "loss": engine.droppedLoss, "queue": engine.droppedQueueFull, "aqm": engine.droppedAQM,
            "no-buffer": engine.droppedNoBuffer, "link-down": engine.droppedLinkDown, "error": engine.droppedError,
            "socket": engine.kernelReceiveDrops,
        ].filter { $0.value > 0 }
        drops = reasons.values.reduce(0, +)
        dropsByReason = reasons
        backlog = engine.queueBytes
        queued = engine.queuePackets
        inDelayLine = engine.delayLinePackets
    }
}

/// The engine's current configuration of one direction, in the lab file's words.
enum EngineShapingDescription {
    static func describe(_ shaping: DirectionShaping) -> String {
        var words: [String] = []
        if shaping.delay > .zero { words.append("delay \(Units.duration(shaping.delay))") }
        if shaping.jitter > .zero {
            words.append("jitter \(Units.duration(shaping.jitter))" + (shaping.distribution == .uniform ? "" : " \(shaping.distribution.rawValue)"))
        }
        switch shaping.loss {
        case .none: break
        case .random(let p, _): words.append("loss \(Units.percent(p))")
        case .gilbertElliott(let p, let r, let h, let k):
            words.append("loss gilbert-elliott p \(Units.percent(p)) r \(Units.percent(r)) h \(Units.percent(h)) k \(Units.percent(k))")
        }
        if shaping.duplicate.probability > 0 { words.append("duplicate \(Units.percent(shaping.duplicate.probability))") }
        if shaping.corrupt.probability > 0 { words.append("corrupt \(Units.percent(shaping.corrupt.probability))") }
        if shaping.reorder.probability > 0 { words.append("reorder \(Units.percent(shaping.reorder.probability))") }
        switch shaping.rate {
        case .unlimited: break
        case .constant(let bps): words.append("rate \(Units.rate(bps))")
        case .mahimahi(let trace): words.append("mahimahi trace (avg \(Units.rate(UInt64(trace.averageBitsPerSecond))))")
        case .steps(let schedule): words.append("step schedule (\(schedule.steps.count) steps)")
        }
        switch shaping.queue {
        case .packets(let n): words.append("queue \(n)p")
        case .bytes(let n): words.append("queue \(Units.bytes(UInt64(n)))")
        }
        if case .codel = shaping.aqm { words.append("codel") }
        if !shaping.keepOrder { words.append("reordering jitter") }
        return words.joined(separator: " ")
    }
}
