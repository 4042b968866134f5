import Glibc
import NetLoomPluginAPI

extension PluginSocket {
    /// TCP_CONGESTION on this socket (accepted connections inherit a listener's). Unlike
    /// the lab's `tcp_congestion_control` setting (a namespace's default, which the kernel
    /// refuses in a namespace for algorithms outside the host's
    /// `net.ipv4.tcp_allowed_congestion_control`), this works for any algorithm the
    /// kernel has, with CAP_NET_ADMIN.
    func setCongestionControl(_ name: String) throws(SocketError) {
        let status = name.withCString { text in
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_CONGESTION, text, socklen_t(name.utf8.count))
        }
        if status != 0 { throw SocketError(operation: "setsockopt TCP_CONGESTION \(name)", code: errno) }
    }
}
