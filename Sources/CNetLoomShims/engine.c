#define _GNU_SOURCE
#include "netloom_engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/errqueue.h>
#include <linux/if_packet.h>
#include <linux/net_tstamp.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

_Static_assert(sizeof(struct virtio_net_hdr) == NETLOOM_VNET_HDR_LEN, "virtio_net_hdr size");

// MARK: sockets

static int set_int(int fd, int level, int name, int value) {
    return setsockopt(fd, level, name, &value, sizeof(value));
}

static int bind_ifindex(int fd, int ifindex, unsigned short protocol) {
    struct sockaddr_ll addr;
    memset(&addr, 0, sizeof(addr));
    addr.sll_family = AF_PACKET;
    addr.sll_protocol = htons(protocol);
    addr.sll_ifindex = ifindex;
    return bind(fd, (struct sockaddr *)&addr, sizeof(addr));
}

int netloom_engine_open_rx(int ifindex, int rcvbuf) {
    // Protocol 0 at socket() time: no frame is queued before bind() narrows the
    // socket to one interface.
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int err = 0;
    if (set_int(fd, SOL_PACKET, PACKET_VNET_HDR, 1) != 0) err = errno;
    if (!err && set_int(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1) != 0) err = errno;
    if (!err && set_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf) != 0 &&
        set_int(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf) != 0) err = errno;
    if (!err && bind_ifindex(fd, ifindex, ETH_P_ALL) != 0) err = errno;
    if (err) {
        close(fd);
        return -err;
    }
    return fd;
}

int netloom_engine_open_tx(int ifindex, int sndbuf, int qdisc_bypass) {
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int err = 0;
    if (set_int(fd, SOL_PACKET, PACKET_VNET_HDR, 1) != 0) err = errno;
    if (!err && qdisc_bypass && set_int(fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1) != 0) err = errno;
    if (!err && set_int(fd, SOL_SOCKET, SO_SNDBUFFORCE, sndbuf) != 0 &&
        set_int(fd, SOL_SOCKET, SO_SNDBUF, sndbuf) != 0) err = errno;
    // Bound with protocol 0: the socket sends on this interface and receives nothing.
    if (!err && bind_ifindex(fd, ifindex, 0) != 0) err = errno;
    if (err) {
        close(fd);
        return -err;
    }
    return fd;
}

int netloom_engine_enable_rx_timestamps(int fd) {
    return set_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1) == 0 ? 0 : -errno;
}

int64_t netloom_engine_rx_timestamp(const struct msghdr *msg) {
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
            c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(c), sizeof(ts));
            return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
        }
    }
    return 0;
}

int64_t netloom_engine_realtime_offset(void) {
    struct timespec m1, r, m2;
    clock_gettime(CLOCK_MONOTONIC, &m1);
    clock_gettime(CLOCK_REALTIME, &r);
    clock_gettime(CLOCK_MONOTONIC, &m2);
    int64_t mono = ((int64_t)m1.tv_sec * 1000000000 + m1.tv_nsec + (int64_t)m2.tv_sec * 1000000000 + m2.tv_nsec) / 2;
    return (int64_t)r.tv_sec * 1000000000 + r.tv_nsec - mono;
}

long netloom_engine_rx_kernel_drops(int fd) {
    struct tpacket_stats stats;
    socklen_t len = sizeof(stats);
    if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &stats, &len) != 0) return -1;
    return (long)stats.tp_drops;
}

int netloom_engine_enable_tx_timestamps(int fd) {
    // Reporting only: no SOF_TIMESTAMPING_TX_* here, or every send would queue a stamp.
    return set_int(fd, SOL_SOCKET, SO_TIMESTAMPING, SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_TSONLY) == 0 ? 0 : -errno;
}

size_t netloom_engine_tx_timestamp_control_size(void) { return CMSG_SPACE(sizeof(uint32_t)); }

void netloom_engine_request_tx_timestamp(struct msghdr *msg, void *control) {
    if (!control) {
        msg->msg_control = NULL;
        msg->msg_controllen = 0;
        return;
    }
    memset(control, 0, CMSG_SPACE(sizeof(uint32_t)));
    msg->msg_control = control;
    msg->msg_controllen = CMSG_SPACE(sizeof(uint32_t));
    struct cmsghdr *c = CMSG_FIRSTHDR(msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SO_TIMESTAMPING;
    c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
    uint32_t flags = SOF_TIMESTAMPING_TX_SOFTWARE;
    memcpy(CMSG_DATA(c), &flags, sizeof(flags));
}

int64_t netloom_engine_tx_timestamp(int fd) {
    int64_t newest = 0;
    for (int i = 0; i < 16; i++) {
        char control[256];
        struct msghdr msg = {.msg_control = control, .msg_controllen = sizeof(control)};
        if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
            if (errno == EINTR) continue;
            return errno == EAGAIN || errno == EWOULDBLOCK || newest ? newest : -errno;
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING &&
                c->cmsg_len >= CMSG_LEN(sizeof(struct scm_timestamping))) {
                struct scm_timestamping stamps;
                memcpy(&stamps, CMSG_DATA(c), sizeof(stamps));
                int64_t software = (int64_t)stamps.ts[0].tv_sec * 1000000000 + stamps.ts[0].tv_nsec;
                if (software > 0) newest = software;
            }
        }
    }
    return newest;
}

// MARK: epoll

int netloom_engine_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int64_t timeout_ns) {
    struct epoll_event ready[64];
    if (max > 64) max = 64;
    struct timespec ts;
    struct timespec *timeout = NULL;
    if (timeout_ns >= 0) {
        ts.tv_sec = timeout_ns / 1000000000;
        ts.tv_nsec = timeout_ns % 1000000000;
        timeout = &ts;
    }
    int n = epoll_pwait2(epfd, ready, max, timeout, NULL);
    if (n < 0) return -errno;
    for (int i = 0; i < n; i++) {
        tokens[i] = ready[i].data.u64;
        events[i] = ready[i].events;
    }
    return n;
}

int netloom_engine_epoll_create(void) {
    int fd = epoll_create1(EPOLL_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int netloom_engine_eventfd(void) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int netloom_engine_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.events = events;
    ev.data.u64 = token;
    int cop = op == 0 ? EPOLL_CTL_ADD : op == 1 ? EPOLL_CTL_MOD : EPOLL_CTL_DEL;
    if (epoll_ctl(epfd, cop, fd, &ev) != 0) return -errno;
    return 0;
}

uint32_t netloom_engine_epollin(void) { return EPOLLIN; }
uint32_t netloom_engine_epollout(void) { return EPOLLOUT; }

// MARK: frame parsing

static uint16_t rd16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static uint32_t rd32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static void wr32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

struct parsed {
    uint32_t l3;     // offset of the IP header
    uint32_t l4;     // offset of the transport header
    uint8_t ipv6;    // 1 for IPv6, 0 for IPv4
    uint8_t proto;   // IPPROTO_TCP, IPPROTO_UDP, ...
};

// Finds the IP and transport headers of an Ethernet frame (up to two VLAN tags, no
// IPv6 extension headers). Returns 0, or -1 if the frame is not IP.
static int parse_frame(const uint8_t *f, uint32_t len, struct parsed *out) {
    uint32_t off = 12;
    if (len < 14) return -1;
    uint16_t type = rd16(f + off);
    for (int tags = 0; tags < 2 && (type == ETH_P_8021Q || type == ETH_P_8021AD); tags++) {
        off += 4;
        if (off + 2 > len) return -1;
        type = rd16(f + off);
    }
    off += 2;
    out->l3 = off;
    if (type == ETH_P_IP) {
        if (off + 20 > len) return -1;
        uint32_t ihl = (uint32_t)(f[off] & 0x0f) * 4;
        if (ihl < 20 || off + ihl > len) return -1;
        out->ipv6 = 0;
        out->proto = f[off + 9];
        out->l4 = off + ihl;
        return 0;
    }
    if (type == ETH_P_IPV6) {
        if (off + 40 > len) return -1;
        out->ipv6 = 1;
        out->proto = f[off + 6];
        out->l4 = off + 40;
        return 0;
    }
    return -1;
}

static uint32_t transport_header_len(const uint8_t *f, uint32_t len, uint32_t l4, uint8_t proto) {
    if (proto == IPPROTO_TCP) {
        if (l4 + 20 > len) return 0;
        uint32_t thl = (uint32_t)(f[l4 + 12] >> 4) * 4;
        return (thl >= 20 && l4 + thl <= len) ? thl : 0;
    }
    if (proto == IPPROTO_UDP) return l4 + 8 <= len ? 8 : 0;
    return 0;
}

void netloom_engine_frame_shape(const uint8_t *buf, uint32_t len, struct netloom_frame_shape *out) {
    memset(out, 0, sizeof(*out));
    if (len < NETLOOM_VNET_HDR_LEN) return;
    const struct virtio_net_hdr *hdr = (const struct virtio_net_hdr *)buf;
    const uint8_t *f = buf + NETLOOM_VNET_HDR_LEN;
    uint32_t flen = len - NETLOOM_VNET_HDR_LEN;
    uint8_t gso = hdr->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
    out->gso_type = gso;
    out->wire_bytes = flen;
    out->segments = 1;
    if (gso == VIRTIO_NET_HDR_GSO_NONE || hdr->gso_size == 0) return;

    struct parsed p;
    uint32_t hdrb = 0;
    if (parse_frame(f, flen, &p) == 0) {
        uint8_t proto = (gso == VIRTIO_NET_HDR_GSO_TCPV4 || gso == VIRTIO_NET_HDR_GSO_TCPV6)
                            ? IPPROTO_TCP : IPPROTO_UDP;
        uint32_t l4 = (hdr->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ? hdr->csum_start : p.l4;
        uint32_t thl = transport_header_len(f, flen, l4, proto);
        if (thl) hdrb = l4 + thl;
        out->segmentable = thl && proto == IPPROTO_TCP && p.proto == IPPROTO_TCP && l4 == p.l4;
    }
    if (hdrb == 0 || hdrb >= flen) {
        // Unknown headers: trust the (advisory) hdr_len of the vnet header.
        hdrb = hdr->hdr_len < flen ? hdr->hdr_len : 0;
        out->segmentable = 0;
    }
    uint32_t payload = flen - hdrb;
    uint32_t segs = (payload + hdr->gso_size - 1) / hdr->gso_size;
    if (segs == 0) segs = 1;
    out->segments = segs;
    out->header_bytes = hdrb;
    out->segment_wire_bytes = hdrb + hdr->gso_size;
    out->wire_bytes = segs * hdrb + payload;
}

// MARK: checksums

static uint32_t csum_add(const uint8_t *p, uint32_t n, uint32_t sum) {
    uint64_t s = sum;
    while (n >= 2) {
        s += (uint32_t)((p[0] << 8) | p[1]);
        p += 2;
        n -= 2;
    }
    if (n) s += (uint32_t)(p[0] << 8);
    while (s >> 32) s = (s & 0xffffffffu) + (s >> 32);
    return (uint32_t)s;
}

static uint16_t csum_fold(uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

int netloom_engine_finish_checksum(uint8_t *buf, uint32_t len) {
    struct virtio_net_hdr *hdr = (struct virtio_net_hdr *)buf;
    if (!(hdr->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) return 0;
    uint8_t *f = buf + NETLOOM_VNET_HDR_LEN;
    uint32_t flen = len - NETLOOM_VNET_HDR_LEN;
    uint32_t start = hdr->csum_start, at = start + hdr->csum_offset;
    if (start >= flen || at + 2 > flen) return -1;
    // The checksum field holds the folded pseudo-header sum: summing from
    // csum_start to the end includes it, as skb_checksum_help does.
    uint16_t c = csum_fold(csum_add(f + start, flen - start, 0));
    wr16(f + at, c);
    hdr->flags = 0;
    return 0;
}

// MARK: segmentation

int netloom_engine_segment(const uint8_t *src, uint32_t len, uint8_t *dst, uint32_t cap,
                           uint32_t *offsets, uint32_t *lengths, uint32_t max_segments) {
    struct netloom_frame_shape shape;
    netloom_engine_frame_shape(src, len, &shape);
    if (!shape.segmentable) return -1;
    const struct virtio_net_hdr *hdr = (const struct virtio_net_hdr *)src;
    const uint8_t *f = src + NETLOOM_VNET_HDR_LEN;
    uint32_t flen = len - NETLOOM_VNET_HDR_LEN;
    struct parsed p;
    if (parse_frame(f, flen, &p) != 0) return -1;
    uint32_t hdrb = shape.header_bytes, mss = hdr->gso_size;
    uint32_t payload = flen - hdrb, n = shape.segments;
    if (n > max_segments) return -1;
    uint32_t needed = n * (NETLOOM_VNET_HDR_LEN + hdrb + 8) + payload;
    if (needed > cap) return -1;

    uint32_t seq0 = rd32(f + p.l4 + 4);
    uint16_t id0 = p.ipv6 ? 0 : rd16(f + p.l3 + 4);
    uint8_t tcpflags = f[p.l4 + 13];
    uint32_t pos = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t seglen = (i + 1 < n) ? mss : payload - i * mss;
        uint8_t *out = dst + pos;
        memset(out, 0, NETLOOM_VNET_HDR_LEN);
        uint8_t *s = out + NETLOOM_VNET_HDR_LEN;
        memcpy(s, f, hdrb);
        memcpy(s + hdrb, f + hdrb + i * mss, seglen);
        uint32_t l4len = hdrb - p.l4 + seglen;
        if (p.ipv6) {
            wr16(s + p.l3 + 4, (uint16_t)(hdrb - p.l3 - 40 + seglen));
        } else {
            uint32_t ihl = (uint32_t)(s[p.l3] & 0x0f) * 4;
            wr16(s + p.l3 + 2, (uint16_t)(hdrb - p.l3 + seglen));
            wr16(s + p.l3 + 4, (uint16_t)(id0 + i));
            wr16(s + p.l3 + 10, 0);
            wr16(s + p.l3 + 10, csum_fold(csum_add(s + p.l3, ihl, 0)));
        }
        uint8_t *th = s + p.l4;
        wr32(th + 4, seq0 + i * mss);
        uint8_t fl = tcpflags;
        if (i + 1 < n) fl &= (uint8_t)~0x09;  // FIN and PSH only on the last segment
        if (i > 0) fl &= (uint8_t)~0x80;      // CWR only on the first
        th[13] = fl;
        wr16(th + 16, 0);
        uint32_t sum;
        if (p.ipv6) {
            sum = csum_add(s + p.l3 + 8, 32, 0);
        } else {
            sum = csum_add(s + p.l3 + 12, 8, 0);
        }
        sum += IPPROTO_TCP;
        sum += l4len;
        sum = csum_add(th, l4len, sum);
        wr16(th + 16, csum_fold(sum));
        offsets[i] = pos;
        lengths[i] = NETLOOM_VNET_HDR_LEN + hdrb + seglen;
        pos += (lengths[i] + 7) & ~7u;
    }
    return (int)n;
}

// MARK: corruption

int netloom_engine_corrupt(uint8_t *buf, uint32_t len, uint64_t random) {
    struct virtio_net_hdr *hdr = (struct virtio_net_hdr *)buf;
    if ((hdr->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_NONE) return -1;
    if (len <= NETLOOM_VNET_HDR_LEN) return 0;
    if (netloom_engine_finish_checksum(buf, len) != 0) return -1;
    hdr->flags = 0;  // neither NEEDS_CSUM nor DATA_VALID: the receiver verifies.
    uint8_t *f = buf + NETLOOM_VNET_HDR_LEN;
    uint32_t flen = len - NETLOOM_VNET_HDR_LEN;
    uint32_t from = 0;
    struct parsed p;
    if (parse_frame(f, flen, &p) == 0 && p.l4 < flen) from = p.l4;
    else if (flen > 14) from = 14;
    uint32_t span = flen - from;
    uint32_t byte = from + (uint32_t)((random & 0xffffffffu) % span);
    f[byte] ^= (uint8_t)(1u << ((random >> 32) % 8));
    return 0;
}
