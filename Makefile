# SPDX-License-Identifier: GPL-2.0
# The non-Kbuild half of swapmem's build. Kbuild (beside this file) lists
# what goes into swapmem.ko.
#
#   make                  swapmem.ko for the running kernel, or KDIR=
#   make matrix           swapmem.ko for every lab kernel, W=1, warnings fail
#   make deps             install the lab (Debian 12, as root)
#   make userspace        userspace/swapmemctl (and a 32-bit build)
#   make check            every test, on every lab kernel
#   make bench            the performance lab on 6.12 (QUICK=1: small sizes;
#                         BENCH_LANE=LANE: another kernel)
#   make demo             load swapmem in a 6.12 guest and show it
#   make install          install swapmem.ko for the running kernel
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
LANES ?=
TOP := $(CURDIR)
KSFT_DIR = $(shell SWAPMEM_TOP=$(TOP) sh -c '. scripts/lab-env; lab_ksrc')/tools/testing/selftests

all: module

module:
	$(MAKE) -C $(KDIR) M=$(TOP) modules

matrix:
	@set -e; for lane in $(or $(LANES),6.1 6.12 7.3 debug); do \
		if [ $$lane = debug ] && [ ! -e ../shared/debug-kernel/vmlinuz ]; then \
			echo "matrix: no debug kernel, skipped"; continue; fi; \
		scripts/build-lane $$lane; done

selftests:
	mkdir -p build/selftests
	$(MAKE) -C selftests KSFT_DIR=$(KSFT_DIR) OUTPUT=$(TOP)/build/selftests

userspace:
	$(MAKE) -C userspace OUTPUT=$(TOP)/build/userspace

deps:
	sh scripts/deps

BENCH_LANE ?= 6.12
bench:
	scripts/bench --lane $(BENCH_LANE) $(if $(QUICK),--quick)

check:
	scripts/check $(LANES)

# A first look: build for 6.12 and run scripts/demo in a 6.12 guest.
DEMO_LANE ?= 6.12
demo:
	scripts/build-lane $(DEMO_LANE)
	scripts/vm-run --kernel $(DEMO_LANE) -- scripts/demo

install:
	$(MAKE) -C $(KDIR) M=$(TOP) modules_install
	depmod -a

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) clean 2>/dev/null || true
	rm -rf build

.PHONY: all module matrix selftests userspace deps check bench demo install clean
