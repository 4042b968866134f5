// TCP_INFO for samplers: the fields NetLoom reports, copied out of the kernel's
// struct tcp_info (glibc's copy of it lags the kernel's).
#ifndef NETLOOM_TCPINFO_H
#define NETLOOM_TCPINFO_H

#include <stdint.h>

struct netloom_tcp_info {
    uint8_t state;
    uint8_t ca_state;
    uint32_t rtt_us;
    uint32_t rttvar_us;
    uint32_t snd_cwnd;
    uint32_t snd_mss;
    uint32_t total_retrans;
    uint32_t lost;
    uint64_t delivery_rate;  // bytes per second
    uint64_t pacing_rate;    // bytes per second
    uint64_t bytes_acked;
    uint64_t bytes_received;
    uint64_t busy_time_us;
    uint64_t rwnd_limited_us;
    uint64_t sndbuf_limited_us;
};

/// getsockopt(TCP_INFO) into `out`; 0 or -1 with errno.
int netloom_tcp_info(int fd, struct netloom_tcp_info *out);

#endif
