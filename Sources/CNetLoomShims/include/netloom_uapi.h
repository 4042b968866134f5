// The Linux UAPI headers NetLoom encodes and decodes, in one place so Swift sees
// each kernel struct from exactly one module.
#ifndef NETLOOM_UAPI_H
#define NETLOOM_UAPI_H

#include <stdint.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/pkt_sched.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/gen_stats.h>
#include <linux/veth.h>
#include <linux/net_namespace.h>
#include <linux/virtio_net.h>
#include <linux/genetlink.h>
#include <linux/ethtool_netlink.h>

/// TC_H_MAKE(major, minor) from <linux/pkt_sched.h>.
static inline uint32_t netloom_tc_handle(uint32_t major, uint32_t minor) {
    return TC_H_MAKE(major << 16, minor);
}
static inline uint32_t netloom_tc_root(void) { return TC_H_ROOT; }

#endif
