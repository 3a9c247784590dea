#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make bench` (scripts/vm-run boots the kernel with
# slub_nomerge, so /proc/slabinfo shows the module's caches apart).  Runs
# the phases of ./cycle one after the other in this one boot, each in a
# fresh network namespace of its own (ours and the peer share the rate
# phase's), reloading the module between them so each starts with no
# context, no xfrm state and no policy; ends with the table of every
# figure.  The figures also go out as CSV lines prefixed "csv,"
# (the serial console is the only channel), which the host extracts.
#
#   bench.sh [VAR=value ...]
#
#   CYCLES      cycles per rate run (1000)       REPS      repetitions (11)
#   BATCH       contexts per batch (1000)        MEM_N     contexts (5000)
#   LAT_LEVELS  existing contexts, no SPI (1000,10000,100000,1000000)
#   LAT_CALLS   calls per latency level (5000)
#   SPI_LEVELS  existing contexts with an SPI (1000,10000,100000)
#   SPI_CALLS   calls per level (1000)
#   SA_LEVELS   existing xfrm SAs (1000,10000,50000,100000)
#   SA_CALLS    calls per level (2000; the peer's ALLOCSPI 200)
#   READ_CTXS   contexts the readers phase reads (1000)
#   PHASES      which, in order (mem rate batch readers lat latspi latsa)
set -eu

CYCLES=1000
REPS=11
BATCH=1000
MEM_N=5000
LAT_LEVELS=1000,10000,100000,1000000
LAT_CALLS=5000
# Every context with an SPI holds a larval state.  SetSpi0 used
# xfrm_alloc_spi(), which walks every state per reservation, so filling
# to 100000 took three quarters of an hour; it is O(1) now (spi.rst).
SPI_LEVELS=1000,10000,100000
SPI_CALLS=1000
SA_LEVELS=1000,10000,50000,100000
SA_CALLS=2000
READ_CTXS=1000
PHASES="mem rate batch readers lat latspi latsa"

for a; do
	case $a in
	CYCLES=*|REPS=*|BATCH=*|MEM_N=*|LAT_LEVELS=*|LAT_CALLS=*|SPI_LEVELS=*|\
	SPI_CALLS=*|SA_LEVELS=*|SA_CALLS=*|READ_CTXS=*|PHASES=*)
		eval "${a%%=*}=\${a#*=}" ;;
	*)
		echo "bench.sh: unknown setting: $a" >&2
		exit 2 ;;
	esac
done

out=/tmp/bench.csv
: >"$out"
echo "csv,section,series,x,stat,value,unit"
{
	echo "csv,info,kernel,0,release,$(uname -r),text"
	echo "csv,info,cpus,0,count,$(nproc),cpus"
	echo "csv,info,memory,0,MemTotal,$(awk '/^MemTotal/ { print $2 }' /proc/meminfo),kB"
	echo "csv,info,settings,0,cycles,$CYCLES,cycles"
	echo "csv,info,settings,0,reps,$REPS,reps"
} | tee -a "$out"
echo "kernel $(uname -r), $(nproc) CPUs, $(awk '/^MemTotal/ { print $2 / 1024 }' /proc/meminfo) MiB"

# AH with digest_null, latsa's background SAs.
modprobe crypto_null
# The kernel loop wfp_ipsec is measured against (bench/kmod/), next to
# this script; a module of its own, it stays through the reloads below.
insmod ./wfp_ipsec_bench.ko
# latsa's hold times come from the function_graph tracer.
[ -e /sys/kernel/tracing/trace ] ||
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || :

# Everything a phase left: the module's contexts (and with them their
# states and policies) go with the module, anything else with the flush.
reload() {
	rmmod wfp_ipsec
	ip xfrm state flush
	ip xfrm policy flush
	modprobe wfp_ipsec
}

# Progress on the kernel console too (build/bench/console.log): stdout
# reaches the host in blocks (vm-run's pipeline buffers it), the console
# at once, so it shows where a long run is.
note() {
	echo "<4>bench.sh: $*" >/dev/kmsg
}

phase() {
	t0=$(date +%s)
	note "phase $*"
	echo
	echo "== $* =="
	# dash has no pipefail: the status comes back through a file.
	{ ./cycle "$@"; echo $? >/tmp/phase.rc; } | tee -a "$out"
	echo "($1: $(($(date +%s) - t0)) s)"
	note "phase $1 done: $(cat /tmp/phase.rc)"
	return "$(cat /tmp/phase.rc)"
}

rc=0
for p in $PHASES; do
	case $p in
	mem) phase mem "$MEM_N" || rc=1 ;;
	rate) phase rate "$CYCLES" "$REPS" || rc=1 ;;
	batch) phase batch "$BATCH" "$REPS" || rc=1 ;;
	readers) phase readers "$READ_CTXS" "$REPS" || rc=1 ;;
	lat) phase lat "$LAT_LEVELS" "$LAT_CALLS" || rc=1 ;;
	latspi) phase latspi "$SPI_LEVELS" "$SPI_CALLS" || rc=1 ;;
	latsa) phase latsa "$SA_LEVELS" "$SA_CALLS" || rc=1 ;;
	*) echo "bench.sh: unknown phase $p" >&2; rc=1; continue ;;
	esac
	t0=$(date +%s)
	reload
	echo "(module reload: $(($(date +%s) - t0)) s)"
done

echo
echo "== summary =="
./cycle summary "$out"
exit $rc
