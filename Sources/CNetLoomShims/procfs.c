#define _GNU_SOURCE
#include "netloom_procfs.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The new mount API's constants, for C libraries whose headers predate it. */
#ifndef SYS_fsopen
#define SYS_fsopen 430
#define SYS_fsconfig 431
#define SYS_fsmount 432
#endif
#define NETLOOM_FSOPEN_CLOEXEC 0x1
#define NETLOOM_FSCONFIG_CMD_CREATE 6
#define NETLOOM_FSMOUNT_CLOEXEC 0x1

int netloom_private_procsys(void) {
    int context = (int)syscall(SYS_fsopen, "proc", NETLOOM_FSOPEN_CLOEXEC);
    if (context < 0) return -1;
    int mount = -1;
    if (syscall(SYS_fsconfig, context, NETLOOM_FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0) {
        mount = (int)syscall(SYS_fsmount, context, NETLOOM_FSMOUNT_CLOEXEC, 0);
    }
    close(context);
    if (mount < 0) return -1;
    /* The detached mount lives as long as a descriptor inside it. */
    int sys = openat(mount, "sys", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    close(mount);
    return sys;
}
