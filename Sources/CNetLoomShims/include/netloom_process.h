// Namespaces and processes: setns/unshare (hidden by Glibc without _GNU_SOURCE),
// and spawning or exec'ing a program inside a network namespace.
#ifndef NETLOOM_PROCESS_H
#define NETLOOM_PROCESS_H

#include <sys/types.h>

/// setns(2). Returns 0 or -1 with errno set.
int netloom_setns(int fd, int nstype);
/// unshare(2). Returns 0 or -1 with errno set.
int netloom_unshare(int flags);
/// The CLONE_NEWNET and CLONE_NEWNS constants (macros in <sched.h> under _GNU_SOURCE).
int netloom_clone_newnet(void);
int netloom_clone_newns(void);
/// gettid(2).
pid_t netloom_gettid(void);
/// prctl(PR_SET_TIMERSLACK, ns): timer slack of the calling thread (prctl is variadic).
int netloom_set_timerslack_ns(unsigned long ns);
/// Names the calling thread (pthread_setname_np needs _GNU_SOURCE).
int netloom_set_thread_name(const char *name);
/// Pins the calling thread to one CPU; -1 clears the pinning to all CPUs.
int netloom_pin_thread(int cpu);

/// Spawns `path` with `argv`/`envp` inside the network namespace `netns_fd`
/// (-1: the caller's), with stdin/stdout/stderr redirected to the given fds
/// (-1: inherited). `new_session` puts the child in its own session (setsid), so
/// it survives its parent and gets no terminal signals. Returns 0 and the pid, or
/// an errno value (also when exec fails in the child).
int netloom_spawn(int netns_fd, const char *path, char *const argv[], char *const envp[],
                  int stdin_fd, int stdout_fd, int stderr_fd, int new_session, pid_t *pid);

/// Replaces the calling process with `file` (searched in PATH) running inside the
/// network namespace `netns_fd`, as `ip netns exec` does: in a private mount
/// namespace with /sys remounted so it shows the namespace's devices. Returns only
/// on failure, with errno set.
int netloom_exec_in_netns(int netns_fd, const char *file, char *const argv[]);

/// An unnamed regular file in `directory` (open(O_TMPFILE | O_WRONLY)): a descriptor,
/// or -1 with errno set (EOPNOTSUPP or EISDIR where the filesystem has no O_TMPFILE).
int netloom_open_tmpfile(const char *directory);
/// linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH): gives the file behind `fd` the name
/// `path`. Returns 0 or -1 with errno set (EEXIST if the name is taken).
int netloom_link_fd(int fd, const char *path);

/// 1 if `path` is on nsfs (a namespace bind mount), 0 if not, -1 with errno on error.
int netloom_is_nsfs(const char *path);

/// The path of the shared library that defines `symbol` (dladdr needs _GNU_SOURCE),
/// or NULL.
const char *netloom_library_of(const void *symbol);

#endif
