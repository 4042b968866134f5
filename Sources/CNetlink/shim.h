// libnl-3 and libnl-route-3: link, address and route messages, and htb classes.
// Qdiscs libnl 3.7 cannot express (64-bit tbf, netem's 64-bit and Gilbert-Elliott
// attributes) are built with libmnl instead; see NetLoomKernel/Qdisc.
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/class.h>
#include <netlink/route/tc.h>
#include <netlink/route/qdisc/htb.h>
#include <netlink/version.h>
