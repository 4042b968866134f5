#pragma once

/// A directory descriptor of `sys` in a private instance of procfs (fsopen/fsmount, Linux 5.8+:
/// every instance has its own dentries), or -1 with errno where the kernel cannot make one.
/// /proc/sys keeps one dentry per network namespace for each per-namespace folder, all in
/// one hash chain, so a lookup through the shared /proc costs time proportional to the number
/// of namespaces on the machine; through a fresh instance it does not. Which namespace's
/// values the files show is still decided by the calling thread's network namespace.
int netloom_private_procsys(void);
