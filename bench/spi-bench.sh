#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make bench-spi`: SetSpi0 through libwfpipsec against the
# same reservation made through xfrm netlink (ip xfrm state allocspi with
# min = max, the peer), at growing numbers of existing xfrm states, all in
# one boot.  Background states are AH with digest_null, added in batches
# by `ip -batch` (the cheapest states xfrm accepts); every state counts
# in the SPI uniqueness walk both reservation paths make.
# Prints a table, then the same rows as CSV lines prefixed "csv,".
set -eu
CALLS=${CALLS:-200}
REPS=${REPS:-3}
LEVELS=${LEVELS:-"1000 10000 100000"}
csv=/tmp/bench-spi.csv

modprobe crypto_null
have=0
next_spi=$((0x10000))
fill_to() {
	want=$1
	[ "$have" -ge "$want" ] && return 0
	f=/tmp/fill.batch
	awk -v from="$have" -v to="$want" 'BEGIN { for (i = from; i < to; i++)
		printf "xfrm state add src 10.%d.%d.%d dst 10.255.%d.%d proto ah spi %d auth digest_null \"\"\n",
			int(i / 65536), int(i / 256) % 256, i % 256, int(i / 256) % 256, i % 256, 536870912 + i }' >"$f"
	ip -batch "$f"
	have=$want
}

peer() {	# CALLS ALLOCSPI min = max; prints seconds
	r=$(./setspi peer "$CALLS" "$next_spi")
	next_spi=$((next_spi + CALLS))
	# Background states are AH; every ESP state here is the peer's.
	ip xfrm state flush proto esp
	echo "$r" | awk '{ printf "%.6f", $2 }'
}

ours() {	# CALLS SetSpi0, each on a fresh context; prints seconds
	r=$(./setspi ours "$CALLS" "$next_spi")
	next_spi=$((next_spi + CALLS))
	# Drop our contexts, and with them their larval states.
	rmmod wfp_ipsec && modprobe wfp_ipsec
	echo "$r" | awk '{ printf "%.6f", $2 }'
}

echo "states,rep,peer_s,ours_s,peer_calls_per_s,ours_calls_per_s,ratio" >"$csv"
printf "%8s %5s %12s %12s %8s\n" states rep "peer call/s" "ours call/s" ratio
for n in $LEVELS; do
	fill_to "$n"
	rep=1
	while [ "$rep" -le "$REPS" ]; do
		# Interleave: peer first on odd reps, ours first on even ones.
		if [ $((rep % 2)) = 1 ]; then p=$(peer); o=$(ours); else o=$(ours); p=$(peer); fi
		line=$(echo "$n $rep $p $o $CALLS" | awk '{ pr = $5 / $3; ou = $5 / $4;
			printf "%d,%d,%s,%s,%.1f,%.1f,%.3f", $1, $2, $3, $4, pr, ou, ou / pr }')
		echo "$line" >>"$csv"
		echo "$line" | awk -F, '{ printf "%8d %5d %12s %12s %8s\n", $1, $2, $5, $6, $7 }'
		rep=$((rep + 1))
	done
done
sed 's/^/csv,/' "$csv"
