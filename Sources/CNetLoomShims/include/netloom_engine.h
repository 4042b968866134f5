// C glue for the userspace link engine (NetLoomLinkEngine): AF_PACKET sockets with
// virtio-net headers, epoll with a nanosecond timeout, and frame surgery that is
// cheaper and clearer in C (wire size of GSO frames, software checksums, software
// TCP segmentation, bit corruption).
#ifndef NETLOOM_ENGINE_H
#define NETLOOM_ENGINE_H

#include <stdint.h>
#include <sys/socket.h>

/// Size of the struct virtio_net_hdr that PACKET_VNET_HDR puts before every frame.
#define NETLOOM_VNET_HDR_LEN 10

/// Opens the receiving socket of one wire end: socket(AF_PACKET, SOCK_RAW, ETH_P_ALL)
/// bound to `ifindex`, with PACKET_VNET_HDR, PACKET_IGNORE_OUTGOING, SO_RCVBUFFORCE
/// (falling back to SO_RCVBUF), nonblocking and close-on-exec. Opens in the calling
/// thread's network namespace. Returns the fd, or -errno.
int netloom_engine_open_rx(int ifindex, int rcvbuf);

/// Opens the sending socket of one wire end: socket(AF_PACKET, SOCK_RAW, 0) bound to
/// `ifindex` with protocol 0, so it receives nothing; PACKET_VNET_HDR,
/// PACKET_QDISC_BYPASS (when `qdisc_bypass`), SO_SNDBUFFORCE, nonblocking. Returns
/// the fd, or -errno.
int netloom_engine_open_tx(int ifindex, int sndbuf, int qdisc_bypass);

/// Turns on SO_TIMESTAMPNS (kernel receive timestamps, CLOCK_REALTIME) on a socket.
/// Returns 0 or -errno.
int netloom_engine_enable_rx_timestamps(int fd);

/// The SCM_TIMESTAMPNS receive time of a message in CLOCK_REALTIME nanoseconds, or 0
/// if it carries none.
int64_t netloom_engine_rx_timestamp(const struct msghdr *msg);

/// CLOCK_REALTIME minus CLOCK_MONOTONIC, in nanoseconds, read back to back.
int64_t netloom_engine_realtime_offset(void);

/// Frames the kernel dropped on a receiving socket since the last call
/// (getsockopt PACKET_STATISTICS, which resets the counters). -1 on error.
long netloom_engine_rx_kernel_drops(int fd);

/// Lets a sending socket report software transmit timestamps on its error queue
/// (SO_TIMESTAMPING: SOFTWARE, OPT_TSONLY); which sends get one is chosen per
/// message (netloom_engine_request_tx_timestamp). Returns 0 or -errno.
int netloom_engine_enable_tx_timestamps(int fd);

/// Bytes of control buffer a transmit timestamp request needs.
size_t netloom_engine_tx_timestamp_control_size(void);

/// Asks for a software transmit timestamp of the message's frame (an SO_TIMESTAMPING
/// control message with SOF_TIMESTAMPING_TX_SOFTWARE, written into `control`); a NULL
/// `control` removes the request.
void netloom_engine_request_tx_timestamp(struct msghdr *msg, void *control);

/// Drains a sending socket's error queue: the newest software transmit timestamp in
/// CLOCK_REALTIME nanoseconds, 0 when none was queued, or -errno.
int64_t netloom_engine_tx_timestamp(int fd);

/// epoll_pwait2 with a timeout in nanoseconds (< 0: wait forever, 0: poll). Fills
/// `tokens` (epoll_data.u64) and `events` for up to `max` ready fds. Returns the
/// count or -errno.
int netloom_engine_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int64_t timeout_ns);

/// epoll_create1(EPOLL_CLOEXEC). Returns the fd or -errno.
int netloom_engine_epoll_create(void);

/// eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC). Returns the fd or -errno.
int netloom_engine_eventfd(void);

/// epoll_ctl ADD/MOD/DEL with a u64 token. `op`: 0 add, 1 modify, 2 delete. Returns 0 or -errno.
int netloom_engine_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token);

/// EPOLLIN and EPOLLOUT (macros in <sys/epoll.h>).
uint32_t netloom_engine_epollin(void);
uint32_t netloom_engine_epollout(void);

/// The shape of one frame as the link sees it.
struct netloom_frame_shape {
    /// Bytes on the wire: every segment counts its own headers (Ethernet included).
    uint32_t wire_bytes;
    /// 1 for a plain frame, ceil(payload / gso_size) for a GSO super-frame.
    uint32_t segments;
    /// Ethernet + IP + transport header bytes of a GSO frame (0 when unknown).
    uint32_t header_bytes;
    /// Bytes of one full segment on the wire (header_bytes + gso_size), 0 if not GSO.
    uint32_t segment_wire_bytes;
    /// 1 when netloom_engine_segment can split this frame (TCP over IPv4/IPv6).
    uint8_t segmentable;
    uint8_t gso_type;
};

/// Reads the virtio_net_hdr at `buf` (followed by the frame; `len` counts both) and
/// fills `out`. A GSO frame counts ceil((frame - hdr) / gso_size) segments of
/// hdr + payload bytes each; anything else counts its frame length.
void netloom_engine_frame_shape(const uint8_t *buf, uint32_t len, struct netloom_frame_shape *out);

/// Splits a TCP GSO super-frame (vnet header + frame at `src`, `len` bytes) into
/// plain frames, each written to `dst` as vnet header (flags 0, no GSO) + frame with
/// IP and TCP checksums computed in software, the way the kernel's GSO would. Frame
/// i starts at dst + offsets[i] and is lengths[i] bytes long (header included).
/// Returns the number of frames, or -1 if the frame is not segmentable or does not
/// fit (`cap` bytes, `max_segments` entries).
int netloom_engine_segment(const uint8_t *src, uint32_t len, uint8_t *dst, uint32_t cap,
                           uint32_t *offsets, uint32_t *lengths, uint32_t max_segments);

/// Corrupts one plain frame (vnet header + frame) in place as netem does: flips one
/// random bit (chosen by `random`) after the Ethernet header, in the transport
/// header or payload when the frame has one. A frame whose checksum was left to
/// hardware (VIRTIO_NET_HDR_F_NEEDS_CSUM) gets it computed in software first, and the
/// DATA_VALID/NEEDS_CSUM flags are cleared so the receiver verifies the checksum.
/// Returns 0, or -1 for a GSO frame (segment it first).
int netloom_engine_corrupt(uint8_t *buf, uint32_t len, uint64_t random);

/// Completes a CHECKSUM_PARTIAL frame in software (csum_start/csum_offset of the
/// vnet header) and clears NEEDS_CSUM. Returns 0, or -1 if the offsets are invalid.
int netloom_engine_finish_checksum(uint8_t *buf, uint32_t len);

#endif
