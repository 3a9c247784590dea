#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Last program of `make check-debug`: unload wfp_ipsec, let kmemleak scan,
# and fail on every suspected leak that involves our module or xfrm.  The
# module is unloaded first so that everything it legitimately holds is
# freed; an object it leaked then keeps its allocation backtrace, which
# shows either a wfp_ symbol (scanned while loaded) or an address in the
# module area (scanned after unload, when symbols are gone).
# Output is kselftest-shaped so the suite runner counts it.
km=/sys/kernel/debug/kmemleak
echo "TAP version 13"
echo "1..1"
if [ ! -w $km ]; then
	echo "ok 1 kmemleak # SKIP kernel without CONFIG_DEBUG_KMEMLEAK"
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"
	exit 4
fi

# One scan with the module still loaded: a leaked object's backtrace is
# still symbolised then.
echo scan >$km
cat $km >/tmp/kmemleak.loaded
if grep -q '^wfp_ipsec ' /proc/modules && ! rmmod wfp_ipsec; then
	echo "not ok 1 kmemleak # rmmod wfp_ipsec failed"
	echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
	exit 1
fi
# Objects freed by RCU callbacks and workqueues must be gone, and kmemleak
# ignores objects younger than 5 s.
sleep 6
echo scan >$km
sleep 1
echo scan >$km
cat /tmp/kmemleak.loaded $km >/tmp/kmemleak.all

# Split the reports into blocks and keep those that mention us or xfrm.
awk '
	/^unreferenced object/ { if (blk != "") flush(); blk = $0 "\n"; next }
	blk != "" { blk = blk $0 "\n" }
	function flush() {
		if (blk ~ /wfp_|xfrm|esp_|esp4|esp6|0xffffffffc0[0-9a-f]+/ && !(blk in seen)) {
			seen[blk] = 1; printf "%s", blk; n++
		}
		blk = ""
	}
	END { if (blk != "") flush(); exit n > 0 }' /tmp/kmemleak.all >/tmp/kmemleak.ours
rc=$?
total=$(grep -c '^unreferenced object' /tmp/kmemleak.all)
echo "# kmemleak: $total suspects in all, $(grep -c '^unreferenced object' /tmp/kmemleak.ours) ours or xfrm"
if [ $rc = 0 ]; then
	echo "ok 1 kmemleak: no leak from wfp_ipsec or xfrm"
	echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"
	exit 0
fi
sed 's/^/# /' /tmp/kmemleak.ours
echo "not ok 1 kmemleak: leaks from wfp_ipsec or xfrm"
echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
exit 1
