#include "netloom_tcpinfo.h"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

int netloom_tcp_info(int fd, struct netloom_tcp_info *out) {
    struct tcp_info info;
    socklen_t length = sizeof(info);
    memset(&info, 0, sizeof(info));
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return -1;
    out->state = info.tcpi_state;
    out->ca_state = info.tcpi_ca_state;
    out->rtt_us = info.tcpi_rtt;
    out->rttvar_us = info.tcpi_rttvar;
    out->snd_cwnd = info.tcpi_snd_cwnd;
    out->snd_mss = info.tcpi_snd_mss;
    out->total_retrans = info.tcpi_total_retrans;
    out->lost = info.tcpi_lost;
    out->delivery_rate = info.tcpi_delivery_rate;
    out->pacing_rate = info.tcpi_pacing_rate;
    out->bytes_acked = info.tcpi_bytes_acked;
    out->bytes_received = info.tcpi_bytes_received;
    out->busy_time_us = info.tcpi_busy_time;
    out->rwnd_limited_us = info.tcpi_rwnd_limited;
    out->sndbuf_limited_us = info.tcpi_sndbuf_limited;
    return 0;
}
