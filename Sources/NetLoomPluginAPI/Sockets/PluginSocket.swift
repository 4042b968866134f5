import CNetLoomShims
import Glibc

public enum SocketKind: String, Sendable, Codable {
    case tcp, udp
}

/// A failed socket call: what, and the errno.
public struct SocketError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var code: Int32

    /// For plugins that make socket calls of their own (poll, recv with flags).
    public init(operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    public var description: String { "\(operation): \(String(cString: strerror(code)))" }
}

/// A TCP or UDP socket a plugin got from its context, already in its node's network
/// namespace. Calls block, so run them inside `context.blocking { }` (a dedicated
/// thread, never Swift's cooperative pool). One thread uses a socket at a time.
public final class PluginSocket: @unchecked Sendable {
    public let descriptor: Int32
    public let kind: SocketKind
    /// The node whose namespace the socket lives in.
    public let node: String

    public init(descriptor: Int32, kind: SocketKind, node: String) {
        self.descriptor = descriptor
        self.kind = kind
        self.node = node
    }

    deinit { close(descriptor) }

    /// Binds to `port` on every address of the node (both IPv4 and IPv6).
    public func bind(port: UInt16) throws(SocketError) {
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var zero: Int32 = 0
        setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        address.sin6_addr = in6addr_any
        try check("bind port \(port)") {
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
    }

    public func listen(backlog: Int32 = 1024) throws(SocketError) {
        try check("listen") { Glibc.listen(descriptor, backlog) }
    }

    /// Waits for a connection.
    public func accept() throws(SocketError) -> PluginSocket {
        let client = try check("accept") { Glibc.accept(descriptor, nil, nil) }
        return PluginSocket(descriptor: client, kind: kind, node: node)
    }

    /// Connects to `address` (IPv4 or IPv6 text) and `port`, retrying briefly while the
    /// peer is not listening yet (plugins start their servers and clients together).
    public func connect(to address: String, port: UInt16, retryFor patience: Duration = .seconds(5)) throws(SocketError) {
        var storage = try Self.address(address, port: port)
        let deadline = ContinuousClock.now + patience
        while true {
            let status = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
            if status == 0 { return }
            let code = errno
            if code == EINTR { continue }
            if (code == ECONNREFUSED || code == ENETUNREACH || code == EHOSTUNREACH) && ContinuousClock.now < deadline && kind == .tcp {
                usleep(20_000)
                continue
            }
            throw SocketError(operation: "connect \(address) port \(port)", code: code)
        }
    }

    /// Sends some bytes; returns how many.
    public func send(_ buffer: UnsafeRawBufferPointer) throws(SocketError) -> Int {
        try check("send") { Glibc.send(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Sends every byte.
    public func sendAll(_ buffer: UnsafeRawBufferPointer) throws(SocketError) {
        var offset = 0
        while offset < buffer.count {
            offset += try send(UnsafeRawBufferPointer(rebasing: buffer[offset...]))
        }
    }

    /// Receives some bytes; 0 means the peer closed.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> Int {
        try check("recv") { Glibc.recv(descriptor, buffer.baseAddress, buffer.count, 0) }
    }

    /// Receives exactly `buffer.count` bytes; false if the peer closed first.
    public func receiveExactly(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let count = try receive(into: UnsafeMutableRawBufferPointer(rebasing: buffer[offset...]))
            if count == 0 { return false }
            offset += count
        }
        return true
    }

    /// UDP: sends one datagram to `address`:`port`.
    public func send(_ buffer: UnsafeRawBufferPointer, to address: String, port: UInt16) throws(SocketError) -> Int {
        var storage = try Self.address(address, port: port)
        return try check("sendto") {
            withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
    }

    /// Closes our sending side: the peer reads end of file.
    public func shutdownWrite() { _ = shutdown(descriptor, Int32(SHUT_WR)) }

    /// Unblocks any thread waiting in this socket (the runner does this on cancellation).
    public func shutdownBoth() { _ = shutdown(descriptor, Int32(SHUT_RDWR)) }

    /// TCP_NODELAY: send small messages at once (request/response traffic).
    public func setNoDelay(_ on: Bool = true) {
        var value: Int32 = on ? 1 : 0
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// SO_SNDBUF / SO_RCVBUF (the kernel doubles what it is given). The FORCE variants
    /// first (NetLoom runs as root), so the host's `net.core.wmem_max`/`rmem_max`, which a
    /// lab must not change, do not silently cap the size asked for.
    public func setBuffers(send: Int32? = nil, receive: Int32? = nil) {
        if let send { setBuffer(send, force: 32 /* SO_SNDBUFFORCE */, plain: SO_SNDBUF) }
        if let receive { setBuffer(receive, force: 33 /* SO_RCVBUFFORCE */, plain: SO_RCVBUF) }
    }

    private func setBuffer(_ bytes: Int32, force: Int32, plain: Int32) {
        var value = bytes
        let size = socklen_t(MemoryLayout<Int32>.size)
        if setsockopt(descriptor, SOL_SOCKET, force, &value, size) != 0 {
            setsockopt(descriptor, SOL_SOCKET, plain, &value, size)
        }
    }

    /// A receive timeout, after which a blocked receive fails with EAGAIN.
    public func setReceiveTimeout(_ timeout: Duration) {
        var value = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The kernel's TCP state of this connection (TCP sockets; nil otherwise).
    public func tcpInfo() -> TCPInfo? {
        guard kind == .tcp else { return nil }
        var info = netloom_tcp_info()
        guard netloom_tcp_info(descriptor, &info) == 0 else { return nil }
        return TCPInfo(info)
    }

    /// An IPv4 or IPv6 socket address (IPv4 as v4-mapped IPv6, since sockets are dual-stack).
    static func address(_ text: String, port: UInt16) throws(SocketError) -> sockaddr_in6 {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        if inet_pton(AF_INET6, text, &address.sin6_addr) == 1 { return address }
        if inet_pton(AF_INET6, "::ffff:" + text, &address.sin6_addr) == 1 { return address }
        throw SocketError(operation: "address \(text)", code: EINVAL)
    }

    @discardableResult
    private func check<T: FixedWidthInteger>(_ operation: String, _ call: () -> T) throws(SocketError) -> T {
        while true {
            let result = call()
            if result >= 0 { return result }
            if errno == EINTR { continue }
            throw SocketError(operation: operation, code: errno)
        }
    }
}

/// A TCP connection's state as the kernel reports it (TCP_INFO).
public struct TCPInfo: Sendable, Codable, Equatable {
    public var rttMicroseconds: UInt32
    public var rttVarianceMicroseconds: UInt32
    public var congestionWindow: UInt32
    public var mss: UInt32
    public var retransmits: UInt32
    public var lost: UInt32
    /// Bytes per second.
    public var deliveryRate: UInt64
    public var bytesAcked: UInt64
    public var bytesReceived: UInt64

    init(_ info: netloom_tcp_info) {
        rttMicroseconds = info.rtt_us
        rttVarianceMicroseconds = info.rttvar_us
        congestionWindow = info.snd_cwnd
        mss = info.snd_mss
        retransmits = info.total_retrans
        lost = info.lost
        deliveryRate = info.delivery_rate
        bytesAcked = info.bytes_acked
        bytesReceived = info.bytes_received
    }
}
