#define _GNU_SOURCE
#include "netloom_process.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <linux/close_range.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/wait.h>

int netloom_setns(int fd, int nstype) { return setns(fd, nstype); }
int netloom_unshare(int flags) { return unshare(flags); }
int netloom_clone_newnet(void) { return CLONE_NEWNET; }
int netloom_clone_newns(void) { return CLONE_NEWNS; }
pid_t netloom_gettid(void) { return (pid_t)syscall(SYS_gettid); }

int netloom_set_timerslack_ns(unsigned long ns) { return prctl(PR_SET_TIMERSLACK, ns, 0, 0, 0); }

int netloom_set_thread_name(const char *name) { return pthread_setname_np(pthread_self(), name); }

int netloom_pin_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (cpu < 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        for (long i = 0; i < n && i < CPU_SETSIZE; i++) CPU_SET(i, &set);
    } else {
        CPU_SET(cpu, &set);
    }
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

// The child runs between fork and exec in a copy of a multi-threaded process, so
// it only makes async-signal-safe system calls. An exec failure is reported to
// the parent through a close-on-exec pipe.
int netloom_spawn(int netns_fd, const char *path, char *const argv[], char *const envp[],
                  int stdin_fd, int stdout_fd, int stderr_fd, int new_session, pid_t *pid) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return errno;

    pid_t child = fork();
    if (child < 0) {
        int e = errno;
        close(report[0]);
        close(report[1]);
        return e;
    }
    if (child == 0) {
        int e = 0;
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
        if (new_session && setsid() < 0) e = errno;
        if (!e && netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) != 0) e = errno;
        if (!e && stdin_fd >= 0 && dup2(stdin_fd, 0) < 0) e = errno;
        if (!e && stdout_fd >= 0 && dup2(stdout_fd, 1) < 0) e = errno;
        if (!e && stderr_fd >= 0 && dup2(stderr_fd, 2) < 0) e = errno;
        // Nothing else the parent had open leaks into the program (a daemon that kept a
        // caller's pipe open would hang whoever reads that pipe to its end).
        if (!e) syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
        if (!e) {
            execve(path, argv, envp);
            e = errno;
        }
        ssize_t ignored = write(report[1], &e, sizeof(e));
        (void)ignored;
        _exit(127);
    }
    close(report[1]);
    int childErrno = 0;
    ssize_t n;
    do {
        n = read(report[0], &childErrno, sizeof(childErrno));
    } while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == sizeof(childErrno)) {
        waitpid(child, NULL, 0);
        return childErrno;
    }
    *pid = child;
    return 0;
}

int netloom_exec_in_netns(int netns_fd, const char *file, char *const argv[]) {
    if (setns(netns_fd, CLONE_NEWNET) != 0) return -1;
    // Like `ip netns exec`: a private mount namespace whose /sys shows this
    // namespace's devices. Best effort: the program still runs in the right
    // network namespace if the remount is refused.
    if (unshare(CLONE_NEWNS) == 0) {
        mount("", "/", "none", MS_SLAVE | MS_REC, NULL);
        if (umount2("/sys", MNT_DETACH) == 0) mount("sysfs", "/sys", "sysfs", 0, NULL);
    }
    execvp(file, argv);
    return -1;
}

const char *netloom_library_of(const void *symbol) {
    Dl_info info;
    if (dladdr(symbol, &info) == 0) return NULL;
    return info.dli_fname;
}

int netloom_open_tmpfile(const char *directory) {
    return open(directory, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0);
}

int netloom_link_fd(int fd, const char *path) {
    return linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH);
}

int netloom_is_nsfs(const char *path) {
    struct statfs info;
    if (statfs(path, &info) != 0) return -1;
    return info.f_type == 0x6e736673; /* NSFS_MAGIC */
}
