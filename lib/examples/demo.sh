#!/bin/sh
# SPDX-License-Identifier: MIT
#
# `make run`, in the VM: two network namespaces joined by veth.  Side A is
# keyed only through libwfpipsec (keying-demo), side B by hand with
# `ip xfrm`, as an independent peer would be.  Then traffic, encrypted.
set -e
KEY_A=00112233445566778899aabbccddeeff01020304	# protects traffic B -> A
KEY_B=ffeeddccbbaa99887766554433221100a0b0c0d0	# protects traffic A -> B
SPI_A=0x0000a001				# A's inbound SPI, chosen by A
SPI_B=0x0000b002				# B's inbound SPI

section() { printf '\n== %s\n' "$*"; }

section "two namespaces, a (10.1.0.1) and b (10.1.0.2), joined by veth"
ip netns add a
ip netns add b
ip link add va netns a type veth peer name vb netns b
ip -n a addr add 10.1.0.1/24 dev va
ip -n b addr add 10.1.0.2/24 dev vb
for n in a b; do ip -n $n link set lo up; done
ip -n a link set va up
ip -n b link set vb up

section "side a: the Windows calls, through libwfpipsec"
ip netns exec a ./keying-demo 10.1.0.1 10.1.0.2 $SPI_A $SPI_B $KEY_A $KEY_B

section "side b: plain ip xfrm"
ip -n b xfrm state add src 10.1.0.2 dst 10.1.0.1 proto esp spi $SPI_A reqid 1 \
	mode transport aead 'rfc4106(gcm(aes))' 0x$KEY_A 128
ip -n b xfrm state add src 10.1.0.1 dst 10.1.0.2 proto esp spi $SPI_B reqid 1 \
	mode transport aead 'rfc4106(gcm(aes))' 0x$KEY_B 128
ip -n b xfrm policy add src 10.1.0.2/32 dst 10.1.0.1/32 dir out \
	tmpl proto esp reqid 1 mode transport
ip -n b xfrm policy add src 10.1.0.1/32 dst 10.1.0.2/32 dir in \
	tmpl proto esp reqid 1 mode transport
echo "  done"

section "what the kernel holds in a: ip -n a xfrm state; ip -n a xfrm policy"
ip -n a xfrm state
ip -n a xfrm policy

section "ping a -> b and b -> a"
ip netns exec a ping -c 3 -i 0.2 -W 2 10.1.0.2
ip netns exec b ping -c 3 -i 0.2 -W 2 10.1.0.1

section "the SAs carried it: ip -n a -s xfrm state (counters)"
ip -n a -s xfrm state | grep -E '^src|proto esp|[0-9]+\(bytes\)'
errors=$(ip netns exec a awk '$2 != 0' /proc/net/xfrm_stat)
echo "  nonzero xfrm error counters in a: ${errors:-none}"
