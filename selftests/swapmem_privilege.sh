#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# swapmem selftests: what a user without privilege can do to swapmem, which
# is nothing. As uid/gid 65534 with no capabilities, every file under
# /sys/class/swapmem/ is read and written with plausible values, the device
# nodes are opened and the module parameters written; every write and
# open is refused with EACCES, reading hot_add too (reading it creates a
# device), and afterwards the devices and their settings are as they were.
# Needs root, SWAPMEM_KO, setpriv, and swapmem not loaded. Output is TAP.
ko=${SWAPMEM_KO:?SWAPMEM_KO names swapmem.ko}
disk=${SWAPMEM_DISK:-/dev/vda}
disk3=${SWAPMEM_DISK3:-/dev/vdc}
sys=/sys/class/swapmem
params=/sys/module/swapmem/parameters
tmp=/tmp/swapmem_privilege.$$

n=0 fails=0
check() {	# check NAME COMMAND...: one test per call
	name=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok $n $name"; else echo "not ok $n $name"; fails=$((fails + 1)); fi
}

loaded() { grep -q '^swapmem ' /proc/modules; }

nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all --no-new-privs "$@"
}

# Run by nobody: probe MODE VALUES FILE... tries every FILE and prints one
# line for each try that was not refused with EACCES. MODE r: read it; rw:
# open it for reading and writing; w: write each of VALUES (one word per
# value) to it; cat: read it, and print nothing about it.
probe='
mode=$1 values=$2
shift 2
for f in "$@"; do
	case $mode in
	cat)
		cat "$f" >/dev/null 2>&1
		continue ;;
	r)
		out=$(cat "$f" 2>&1 >/dev/null) && { echo "$f: read: succeeded"; continue; } ;;
	rw)
		out=$(: 2>&1 <>"$f") && { echo "$f: opened for reading and writing"; continue; } ;;
	w)
		# The permission check is at open(): refused there, no value
		# can get through; opened, each value is tried and told.
		out=$(: 2>&1 >>"$f") || case $out in
			*"Permission denied"*) continue ;;
			esac
		for v in $values; do
			out=$(printf "%s\n" "$v" 2>&1 >"$f") &&
				{ echo "$f <- $v: written"; continue; }
			echo "$f <- $v: refused but not with EACCES: $out"
		done
		continue ;;
	esac
	case $out in
	*"Permission denied"*) ;;
	*) echo "$f: $mode: refused but not with EACCES: $out" ;;
	esac
done'

# Values a user might write: sizes, policies, paths, device numbers.
values="1 0 2 2M 64K none clock fifo s3fifo strict overcommit $disk3 add"

# refused MODE FILE...: nobody's tries of every FILE were all refused.
refused() {
	mode=$1
	shift
	[ $# -gt 0 ] || { echo "# no file to try"; return 1; }
	nobody sh -c "$probe" probe "$mode" "$values" "$@" >$tmp.out 2>&1
	[ -s $tmp.out ] || return 0
	sed 's/^/# /' $tmp.out
	return 1
}

# The regular files of each device's directory, or of its subdirectory $1.
files() {
	for d in $sys/swapmem*; do
		for f in "$d/${1:+$1/}"*; do
			[ -f "$f" ] && [ ! -L "$f" ] && echo "$f"
		done
	done
}

# What nobody must not change: the devices, their settings and gauges,
# the device nodes and the module parameters.
snapshot() {
	ls $sys
	for d in $sys/swapmem*; do
		for f in pool_size backing_dev policy accounting pin_limit readahead fault_around \
			writeback_reserve nr_spaces stats/frames_used stats/slots_used \
			stats/slots_total; do
			echo "$d/$f: $(cat "$d/$f" 2>&1)"
		done
	done
	ls -ln /dev/swapmem*
	grep -r . $params
}

echo "TAP version 13"
echo "1..14"
if [ "$(id -u)" != 0 ] || [ ! -e "$ko" ] || loaded; then
	echo "Bail out! needs root, $ko, and swapmem not loaded"
	exit 1
fi
if ! command -v setpriv >/dev/null; then
	echo "Bail out! needs setpriv (util-linux)"
	exit 1
fi

unprivileged() {
	st=$(nobody sh -c 'id -u; id -g; id -G; grep -E "^Cap(Prm|Eff|Bnd|Amb):" /proc/self/status')
	echo "$st" | tr '\t' ' ' | tr -s ' ' >$tmp.id
	printf '%s\n' 65534 65534 65534 "CapPrm: 0000000000000000" \
		"CapEff: 0000000000000000" "CapBnd: 0000000000000000" \
		"CapAmb: 0000000000000000" | diff $tmp.id - >/dev/null || {
		sed 's/^/# as nobody: /' $tmp.id
		return 1
	}
}
check "setpriv runs commands as uid/gid 65534 without capabilities" unprivileged

load() {
	insmod "$ko" pool_size=1M nr_devices=2 backing_dev="$disk" &&
		[ -c /dev/swapmem0 ] && [ -c /dev/swapmem1 ] &&
		[ "$(cat $sys/swapmem0/backing_dev)" = "$disk" ]
}
check "load with two devices, swapmem0 backed by $disk" load
snapshot >$tmp.before

check "nobody cannot read hot_add" refused r $sys/hot_add
check "nobody cannot write hot_add or hot_remove" refused w $sys/hot_add $sys/hot_remove
check "nobody cannot write any file of swapmemN/" refused w $(files)
check "nobody cannot write any file of swapmemN/stats/" refused w $(files stats)
check "nobody cannot write any file of swapmemN/latency/" refused w $(files latency)
check "nobody cannot write any file of swapmemN/power/" refused w $(files power)
nodes() {
	refused r /dev/swapmem* && refused w /dev/swapmem* && refused rw /dev/swapmem*
}
check "nobody cannot open /dev/swapmemN to read, write, or both" nodes
check "nobody cannot write any module parameter" refused w $(ls -d $params/*)

# nobody reads everything else; then nothing may have changed
nobody sh -c "$probe" probe cat "" $sys/hot_remove $(files) $(files stats) \
	$(files latency) $(files power) $params/* >/dev/null 2>&1
unchanged() {
	snapshot >$tmp.after
	diff $tmp.before $tmp.after >$tmp.diff && return 0
	echo "# changed by nobody's tries (< before, > after):"
	sed 's/^/# /' $tmp.diff
	return 1
}
check "devices, settings, gauges, nodes and parameters are unchanged" unchanged

root_hot_add() {
	[ "$(cat $sys/hot_add)" = 2 ] && [ -d $sys/swapmem2 ] && [ -c /dev/swapmem2 ] ||
		{ echo "# hot_add as root: $(ls $sys | tr '\n' ' ')"; return 1; }
}
check "root reads hot_add: swapmem2 is created" root_hot_add
root_hot_remove() {
	echo 2 >$sys/hot_remove && [ ! -e $sys/swapmem2 ] && [ ! -e /dev/swapmem2 ]
}
check "root writes 2 to hot_remove: swapmem2 is gone" root_hot_remove
unload() {
	rmmod swapmem && ! loaded && [ ! -e /dev/swapmem0 ] && [ ! -e $sys ]
}
check "unload leaves nothing" unload
rm -f $tmp.*
[ $fails = 0 ]
