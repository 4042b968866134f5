import CNetlink
import CMnl
import CNetLoomShims
public func _probe() -> String {
    let s = mnl_socket_open(NETLINK_ROUTE)
    mnl_socket_close(s)
    let link = rtnl_link_veth_alloc()
    rtnl_link_put(link)
    var q = tc_netem_qopt()
    q.limit = 1
    return "\(LIBNL_STRING) \(q.limit) \(netloom_tc_handle(1, 0))"
}
