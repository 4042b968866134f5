import CMnl
import CNetLoomShims
import Glibc
import SystemPackage

/// A rtnetlink socket (libmnl) bound to the namespace it was opened in, in the manner of
/// vishvananda/netlink's Handle: open it inside a namespace once, then use it from any
/// thread (one at a time). Requests are pipelined: many messages go out in one
/// sendmsg and their acknowledgements are read back together, which is what makes
/// building a thousand-node lab fast.
public final class NetlinkSocket {
    private let socket: OpaquePointer
    private let portID: UInt32
    private var nextSequence: UInt32
    private let receiveBuffer: UnsafeMutableRawBufferPointer
    /// Requests in flight before we stop to read acknowledgements; bounded so the
    /// acknowledgements never overflow the socket's receive buffer.
    private let window = 256

    /// Opens a socket in the calling thread's network namespace.
    public init(protocol netlinkProtocol: Int32 = NETLINK_ROUTE) throws(KernelError) {
        guard let socket = mnl_socket_open(netlinkProtocol) else {
            throw KernelError("socket(AF_NETLINK)", errno: .last)
        }
        self.socket = socket
        var one: Int32 = 1
        // Extended acks carry the kernel's own error text; capped acks do not echo requests.
        _ = mnl_socket_setsockopt(socket, NETLINK_EXT_ACK, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = mnl_socket_setsockopt(socket, NETLINK_CAP_ACK, &one, socklen_t(MemoryLayout<Int32>.size))
        var size: Int32 = 4 << 20
        let fd = mnl_socket_get_fd(socket)
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size))
        if mnl_socket_bind(socket, 0, pid_t(MNL_SOCKET_AUTOPID)) != 0 {
            let error = Errno.last
            mnl_socket_close(socket)
            throw KernelError("bind(AF_NETLINK)", errno: error)
        }
        portID = mnl_socket_get_portid(socket)
        nextSequence = UInt32(truncatingIfNeeded: time(nil))
        receiveBuffer = .allocate(byteCount: 256 * 1024, alignment: 8)
    }

    /// A generic-netlink socket (ethtool and other families) in the calling thread's namespace.
    public static func generic() throws(KernelError) -> NetlinkSocket {
        try NetlinkSocket(protocol: NETLINK_GENERIC)
    }

    /// Opens a socket inside `namespace`.
    public static func open(in namespace: NetworkNamespace) throws -> NetlinkSocket {
        try namespace.run { try NetlinkSocket() }
    }

    deinit {
        mnl_socket_close(socket)
        receiveBuffer.deallocate()
    }

    /// Sends one request and waits for its acknowledgement.
    public func perform(_ request: NetlinkMessage, tolerating tolerated: Set<Errno> = []) throws(KernelError) {
        try perform([request], tolerating: tolerated)
    }

    /// Sends requests in order, pipelined, and waits for every acknowledgement. The
    /// kernel handles each message on its own, so all are attempted; the first failure
    /// (in request order) is thrown after all acknowledgements are in. Errors in
    /// `tolerated` (e.g. EEXIST for an idempotent add) count as success.
    public func perform(_ requests: [NetlinkMessage], tolerating tolerated: Set<Errno> = []) throws(KernelError) {
        var firstFailure: KernelError?
        var start = requests.startIndex
        while start < requests.endIndex {
            let end = min(start + window, requests.endIndex)
            let failures = try exchange(requests[start..<end])
            for failure in failures where !tolerated.contains(failure.errno) && firstFailure == nil {
                firstFailure = failure
            }
            start = end
        }
        if let firstFailure { throw firstFailure }
    }

    /// Sends one request that the kernel answers with messages (a "get" of one object)
    /// and returns them once the acknowledgement arrives.
    public func request(_ request: NetlinkMessage) throws(KernelError) -> [NetlinkMessage] {
        var message = request
        let sequence = takeSequence()
        message.sequence = sequence
        message.write(message.flags | UInt16(NLM_F_REQUEST | NLM_F_ACK), at: 6)
        try send(message.bytes, operation: request.operation)
        var replies: [NetlinkMessage] = []
        while true {
            for reply in try receive(operation: request.operation) where reply.sequence == sequence {
                guard Int32(reply.type) == NLMSG_ERROR else {
                    replies.append(reply)
                    continue
                }
                if let failure = Self.failure(in: reply, operation: request.operation) { throw failure }
                return replies
            }
        }
    }

    /// Sends a dump request (NLM_F_DUMP is added) and returns every reply message.
    public func dump(_ request: NetlinkMessage) throws(KernelError) -> [NetlinkMessage] {
        var message = request
        let flags = UInt16(NLM_F_REQUEST | NLM_F_DUMP)
        message.write(flags, at: 6)
        let sequence = takeSequence()
        message.sequence = sequence
        try send(message.bytes, operation: request.operation)
        var replies: [NetlinkMessage] = []
        while true {
            for reply in try receive(operation: request.operation) where reply.sequence == sequence {
                switch Int32(reply.type) {
                case NLMSG_DONE:
                    return replies
                case NLMSG_ERROR:
                    if let failure = Self.failure(in: reply, operation: request.operation) { throw failure }
                default:
                    if reply.flags & UInt16(NLM_F_DUMP_INTR) != 0 {
                        // The table changed during the dump; the kernel asks us to start over.
                        return try dump(request)
                    }
                    replies.append(reply)
                }
            }
        }
    }

    // MARK: - Internals

    private func takeSequence() -> UInt32 {
        nextSequence &+= 1
        return nextSequence
    }

    /// Sends a window of requests in as few datagrams as fit, then collects one
    /// acknowledgement per request. Returns the failures.
    private func exchange(_ requests: ArraySlice<NetlinkMessage>) throws(KernelError) -> [KernelError] {
        var pending: [UInt32: String] = [:]
        var order: [UInt32] = []
        var datagram: [UInt8] = []
        datagram.reserveCapacity(64 * 1024)
        for request in requests {
            var message = request
            let sequence = takeSequence()
            message.sequence = sequence
            // libnl's builders leave NLM_F_ACK to its own send path; we always want one.
            message.write(message.flags | UInt16(NLM_F_REQUEST | NLM_F_ACK), at: 6)
            pending[sequence] = request.operation
            order.append(sequence)
            if datagram.count + message.bytes.count > 64 * 1024, !datagram.isEmpty {
                try send(datagram, operation: request.operation)
                datagram.removeAll(keepingCapacity: true)
            }
            datagram += message.bytes
        }
        if !datagram.isEmpty { try send(datagram, operation: requests.first!.operation) }

        var failures: [UInt32: KernelError] = [:]
        while !pending.isEmpty {
            for reply in try receive(operation: requests.first!.operation) {
                guard Int32(reply.type) == NLMSG_ERROR, let operation = pending[reply.sequence] else { continue }
                pending[reply.sequence] = nil
                if let failure = Self.failure(in: reply, operation: operation) {
                    failures[reply.sequence] = failure
                }
            }
        }
        return order.compactMap { failures[$0] }
    }

    private func send(_ bytes: [UInt8], operation: String) throws(KernelError) {
        let sent = bytes.withUnsafeBytes { mnl_socket_sendto(socket, $0.baseAddress, $0.count) }
        if sent < 0 { throw KernelError(operation, errno: .last) }
    }

    private func receive(operation: String) throws(KernelError) -> [NetlinkMessage] {
        var received: Int
        repeat {
            received = mnl_socket_recvfrom(socket, receiveBuffer.baseAddress, receiveBuffer.count)
        } while received < 0 && Errno.last == .interrupted
        if received < 0 { throw KernelError("\(operation): recv", errno: .last) }
        var messages: [NetlinkMessage] = []
        var offset = 0
        let headerSize = MemoryLayout<nlmsghdr>.size
        while offset + headerSize <= received {
            let length = Int(receiveBuffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            guard length >= headerSize, offset + length <= received else { break }
            let bytes = Array(receiveBuffer[offset..<(offset + length)])
            let message = NetlinkMessage(bytes: bytes)
            if message.portID == portID || message.portID == 0 { messages.append(message) }
            offset += netlinkAlign(length)
        }
        return messages
    }

    /// Reads a NLMSG_ERROR reply: nil for an acknowledgement (error 0), else the error
    /// with the kernel's extended-ack text.
    static func failure(in reply: NetlinkMessage, operation: String) -> KernelError? {
        guard let header = reply.familyHeader(nlmsgerr.self), header.error != 0 else { return nil }
        var text: String?
        if reply.flags & UInt16(NLM_F_ACK_TLVS) != 0 {
            // With NETLINK_CAP_ACK the echoed request is only its header; TLVs follow.
            let echoedLength = reply.flags & UInt16(NLM_F_CAPPED) != 0
                ? MemoryLayout<nlmsghdr>.size : Int(header.msg.nlmsg_len)
            let start = MemoryLayout<nlmsghdr>.size + MemoryLayout<Int32>.size + netlinkAlign(echoedLength)
            if start < reply.bytes.count {
                text = NetlinkAttributes(reply.bytes[start...]).string(NLMSGERR_ATTR_MSG.rawValue)
            }
        }
        return KernelError(operation, errno: Errno(rawValue: -header.error), kernelMessage: text)
    }
}
