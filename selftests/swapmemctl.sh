#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# swapmem selftests: userspace/swapmemctl against the real module: listing
# in every output mode (JSON through a JSON parser), add, configure, remove,
# stat, info, reset, and the advice ioctls on another process's space.
# Needs root, SWAPMEM_KO, and swapmem not loaded. Output is TAP.
ko=${SWAPMEM_KO:?SWAPMEM_KO names swapmem.ko}
top=$(cd "$(dirname "$0")/.." && pwd)
ctl=$top/build/userspace/swapmemctl
ctl32=$top/build/userspace/swapmemctl32
disk=${SWAPMEM_DISK:-/dev/vda}
disk3=${SWAPMEM_DISK3:-/dev/vdc}
sys=/sys/class/swapmem
out=/tmp/swapmemctl.$$

n=0 fails=0
check() {	# check NAME COMMAND...
	name=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok $n $name"; else echo "not ok $n $name"; fails=$((fails + 1)); fi
}

echo "TAP version 13"
echo "1..16"
insmod "$ko" pool_size=4M backing_dev="$disk" || { echo "Bail out! insmod"; exit 1; }

list_default() {
	$ctl >$out && head -n 1 $out | grep -q '^NAME *POOL *BACKING' &&
		grep -q "^/dev/swapmem0 *4M *$disk *clock *overcommit" $out
}
list_raw_bytes() {
	[ "$($ctl -o NAME,POOL,SLOTS --raw -n -b)" = "/dev/swapmem0 4194304 $(($(blockdev --getsize64 $disk) - 4096))" ]
}
list_json() {
	$ctl -J -b >$out && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["swapmem"][0]
assert d["name"] == "/dev/swapmem0", d
assert d["pool"] == 4194304, d
assert d["policy"] == "clock", d
' $out
}
add_device() {
	[ "$($ctl --add --pool-size 2M --backing-dev "$disk3" --policy fifo)" = /dev/swapmem1 ] &&
		[ "$(cat $sys/swapmem1/pool_size)" = 2097152 ] &&
		[ "$(cat $sys/swapmem1/backing_dev)" = "$disk3" ] &&
		[ "$(cat $sys/swapmem1/policy)" = "clock [fifo] s3fifo" ]
}
configure() {
	$ctl /dev/swapmem1 --policy clock --accounting strict --pin-limit 512K &&
		[ "$(cat $sys/swapmem1/policy)" = "[clock] fifo s3fifo" ] &&
		[ "$(cat $sys/swapmem1/accounting)" = strict ] &&
		[ "$(cat $sys/swapmem1/pin_limit)" = 524288 ]
}
configure_error() {
	$ctl /dev/swapmem1 --backing-dev /dev/null 2>$out
	rc=$?
	[ $rc = 1 ] && grep -q 'swapmem1' $out && grep -qi 'block device' $out &&
		[ "$(cat $sys/swapmem1/backing_dev)" = "$disk3" ]
}
usage_error() {
	$ctl --bogus 2>/dev/null
	[ $? = 1 ] && $ctl -o NOSUCHCOLUMN 2>/dev/null
	[ $? = 1 ]
}
info() {
	$ctl --info /dev/swapmem0 >$out && grep -q '^page_size *4096' $out &&
		grep -q '^pool_frames *1024' $out
}
info32() {
	$ctl32 --info /dev/swapmem0 >$out && grep -q '^pool_frames *1024' $out
}

# a program with a space of its own on swapmem0, 512 pages written
holder() {
	python3 -c '
import mmap, os, sys, time
fd = os.open("/dev/swapmem0", os.O_RDWR)
m = mmap.mmap(fd, 512 * 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
for i in range(512):
    m[i * 4096] = 1 + i % 200
open(sys.argv[1], "w").write(str(fd))
time.sleep(60)
' "$out.fd" &
	hpid=$!
	i=0
	while [ ! -s "$out.fd" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
advise_pageout() {
	[ -s "$out.fd" ] || return 1
	# dirty or clean: background writeback may have written them already
	before=$(($(cat $sys/swapmem0/stats/evictions_dirty) + $(cat $sys/swapmem0/stats/evictions_clean)))
	pages=$($ctl --advise pageout --pid $hpid --fd "$(cat $out.fd)" --length 2M) &&
		echo "# $pages" && [ "${pages% pages}" -gt 0 ] &&
		[ $(($(cat $sys/swapmem0/stats/evictions_dirty) + $(cat $sys/swapmem0/stats/evictions_clean))) -gt "$before" ]
}
advise_prefetch() {
	before=$(cat $sys/swapmem0/stats/swap_reads)
	$ctl --advise prefetch --pid $hpid --fd "$(cat $out.fd)" --length 2M >/dev/null &&
		[ "$(cat $sys/swapmem0/stats/swap_reads)" -gt "$before" ]
}
stat_once() {
	$ctl --stat /dev/swapmem0 >$out && grep -q '^ *major_faults *[0-9]' $out &&
		grep -q 'frames_used' $out
}
stat_live() {
	$ctl --stat /dev/swapmem0 --interval 1 --count 2 >$out &&
		[ "$(grep -c 'minor_faults' $out)" = 2 ]
}
reset() {
	$ctl --reset-stats /dev/swapmem0 && [ "$(cat $sys/swapmem0/stats/swap_reads)" = 0 ]
}
remove_busy() {
	exec 3</dev/swapmem1
	$ctl --remove /dev/swapmem1 2>$out
	rc=$?
	exec 3<&-
	[ $rc = 1 ] && grep -qi 'busy' $out && [ -e $sys/swapmem1 ]
}
remove() {
	$ctl --remove /dev/swapmem1 && [ ! -e $sys/swapmem1 ]
}

check "list: default columns" list_default
check "list: -o, --raw, -n, -b" list_raw_bytes
check "list: -J parses as JSON" list_json
check "--add with settings" add_device
check "configure a device" configure
check "a refused setting names the device and the cause" configure_error
check "usage errors exit 1" usage_error
check "--info" info
check "--info from a 32-bit build (compat_ioctl)" info32
holder
check "--advise pageout on another process's space" advise_pageout
check "--advise prefetch on another process's space" advise_prefetch
check "--stat" stat_once
check "--stat --interval 1 --count 2" stat_live
check "--reset-stats" reset
check "--remove refused while a space is open" remove_busy
check "--remove" remove
kill $hpid 2>/dev/null
wait $hpid 2>/dev/null
rm -f $out $out.fd
rmmod swapmem
[ $fails = 0 ]
