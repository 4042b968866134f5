// Batched socket I/O: recvmmsg/sendmmsg with a layout-identical struct mmsghdr
// (Glibc declares both only under _GNU_SOURCE).
#ifndef NETLOOM_SOCKET_H
#define NETLOOM_SOCKET_H

#include <sys/socket.h>
#include <time.h>

struct netloom_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

int netloom_recvmmsg(int fd, struct netloom_mmsghdr *vec, unsigned int vlen, int flags,
                     struct timespec *timeout);
int netloom_sendmmsg(int fd, struct netloom_mmsghdr *vec, unsigned int vlen, int flags);

#endif
