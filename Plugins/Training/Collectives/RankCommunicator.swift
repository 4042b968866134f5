// Plugins/Training / Collectives: one rank's side of a communicator, for plugins whose ranks run on
// threads of their own and meet only in collectives (the shards of a tensor-parallel server). Each call
// runs this rank's part of the schedule; the other members make the same call at the same time.

import NetLoomPluginAPI

public final class RankCommunicator: @unchecked Sendable {
    public let spec: CommunicatorSpec
    public let localRank: Int
    public let dataType: DataType
    let mesh: Mesh
    let chunkBytes: Int
    let stop: StopFlag
    let schedules: ScheduleCache
    /// Only this rank's thread touches them.
    private let scratch = ScratchBuffers()

    /// One communicator per member of `spec`, sharing their schedules. `mesh` must connect `spec`.
    public static func members(of spec: CommunicatorSpec, mesh: Mesh, dataType: DataType, chunkBytes: Int = 512 * 1024,
                               stop: StopFlag) -> [RankCommunicator] {
        let schedules = ScheduleCache()
        return spec.members.indices.map {
            RankCommunicator(spec: spec, localRank: $0, mesh: mesh, dataType: dataType, chunkBytes: chunkBytes, stop: stop, schedules: schedules)
        }
    }

    init(spec: CommunicatorSpec, localRank: Int, mesh: Mesh, dataType: DataType, chunkBytes: Int, stop: StopFlag,
         schedules: ScheduleCache) {
        self.spec = spec
        self.localRank = localRank
        self.mesh = mesh
        self.dataType = dataType
        self.chunkBytes = chunkBytes
        self.stop = stop
        self.schedules = schedules
    }

    /// This rank's part of an all-reduce of `bytes` (rounded down to whole elements) with `algorithm`;
    /// the bytes move as the algorithm moves them, without the arithmetic.
    public func allReduce(bytes: Int, algorithm: CollectiveAlgorithm = .ring) throws {
        let ranks = spec.members.count
        guard ranks > 1, bytes >= dataType.size else { return }
        let request = CollectiveRequest(operation: .allReduce, algorithm: algorithm, ranks: ranks, elements: bytes / dataType.size,
                                        dataType: dataType, channels: spec.channels, chunkBytes: chunkBytes)
        let schedule = schedules.schedule("\(algorithm):\(request.elements)") { CollectiveSchedules.make(request) }
        let buffers = scratch.reserve(schedule.layouts[localRank].map { max(64, $0.elements * dataType.size) })
        try Communicator.runRank(schedule, localRank: localRank, buffers: buffers, dataType: dataType, spec: spec, mesh: mesh,
                                 arithmetic: false, stop: stop)
    }
}

/// A rank's working and output buffers for schedules of varying sizes, grown on demand.
final class ScratchBuffers {
    private var buffers: [UnsafeMutableRawPointer] = []
    private var capacity: [Int] = []

    deinit { for pointer in buffers { pointer.deallocate() } }

    /// Buffers of at least `needed` bytes each.
    func reserve(_ needed: [Int]) -> [UnsafeMutableRawPointer] {
        for (index, bytes) in needed.enumerated() {
            if index == buffers.count {
                buffers.append(UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64))
                capacity.append(bytes)
            } else if capacity[index] < bytes {
                buffers[index].deallocate()
                buffers[index] = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
                capacity[index] = bytes
            }
        }
        return buffers
    }
}
