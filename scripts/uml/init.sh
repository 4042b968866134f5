#!/bin/sh
# PID 1 inside user-mode Linux: prepare a minimal system on the host's root (hostfs),
# load the network modules this lane needs, run the command in $WORK/command, record
# its exit code in $WORK/rc, and halt. Never writes outside tmpfs and $WORK.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORK=$(dirname "$0")
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /dev/shm 2>/dev/null
ip link set lo up
M=/usr/lib/uml/modules/$(uname -r)/kernel
for m in lib/crc-ccitt net/ipv6/ipv6 net/llc/llc net/802/stp net/bridge/bridge drivers/net/veth \
         net/sched/sch_netem net/sched/sch_tbf net/sched/sch_htb \
         net/sched/sch_ingress net/sched/cls_u32 net/sched/act_mirred; do
    insmod "$M/$m.ko" || echo "uml: could not load $m"
done
cd "$WORK"
sh "$WORK/command"
echo $? > "$WORK/rc"
sync
halt -f
