// libmnl: the netlink socket NetLoom uses, and the message builder for what libnl lacks.
#include <libmnl/libmnl.h>
