#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# swapmem selftests: loading and unloading the module, and its parameters.
# Needs root and SWAPMEM_KO (path of swapmem.ko); swapmem must not be loaded.
# Output is TAP.
ko=${SWAPMEM_KO:?SWAPMEM_KO names swapmem.ko}
dev=/dev/swapmem0
sys=/sys/class/swapmem/swapmem0

n=0
fails=0
ok() {
	n=$((n + 1))
	echo "ok $n $1"
}
not_ok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n $1"
}
check() {	# check NAME COMMAND...: one test per call
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

loaded() { grep -q '^swapmem ' /proc/modules; }
nothing_left() { ! loaded && [ ! -e $dev ] && [ ! -e /sys/class/swapmem ]; }

# refused WHAT PARAM... : insmod fails with the error WHAT names (as kmod
# words it), one message in the log names the cause, and nothing is left.
refused() {
	what=$1
	shift
	dmesg -C
	out=$(insmod "$ko" "$@" 2>&1) && { rmmod swapmem; echo "# loaded with $*"; return 1; }
	echo "$out" | grep -q "$what" || { echo "# insmod said: $out"; return 1; }
	nothing_left || { echo "# left behind after $*"; return 1; }
	case "$*" in
	pool_size*) dmesg | grep -q "swapmem: pool_size: " ;;
	*) dmesg | grep -q "swapmem: swapmem0: backing_dev" ;;
	esac || { echo "# no message for $*"; dmesg | tail -n 3 | sed 's/^/# /'; return 1; }
}

default_load() {
	insmod "$ko" && [ -c $dev ] && [ -d $sys ] &&
		[ "$(cat $sys/pool_size)" = $((16 << 20)) ] &&
		[ "$(cat $sys/nr_spaces)" = 0 ]
}
unload() { rmmod swapmem && nothing_left; }
sized_load() {
	insmod "$ko" pool_size=4M && [ "$(cat $sys/pool_size)" = $((4 << 20)) ] &&
		[ "$(cat /sys/module/swapmem/parameters/pool_size)" = $((4 << 20)) ]
}
rounded_load() {
	insmod "$ko" pool_size=100001 && [ "$(cat $sys/pool_size)" = 102400 ]
}
busy_while_open() {
	exec 3<$dev
	rmmod swapmem 2>/dev/null
	rc=$?
	busy=0
	loaded && [ "$(cat $sys/nr_spaces)" = 1 ] && busy=1
	exec 3<&-
	[ $rc -ne 0 ] && [ $busy = 1 ] && [ "$(cat $sys/nr_spaces)" = 0 ]
}

echo "TAP version 13"
echo "1..28"
if [ "$(id -u)" != 0 ] || [ ! -e "$ko" ] || loaded; then
	echo "Bail out! needs root, $ko, and swapmem not loaded"
	exit 1
fi
check "load with defaults: device, class and 16M pool" default_load
check "unload leaves nothing" unload
check "load with pool_size=4M" sized_load
check "unload after sized load" unload
check "pool_size is rounded up to pages" rounded_load
check "unload after rounded load" unload
check "pool_size below 64K is refused" refused "Invalid parameters" pool_size=1k
check "pool_size that is not a size is refused" refused "Invalid parameters" pool_size=zz
check "empty pool_size is refused" refused "Invalid parameters" pool_size=
check "pool_size with trailing garbage is refused" refused "Invalid parameters" pool_size=4Mx
check "pool_size over half of RAM is refused" refused "Invalid parameters" pool_size=1024G
check "pool_size that overflows is refused" refused "Invalid parameters" pool_size=99999999999999999999
check "negative pool_size is refused" refused "Invalid parameters" pool_size=-4M
insmod "$ko"
check "rmmod is refused while a space is open" busy_while_open
check "unload after a refused rmmod" unload

disk=${SWAPMEM_DISK:-/dev/vda}
disk2=${SWAPMEM_DISK2:-/dev/vdb}
backed_load() {
	insmod "$ko" backing_dev="$disk" &&
		[ "$(cat $sys/backing_dev)" = "$disk" ] &&
		[ "$(cat $sys/stats/slots_total)" = $(($(blockdev --getsize64 "$disk") / 4096 - 1)) ] &&
		[ "$(cat $sys/stats/slots_used)" = 0 ]
}
held_exclusively() {
	! mkswap "$disk" >/dev/null 2>&1
}
swapped_on() {
	mkswap "$disk2" >/dev/null && swapon "$disk2" || return 1
	refused "Device or resource busy" backing_dev="$disk2"
	rc=$?
	swapoff "$disk2"
	return $rc
}
too_small() {
	modprobe dm-mod 2>/dev/null
	echo "0 32 linear $disk2 0" | dmsetup --noudevsync create swapmem-tiny &&
		dmsetup mknodes swapmem-tiny || return 1
	refused "Invalid parameters" backing_dev=/dev/mapper/swapmem-tiny
	rc=$?
	dmsetup --noudevsync remove swapmem-tiny
	return $rc
}
check "load with backing_dev: device, slots" backed_load
abi=$(cd "$(dirname "$0")/.." && pwd)/Documentation/ABI/testing/sysfs-class-swapmem
abi_matches() {	# every file is documented, every documented file exists
	have=$( (cd $sys && find . -type f ! -name uevent ! -name dev ! -path './power/*' |
		sed 's|^\./|swapmem<N>/|'
		cd /sys/class/swapmem && find . -maxdepth 1 -type f | sed 's|^\./||') | sort)
	documented=$(sed -n 's|^What:[[:space:]]*/sys/class/swapmem/||p' "$abi" | sort)
	[ "$have" = "$documented" ] || {
		echo "# sysfs and $abi differ:"
		echo "$have" >/tmp/sysfs.$$
		echo "$documented" | diff /tmp/sysfs.$$ - | sed 's/^/# /'
		rm -f /tmp/sysfs.$$
		return 1
	}
}
check "every sysfs file is in the ABI document, and only those" abi_matches
check "backing device is held exclusively" held_exclusively
check "unload after backed load" unload
check "backing_dev that does not exist is refused, in words" refused "No such device" backing_dev=/dev/swapmem-nonexistent
check "backing_dev that is not a block device is refused" refused "Block device required" backing_dev=/dev/null
check "backing_dev in use as swap is refused with EBUSY" swapped_on
check "backing_dev too small for 16 slots is refused" too_small
nr_refused() {
	out=$(insmod "$ko" nr_devices="$1" 2>&1) && { rmmod swapmem; return 1; }
	echo "$out" | grep -q "Invalid parameters" && nothing_left
}
three_devices() {
	insmod "$ko" nr_devices=3 && [ -c /dev/swapmem2 ] &&
		[ "$(cat /sys/class/swapmem/swapmem2/backing_dev)" = none ] && unload
}
check "nr_devices=0 is refused" nr_refused 0
check "nr_devices=65 is refused" nr_refused 65
check "nr_devices=3 creates three devices" three_devices

# A device that cannot be created fails the load, and the log names it:
# swapmem0 takes all but 8 MiB of the half of RAM that all pools may
# share, so swapmem1's 16 MiB pool does not fit.
second_device_fails() {
	half=$(($(sed -n 's/MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo) / 2048))
	dmesg -C
	out=$(insmod "$ko" pool_size=$((half - 8))M nr_devices=2 2>&1) &&
		{ rmmod swapmem; echo "# loaded"; return 1; }
	echo "$out" | grep -q "Cannot allocate memory" || { echo "# insmod said: $out"; return 1; }
	dmesg | grep -q "swapmem1: pool_size: the pools of all devices would take" &&
		dmesg | grep -q "not loaded: swapmem1 could not be created" ||
		{ dmesg | tail -n 3 | sed 's/^/# /'; return 1; }
	nothing_left
}
check "a second device that does not fit fails the load, named" second_device_fails

# rmmod racing hot_add: the device a hot_add makes is removed with the
# others, or the hot_add is refused; nothing outlives the module, and it
# loads again.
unload_races_hot_add() {
	for round in 1 2 3 4 5 6; do
		insmod "$ko" pool_size=64K || return 1
		for r in 1 2; do
			(while cat /sys/class/swapmem/hot_add >/dev/null 2>&1 ||
			       [ -e /sys/class/swapmem ]; do :; done) &
		done
		sleep 0.0$round
		until rmmod swapmem 2>/dev/null; do sleep 0.01; done
		wait
		nothing_left || { echo "# round $round: left behind:" \
			"$(ls /dev/swapmem* /sys/class/swapmem 2>&1 | tr '\n' ' ')"; return 1; }
	done
	insmod "$ko" && unload
}
check "rmmod racing hot_add leaves nothing, and loads again" unload_races_hot_add
[ $fails = 0 ]
