# SPDX-License-Identifier: GPL-2.0
#
# iofair top-level Makefile.  The module is built with the kernel's Kbuild
# (see Kbuild); everything else is plain make.
#
#   make                    module for KVER (default: the running kernel) + CLI
#   make KVER=6.12.x-amd64  module against another installed kernel's headers
#   make KDIR=/path/to/tree module against a kernel build tree
#   make deps               install build/test dependencies (Debian packages)
#   make check              unit tests + kselftests in the VM on both kernels
#   make demo               boot the VM and show iofair at work
#   make gen                regenerate code from the netlink YAML spec
#   make install | uninstall | dkms-install | clean | sparse | style

ifneq ($(KDIR),)
KVER	?= $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
else
KVER	?= $(shell uname -r)
KDIR	:= /lib/modules/$(KVER)/build
endif

TOP	:= $(CURDIR)
BUILD	:= $(TOP)/build
MODOUT	:= $(BUILD)/$(KVER)
KSRC	:= $(BUILD)/ksrc
PYTHON	:= /usr/bin/python3
PREFIX	?= /usr/local
DESTDIR	?=

MOD_SRCS := Kbuild $(wildcard kmod/*.c kmod/*.h) include/uapi/linux/iofair.h

.PHONY: all module ctl selftests deps gen gen-check check unit demo \
	install uninstall dkms-install dkms-uninstall clean sparse style vm-check bench

all: module ctl

# Kbuild writes objects beside the sources, so each kernel gets a tree of
# links to the sources under build/KVER and is built there.
module: $(MODOUT)/iofair.ko

$(MODOUT)/iofair.ko: $(MOD_SRCS)
	@test -d $(KDIR) || { echo "No kernel build tree at $(KDIR)."; \
		echo "Install the headers for $(KVER) or pick installed ones with KVER= (have: $$(ls /lib/modules | tr '\n' ' '))."; exit 1; }
	@mkdir -p $(MODOUT)/kmod $(MODOUT)/include/uapi/linux
	@ln -sf $(TOP)/Kbuild $(MODOUT)/Kbuild
	@for f in $(wildcard kmod/*.c kmod/*.h) include/uapi/linux/iofair.h; do \
		ln -sf $(TOP)/$$f $(MODOUT)/$$f; done
	$(MAKE) -C $(KDIR) M=$(MODOUT) W=1 modules

ctl:
	$(MAKE) -C ctl

selftests: ctl
	$(MAKE) -C selftests

deps:
	@bash selftests/vm/deps.sh

# Code generated from the YAML spec with the kernel's own ynl-gen.  The
# generator wants a kernel-like tree (MAINTAINERS, the schemas) around the
# spec: build/gen is one.
GEN_TREE := $(BUILD)/gen
YNL_GEN  := $(KSRC)/tools/net/ynl/ynl-gen-c.py
SPEC     := Documentation/netlink/specs/iofair.yaml
GENERATED := include/uapi/linux/iofair.h kmod/iofair-nl-gen.h kmod/iofair-nl-gen.c

define gen_into
	rm -rf $(1) && mkdir -p $(1)/Documentation/netlink/specs $(1)/include/uapi/linux $(1)/kmod
	touch $(1)/MAINTAINERS
	cp $(KSRC)/Documentation/netlink/*.yaml $(1)/Documentation/netlink/
	cp $(SPEC) $(1)/$(SPEC)
	cd $(1) && $(PYTHON) $(YNL_GEN) --mode uapi --header --spec $(1)/$(SPEC) -o include/uapi/linux/iofair.h
	cd $(1) && $(PYTHON) $(YNL_GEN) --mode kernel --header --spec $(1)/$(SPEC) -o kmod/iofair-nl-gen.h
	cd $(1) && $(PYTHON) $(YNL_GEN) --mode kernel --source --spec $(1)/$(SPEC) -o kmod/iofair-nl-gen.c
endef

gen: deps
	$(call gen_into,$(GEN_TREE))
	for f in $(GENERATED); do cp $(GEN_TREE)/$$f $$f; done

# Fails when the committed generated files drift from the spec.
gen-check: deps
	@$(call gen_into,$(GEN_TREE)-check) >/dev/null
	@for f in $(GENERATED); do \
		diff -u $$f $(GEN_TREE)-check/$$f || { echo "$$f is out of date with $(SPEC): run 'make gen'"; exit 1; }; \
	done; echo "generated code matches $(SPEC)"

unit: ctl
	$(MAKE) -C ctl test
	$(MAKE) -C selftests/unit test

# Module for both test kernels, CLI, selftests; then unit tests on the host
# and the kselftest suite in the VM on each kernel.
check: deps
	@bash selftests/vm/check

demo: deps
	@bash selftests/vm/demo

# Benchmarks in the VM on both kernels: build/bench/report.md, goal lines.
# BENCH_ARGS="--kernel 6.12 --quick" for a shorter run.
bench: deps
	@bash selftests/bench/run $(BENCH_ARGS)

install: all
	$(MAKE) -C $(KDIR) M=$(MODOUT) INSTALL_MOD_DIR=extra modules_install
	depmod -a $(KVER)
	$(MAKE) -C ctl install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	install -D -m 0644 include/uapi/linux/iofair.h $(DESTDIR)$(PREFIX)/include/linux/iofair.h

uninstall:
	rm -f /lib/modules/$(KVER)/extra/iofair.ko*
	depmod -a $(KVER)
	$(MAKE) -C ctl uninstall DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	rm -f $(DESTDIR)$(PREFIX)/include/linux/iofair.h

DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
dkms-install:
	rm -rf /usr/src/iofair-$(DKMS_VERSION)
	mkdir -p /usr/src/iofair-$(DKMS_VERSION)
	cp -r Kbuild dkms.conf kmod include /usr/src/iofair-$(DKMS_VERSION)/
	dkms add -m iofair -v $(DKMS_VERSION) 2>/dev/null || true
	dkms build -m iofair -v $(DKMS_VERSION) -k $(KVER)
	dkms install -m iofair -v $(DKMS_VERSION) -k $(KVER)

dkms-uninstall:
	dkms remove -m iofair -v $(DKMS_VERSION) --all || true
	rm -rf /usr/src/iofair-$(DKMS_VERSION)

sparse: $(MOD_SRCS)
	$(MAKE) $(MODOUT)/iofair.ko
	$(MAKE) -C $(KDIR) M=$(MODOUT) C=2 modules

style:
	@$(KDIR)/scripts/checkpatch.pl --no-tree --strict --terse --show-types \
		--ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES,LINUX_VERSION_CODE -f \
		$(filter-out kmod/iofair-nl-gen.%,$(wildcard kmod/*.c kmod/*.h))

clean:
	rm -rf build
	$(MAKE) -C ctl clean
