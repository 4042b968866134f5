// C glue for NetLoom: Linux UAPI definitions, static-inline wrappers for C macros,
// and declarations Glibc hides from Swift (setns, unshare, recvmmsg, sendmmsg need
// _GNU_SOURCE, which Swift's Glibc module is built without).
#ifndef NETLOOM_SHIMS_H
#define NETLOOM_SHIMS_H

#include "netloom_uapi.h"
#include "netloom_process.h"
#include "netloom_socket.h"
#include "netloom_tcpinfo.h"
#include "netloom_engine.h"
#include "netloom_procfs.h"

#endif
