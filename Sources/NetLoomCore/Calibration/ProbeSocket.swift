import Foundation
import NetLoomKernel

/// A socket opened inside a namespace for calibration probes (IPv6 sockets, IPv4 peers as
/// v4-mapped addresses). Blocking calls with timeouts, used from plain threads only.
final class ProbeSocket: @unchecked Sendable {
    let descriptor: Int32

    /// `socket(AF_INET6, type)` inside `namespace`, dual-stack.
    init(_ type: Int32, in namespace: NetworkNamespace) throws {
        descriptor = try namespace.run {
            let descriptor = socket(AF_INET6, type | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { throw CoreError.io("socket in \(namespace.name ?? "netns")", errno: errno) }
            return descriptor
        }
        var zero: Int32 = 0
        setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size))
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(descriptor) }

    /// Binds to `port` (0: any) on every address.
    func bind(port: UInt16) throws {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        address.sin6_addr = in6addr_any
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
        guard status == 0 else { throw CoreError.io("bind port \(port)", errno: errno) }
    }

    /// The port it is bound to.
    var port: UInt16 {
        var address = sockaddr_in6()
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return UInt16(bigEndian: address.sin6_port)
    }

    func listen() throws {
        guard Glibc.listen(descriptor, 16) == 0 else { throw CoreError.io("listen", errno: errno) }
    }

    func accept() throws -> ProbeSocket {
        let client = Glibc.accept(descriptor, nil, nil)
        guard client >= 0 else { throw CoreError.io("accept", errno: errno) }
        return ProbeSocket(descriptor: client)
    }

    private init(descriptor: Int32) { self.descriptor = descriptor }

    func connect(to address: String, port: UInt16, patience: Duration = .seconds(5)) throws {
        var storage = try Self.address(address, port: port)
        let deadline = ContinuousClock.now + patience
        while true {
            let status = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
            if status == 0 { return }
            let code = errno
            if code == EINTR || (code == ECONNREFUSED && ContinuousClock.now < deadline) {
                usleep(10_000)
                continue
            }
            throw CoreError.io("connect \(address) port \(port)", errno: code)
        }
    }

    /// SO_RCVTIMEO: a receive returns EAGAIN after this long.
    func setReceiveTimeout(_ duration: Duration) {
        var value = timeval(tv_sec: Int(duration.components.seconds), tv_usec: Int(duration.components.attoseconds / 1_000_000_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    func setBuffers(_ bytes: Int32) {
        var value = bytes
        setsockopt(descriptor, SOL_SOCKET, SO_SNDBUF, &value, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Sends a datagram to `address`; false when the kernel refused it (a full queue).
    @discardableResult
    func send(_ bytes: UnsafeRawBufferPointer, to address: inout sockaddr_in6) -> Bool {
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        } == bytes.count
    }

    /// Receives a datagram and its sender; nil on timeout.
    func receive(into buffer: UnsafeMutableRawBufferPointer, from sender: inout sockaddr_in6) -> Int? {
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        let count = withUnsafeMutablePointer(to: &sender) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(descriptor, buffer.baseAddress, buffer.count, 0, $0, &length) }
        }
        return count >= 0 ? count : nil
    }

    /// Stream: receives some bytes; 0 at the end, nil on timeout or error.
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        let count = recv(descriptor, buffer.baseAddress, buffer.count, 0)
        return count >= 0 ? count : nil
    }

    /// Stream: sends some bytes; nil on error.
    func send(_ buffer: UnsafeRawBufferPointer) -> Int? {
        let count = Glibc.send(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
        return count >= 0 ? count : nil
    }

    func shutdown() { _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR)) }

    /// An IPv6 or IPv4 (as v4-mapped) socket address.
    static func address(_ text: String, port: UInt16) throws -> sockaddr_in6 {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        if inet_pton(AF_INET6, text, &address.sin6_addr) == 1 { return address }
        if inet_pton(AF_INET6, "::ffff:" + text, &address.sin6_addr) == 1 { return address }
        throw CoreError.unsupported("\(text) is not an address")
    }
}
