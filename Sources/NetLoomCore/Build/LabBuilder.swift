import Foundation
import Logging
import NetLoomKernel
import NetLoomModel

/// Builds a planned lab in the kernel, journaling every object before it is created,
/// and rolls everything back if any step fails.
///
/// Phases (each timed for `up`'s report and the setup benchmark):
/// 1. namespaces: created in parallel; each is tagged, gets its sysctls and (for a
///    switch) its bridge from inside, before its name is published;
/// 2. veths: every pair created from NetLoom's own namespace, both ends straight
///    into their namespaces with their final index and bridge port membership;
/// 3. interfaces: per namespace, interfaces up and tagged, addresses, offloads, qdiscs;
/// 4. routes: per namespace, once every interface of every node is up.
public final class LabBuilder {
    public typealias Progress = @Sendable (String) -> Void

    let plan: LabPlan
    let labText: String
    let logger: Logger
    let progress: Progress
    private var timings: [PhaseTiming] = []
    private var handles: [String: NamespaceHandle] = [:]

    /// `labText` is the lab file as read, kept with the running lab for `netloom set`.
    public init(plan: LabPlan, labText: String, logger: Logger, progress: @escaping Progress = { _ in }) {
        self.plan = plan
        self.labText = labText
        self.logger = logger
        self.progress = progress
    }

    /// Creates the lab. On failure everything created so far is removed (from the
    /// journal) and the error is rethrown. `startEngine` runs last, for labs with
    /// userspace links, and returns the engine process it started.
    public func build(startEngine: (LabPlan, Journal) throws -> EngineProcess? = { _, _ in nil }) throws -> LabState {
        let directory = LabDirectory(lab: plan.lab.name)
        if directory.exists { throw CoreError.alreadyRunning(lab: plan.lab.name) }
        for namespace in plan.namespaces where NetworkNamespace.exists(named: namespace.name) {
            throw CoreError.nameTaken(namespace: namespace.name)
        }
        try directory.create()
        var lock: LabLock? = try LabLock(directory: directory)
        let journal = try Journal(directory: directory)
        do {
            try journal.append(.begin(tag: plan.tag, pid: getpid()))
            // lab.json is large (2 MB at 1,000 hosts, 0.4 s to encode): it is encoded on a thread of its
            // own while the kernel builds, from the veths on (creating the veths holds the rtnl lock on
            // one thread and leaves the other CPU idle; the namespace phase keeps both busy), and again
            // at the end only if the lab got a link engine.
            var state = LabState(
                lab: plan.lab, labText: labText, changes: [], instance: String(plan.tag.split(separator: ":").last ?? ""), tag: plan.tag,
                createdAt: Date(), namespaces: plan.namespaces.map(\.name), links: plan.links,
                wireNamespace: plan.wireNamespace, engine: nil)
            try timed("namespaces") { try createNamespaces(journal: journal) }
            let encoding = try DedicatedThread.start(name: "netloom-state") { [state] in try state.encoded() }
            try timed("veths") { try createVeths() }
            try timed("interfaces") { try configureInterfaces() }
            try timed("routes") { try addRoutes() }
            state.engine = try timed("engine") { try startEngine(plan, journal) }
            handles.removeAll()
            state.timings = timings
            try state.write(state.engine == nil ? try encoding.value() : try state.encoded())
            try journal.append(.ready)
            withExtendedLifetime(lock) {}
            return state
        } catch {
            logger.error("up failed; removing what was created", metadata: ["lab": "\(plan.lab.name)", "error": "\(error)"])
            handles.removeAll()
            lock = nil
            _ = try? Teardown.run(lab: plan.lab.name, logger: logger)
            throw error
        }
    }

    private func timed<T>(_ phase: String, _ body: () throws -> T) throws -> T {
        progress(phase)
        let start = ContinuousClock.now
        defer {
            let elapsed = ContinuousClock.now - start
            timings.append(PhaseTiming(phase: phase, seconds: seconds(elapsed)))
        }
        return try body()
    }

    // MARK: - Phases

    private func createNamespaces(journal: Journal) throws {
        try journal.append(contentsOf: plan.namespaces.map { .namespace($0.name) })
        let tag = plan.tag
        let created = try Parallel.map(plan.namespaces) { planned in
            var socket: NetlinkSocket?
            var generic: NetlinkSocket?
            let namespace = try NetworkNamespace.create(named: planned.name) { _ in
                let route = try NetlinkSocket()
                try route.perform(OwnershipTag.apply(tag))
                try ProcSys.write(planned.sysctls.map { ($0.key, $0.value) })
                if let bridge = planned.bridge {
                    try route.perform(LinkRequest.addBridge(InterfaceSpec(name: bridge.name, index: bridge.index, mtu: UInt32(bridge.mtu))))
                }
                if planned.offloadsOff { generic = try NetlinkSocket.generic() }
                socket = route
            }
            return NamespaceHandle(namespace: namespace, socket: socket!, generic: generic)
        }
        try journal.append(contentsOf: created.map { JournalEntry.namespaceCreated($0.namespace.name!, inode: $0.namespace.inode) })
        handles = Dictionary(uniqueKeysWithValues: created.map { ($0.namespace.name!, $0) })
    }

    private func createVeths() throws {
        let root = try NetlinkSocket()
        // MTU by namespace and interface index, looked up once per end (a scan per end was quadratic).
        var mtus: [String: [Int32: Int]] = [:]
        for namespace in plan.namespaces {
            mtus[namespace.name] = Dictionary(namespace.interfaces.map { ($0.index, $0.mtu) }, uniquingKeysWith: { first, _ in first })
        }
        let requests = try plan.veths.map { veth in
            try LinkRequest.addVeth(spec(veth.a, mtus: mtus), peer: spec(veth.b, mtus: mtus))
        }
        try root.perform(requests)
    }

    private func spec(_ end: VethEnd, mtus: [String: [Int32: Int]]) throws -> InterfaceSpec {
        guard let handle = handles[end.namespace] else { throw CoreError.corruptState("no namespace \(end.namespace)") }
        let mtu = mtus[end.namespace]?[end.index]
        // Bridge membership is set with the interface's state in the next phase: the
        // kernel applies IFLA_MASTER at creation only to the first end of a pair.
        return InterfaceSpec(name: end.interface, namespace: handle.namespace, index: end.index, mtu: mtu.map(UInt32.init), up: false)
    }

    private func configureInterfaces() throws {
        let tag = plan.tag
        var offloadFeatures: [String]?
        if plan.namespaces.contains(where: \.offloadsOff) {
            offloadFeatures = try segmentationFeatures()
        }
        let family = offloadFeatures == nil ? nil : try GenericNetlink.family("ethtool", socket: NetlinkSocket.generic())
        try Parallel.forEach(plan.namespaces) { planned in
            let handle = self.handles[planned.name]!
            var requests: [NetlinkMessage] = []
            if let bridge = planned.bridge {
                if self.plan.lab.settings.ipv6 { self.addMLDReportFilter(planned, handle: handle) }
                requests.append(try LinkRequest.setState(index: bridge.index, up: true, alias: tag))
            }
            for interface in planned.interfaces {
                // The qdiscs go on while the interface is still down: grafting a root qdisc onto a
                // device that is up waits for an RCU grace period with the rtnl lock held.
                if let egress = interface.egress { requests += try egress.addRequests(interface: interface.index) }
                requests.append(try LinkRequest.setState(index: interface.index, up: true, alias: tag, master: interface.master))
                if let ipv4 = interface.ipv4 { requests.append(try AddressRequest.add(ipv4.kernelPrefix, interface: interface.index)) }
                if let ipv6 = interface.ipv6 { requests.append(try AddressRequest.add(ipv6.kernelPrefix, interface: interface.index)) }
            }
            try handle.socket.perform(requests)
            if planned.offloadsOff, let family, let features = offloadFeatures, let generic = handle.generic {
                let off = Dictionary(uniqueKeysWithValues: features.map { ($0, false) })
                try generic.perform(try planned.interfaces.map { try EthtoolRequest.setFeatures(family: family, interface: $0.index, off) })
            }
        }
    }

    /// The switch's ports in an MLDReportFilter, set up before they come up; where this
    /// kernel cannot filter, the switch floods reports (with a notice).
    private func addMLDReportFilter(_ planned: PlannedNamespace, handle: NamespaceHandle) {
        guard let bridge = planned.bridge, !planned.interfaces.isEmpty else { return }
        do {
            try handle.socket.perform(MLDReportFilter.ports(planned.interfaces.map(\.index)))
            try handle.socket.perform(MLDReportFilter.filter(bridge: bridge.index))
        } catch {
            logger.notice("switch floods MLD reports: this kernel lacks clsact, cls_u32 or act_mirred", metadata: ["namespace": "\(planned.name)", "error": "\(error)"])
        }
    }

    /// The TSO/GSO/GRO feature names this kernel's veths have, read from the first
    /// interface of a namespace that switches them off.
    private func segmentationFeatures() throws -> [String] {
        guard let planned = plan.namespaces.first(where: { $0.offloadsOff && !$0.interfaces.isEmpty }),
              let generic = handles[planned.name]?.generic
        else { return [] }
        let family = try GenericNetlink.family("ethtool", socket: generic)
        let reply = try generic.request(EthtoolRequest.getFeatures(family: family, interface: planned.interfaces[0].index))
        return reply.first.map { EthtoolRequest.features(in: $0).changeable.filter(EthtoolRequest.isSegmentationOffload) } ?? []
    }

    private func addRoutes() throws {
        try Parallel.forEach(plan.lab.nodes.filter { !$0.routes.isEmpty }) { node in
            try self.handles[node.namespace]!.socket.perform(try LabControl.routeRequests(node))
        }
    }
}

/// A lab namespace with the sockets opened inside it when it was created. Used by one
/// thread at a time (each namespace belongs to one parallel work item per phase).
final class NamespaceHandle: @unchecked Sendable {
    let namespace: NetworkNamespace
    let socket: NetlinkSocket
    let generic: NetlinkSocket?

    init(namespace: NetworkNamespace, socket: NetlinkSocket, generic: NetlinkSocket?) {
        self.namespace = namespace
        self.socket = socket
        self.generic = generic
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
