#define _GNU_SOURCE
#include "netloom_socket.h"

#include <stddef.h>

_Static_assert(sizeof(struct netloom_mmsghdr) == sizeof(struct mmsghdr), "mmsghdr layout");
_Static_assert(offsetof(struct netloom_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len),
               "mmsghdr layout");

int netloom_recvmmsg(int fd, struct netloom_mmsghdr *vec, unsigned int vlen, int flags,
                     struct timespec *timeout) {
    return recvmmsg(fd, (struct mmsghdr *)vec, vlen, flags, timeout);
}

int netloom_sendmmsg(int fd, struct netloom_mmsghdr *vec, unsigned int vlen, int flags) {
    return sendmmsg(fd, (struct mmsghdr *)vec, vlen, flags);
}
