import CNetLoomShims
import Glibc
import NetLoomKernel

/// How long the engine's own send takes to reach the next interface: from the start of
/// an AF_PACKET send to the kernel's arrival stamp at the other end of a veth. A frame the
/// engine forwards crosses one veth more than on a plain link, and that hop, with the
/// send's copy and allocation, is what the engine adds to the configured delay (4-6 us
/// each way on the 2-core VM; kernel netem hands its frame straight to the device).
/// Measured once at start on a veth pair of its own in the wire namespace, removed after.
enum SendLatencyProbe {
    /// At most this much is subtracted, however slow the probe found the machine.
    static let maximum: Duration = .microseconds(50)
    static let probes: Int32 = 64

    /// The median send latency; zero where the kernel gives no receive timestamps. Throws
    /// when the probe cannot run (the caller then logs it and compensates nothing).
    static func measure(in namespace: NetworkNamespace, qdiscBypass: Bool) throws -> Duration {
        try namespace.run {
            let socket = try NetlinkSocket()
            let names = ("nl-probe0", "nl-probe1")
            try socket.perform(LinkRequest.addVeth(InterfaceSpec(name: names.0), peer: InterfaceSpec(name: names.1)))
            let a = Int32(if_nametoindex(names.0)), b = Int32(if_nametoindex(names.1))
            guard a > 0 else { throw EngineError.interfaceNotFound(link: "send probe", interface: names.0) }
            defer { _ = try? socket.perform(LinkRequest.delete(index: a)) }  // removes both ends
            guard b > 0 else { throw EngineError.interfaceNotFound(link: "send probe", interface: names.1) }
            try socket.perform([LinkRequest.setState(index: a, up: true), LinkRequest.setState(index: b, up: true)])
            let tx = netloom_engine_open_tx(a, 1 << 20, qdiscBypass ? 1 : 0)
            guard tx >= 0 else { throw EngineError.socket(link: "send probe", interface: names.0, errno: -tx) }
            defer { close(tx) }
            let rx = netloom_engine_open_rx(b, 1 << 20)
            guard rx >= 0 else { throw EngineError.socket(link: "send probe", interface: names.1, errno: -rx) }
            defer { close(rx) }
            guard netloom_engine_enable_rx_timestamps(rx) == 0 else { return .zero }
            let nanoseconds = netloom_engine_probe_send_latency(tx, rx, probes)
            guard nanoseconds >= 0 else { throw EngineError.system(operation: "send latency probe", errno: Int32(-nanoseconds)) }
            return min(.nanoseconds(nanoseconds), maximum)
        }
    }
}
