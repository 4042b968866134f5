// Plugins/Training / Metrics: the per-message overhead in alpha, measured: small messages bounce
// between ranks 0 and 1 through the same engine the collectives use; the fastest round trip less the
// path's configured delays there and back, halved, is what a message costs beyond the wire.

import NetLoomModel
import NetLoomPluginAPI

enum PingPong {
    static func overhead(mesh: Mesh, spec: CommunicatorSpec, paths: PathTable, context: PluginContext, stop: StopFlag,
                         rounds: Int = 20) async throws -> Double {
        let layout = BlockLayout(elements: 2, blocks: 1, channels: 1, elementSize: 4, chunkBytes: 1024)
        var builder = ScheduleBuilder(ranks: 2, channels: 1, elementSize: 4, layouts: [[layout], [layout]])
        let unit = [BufferUnit(buffer: 0, index: 0)]
        builder.transfer(from: 0, to: 1, channel: 0, units: unit, reduce: false)
        builder.transfer(from: 1, to: 0, channel: 0, units: unit, reduce: false)
        let schedule = builder.build()
        let pair = CommunicatorSpec(id: spec.id, members: [spec.members[0], spec.members[1]], channels: 1, socketsPerPeer: 1)
        let request = CollectiveRequest(operation: .sendRecv, ranks: 2, elements: 2)
        var best = Double.infinity
        for _ in 0..<rounds {
            let data = CollectiveData(request: request, schedule: schedule, checked: false)
            let time = try await Communicator.runAll(data, spec: pair, mesh: mesh, arithmetic: false, context: context, stop: stop)
            best = min(best, PathTable.seconds(time))
        }
        let wire = paths.delay(spec.members[0], spec.members[1]) + paths.delay(spec.members[1], spec.members[0])
        return max(0, (best - wire) / 2)
    }
}

/// The `frame` parameter: `auto` (-1: the GSO frame of each path's rate) or a size.
enum FrameParameter {
    static func bytes(_ parameters: PluginParameters) throws(LabError) -> Int {
        let text = parameters.string("frame")
        if text == "auto" { return -1 }
        do { return Int(try ByteCount(parsing: text).bytes) } catch {
            throw parameters.error("frame: \(error)", for: "frame", allowed: "auto or a size such as 1514B")
        }
    }
}

/// The `overhead` parameter: `auto` (nil: measure) or a time.
enum OverheadParameter {
    static func duration(_ parameters: PluginParameters) throws(LabError) -> Duration? {
        let text = parameters.string("overhead")
        if text == "auto" { return nil }
        do { return try DurationSyntax.parse(text) } catch {
            throw parameters.error("overhead: \(error)", for: "overhead", allowed: "auto or a time such as 20us")
        }
    }
}
