import NetLoomKernel
import NetLoomModel

/// The qdisc tree of one direction of a kernel-shaped link, on the sending veth end's
/// egress:
///
///     netem only:  root 1: netem (limit = queue + delay line)
///     rate only:   root 1: tbf
///     both:        root 1: netem  ->  parent 1:1 handle 10: tbf
///
/// netem sits first so its limit counts only the packets in flight on the "wire"
/// (the delay line); tbf's byte limit is the bottleneck queue. An unshaped direction
/// gets no qdisc at all (the veth's noqueue).
public struct KernelTree: Sendable, Equatable, Codable {
    public var netem: NetemParameters?
    public var tbf: TbfParameters?

    public static let rootHandle = QdiscHandle(major: 1)
    public static let childHandle = QdiscHandle(major: 0x10)
    public static let childParent = QdiscHandle(major: 1, minor: 1)

    public init(netem: NetemParameters? = nil, tbf: TbfParameters? = nil) {
        self.netem = netem
        self.tbf = tbf
    }

    public var isEmpty: Bool { netem == nil && tbf == nil }

    /// Whether `other` has the same qdiscs in the same places, so `tc qdisc change`
    /// can move from one to the other in place.
    func hasSameShape(as other: KernelTree) -> Bool {
        (netem == nil) == (other.netem == nil) && (tbf == nil) == (other.tbf == nil)
    }

    /// `tc qdisc add` requests that build this tree on `interface`.
    public func addRequests(interface: Int32) throws -> [NetlinkMessage] {
        switch (netem, tbf) {
        case (nil, nil): []
        case (let netem?, nil):
            [try QdiscRequest.add(interface: interface, parent: .root, handle: Self.rootHandle, kind: .netem(netem))]
        case (nil, let tbf?):
            [try QdiscRequest.add(interface: interface, parent: .root, handle: Self.rootHandle, kind: .tbf(tbf))]
        case (let netem?, let tbf?):
            [try QdiscRequest.add(interface: interface, parent: .root, handle: Self.rootHandle, kind: .netem(netem)),
             try QdiscRequest.add(interface: interface, parent: Self.childParent, handle: Self.childHandle, kind: .tbf(tbf))]
        }
    }

    /// Requests that turn `self` (what the kernel holds) into `target`: `tc qdisc
    /// change` when the shape is the same (no packet is lost and the link never
    /// flaps), else a replacement of the root.
    public func changeRequests(to target: KernelTree, interface: Int32) throws -> [NetlinkMessage] {
        if hasSameShape(as: target) {
            var requests: [NetlinkMessage] = []
            if let netem = target.netem {
                requests.append(try QdiscRequest.change(interface: interface, parent: .root, handle: Self.rootHandle, kind: .netem(netem)))
            }
            if let tbf = target.tbf {
                let parent = target.netem == nil ? QdiscHandle.root : Self.childParent
                let handle = target.netem == nil ? Self.rootHandle : Self.childHandle
                requests.append(try QdiscRequest.change(interface: interface, parent: parent, handle: handle, kind: .tbf(tbf)))
            }
            return requests
        }
        return (isEmpty ? [] : [try QdiscRequest.delete(interface: interface)]) + (try target.addRequests(interface: interface))
    }
}

/// Lab impairments to kernel qdisc parameters; the formulas are documented in
/// docs/lab-format.md ("Queues and bursts").
public enum KernelShaping {
    /// Rate assumed for sizing netem's delay line when a direction has no rate.
    static let assumedLineRate: UInt64 = 100_000_000_000
    /// Mean packet size assumed when counting packets in flight (ACKs are small).
    static let assumedPacketBytes: UInt64 = 1_000

    /// Whether an impairment needs netem (anything but rate and queue).
    public static func needsNetem(_ impairment: Impairment) -> Bool {
        impairment.delay > .zero || impairment.jitter > .zero || !isLossless(impairment.loss)
            || !impairment.duplicate.isZero || !impairment.corrupt.isZero || !impairment.reorder.isZero
    }

    static func isLossless(_ loss: LossModel) -> Bool {
        if case .random(let p, _) = loss { return p.isZero }
        return false
    }

    /// The tree for one direction. `distribution` loads netem's jitter table by name.
    public static func tree(
        for impairment: Impairment, mtu: Int, kernelHasSeed: Bool,
        distribution: (String) throws -> NetemDistribution = { try DistributionTable.load($0) }
    ) throws -> KernelTree {
        var tree = KernelTree()
        let frame = UInt64(mtu + 14)
        let queueBytes = queueBytes(impairment.queue, frame: frame)
        if let rate = impairment.rate {
            tree.tbf = TbfParameters(
                rateBitsPerSecond: rate.bitsPerSecond, burstBytes: burst(rate: rate, frame: frame),
                limitBytes: UInt32(clamping: queueBytes ?? 100 * frame))
        }
        if needsNetem(impairment) {
            var netem = NetemParameters()
            netem.delay = impairment.delay
            netem.jitter = impairment.jitter
            netem.delayCorrelation = impairment.delayCorrelation.fraction
            if impairment.distribution != .uniform && impairment.jitter > .zero {
                netem.distribution = try distribution(impairment.distribution.rawValue)
            }
            switch impairment.loss {
            case .random(let p, let correlation):
                if !p.isZero { netem.loss = .random(CorrelatedProbability(p.fraction, correlation: correlation.fraction)) }
            case .gilbertElliott(let model):
                netem.loss = .gilbertElliott(
                    p: model.p.fraction, r: model.r.fraction, lossInBad: 1 - model.h.fraction, lossInGood: 1 - model.k.fraction)
            }
            netem.duplicate = CorrelatedProbability(impairment.duplicate.fraction, correlation: impairment.duplicateCorrelation.fraction)
            netem.corrupt = CorrelatedProbability(impairment.corrupt.fraction, correlation: impairment.corruptCorrelation.fraction)
            netem.reorder = CorrelatedProbability(impairment.reorder.fraction, correlation: impairment.reorderCorrelation.fraction)
            if kernelHasSeed { netem.seed = impairment.seed }
            let rate = impairment.rate?.bitsPerSecond ?? assumedLineRate
            let inFlight = delayLinePackets(rate: rate, delay: impairment.delay + impairment.jitter)
            // With tbf behind it netem only holds the delay line; alone it is also the queue.
            let queuePackets = tree.tbf == nil ? (queueBytes.map { $0 / frame } ?? 1_000) : 0
            netem.limit = UInt32(clamping: max(1_000, inFlight + queuePackets))
            tree.netem = netem
        }
        return tree
    }

    /// tbf's bucket: one millisecond at the rate, and never less than ten frames. A
    /// fixed 15 kB bucket caps TCP far below the rate at 1 Gbit/s and above; one
    /// millisecond measured 941-953 Mbit/s of TCP through a 1 Gbit/s tbf here (the
    /// ceiling at MTU 1500 is 957), without letting a long line-rate burst through.
    public static func burst(rate: Bitrate, frame: UInt64) -> UInt32 {
        UInt32(clamping: max(rate.bitsPerSecond / 8 / 1_000, 10 * frame))
    }

    /// The queue in bytes (packets count as full frames); nil for `auto`.
    static func queueBytes(_ queue: QueueLimit, frame: UInt64) -> UInt64? {
        switch queue {
        case .bytes(let size): size.bytes
        case .packets(let count): UInt64(count) * frame
        case .auto: nil
        }
    }

    /// Packets in flight on a delay line of `delay` at `rate`.
    static func delayLinePackets(rate: UInt64, delay: Duration) -> UInt64 {
        UInt64((Double(rate) / 8 * seconds(delay) / Double(assumedPacketBytes)).rounded(.up))
    }
}
