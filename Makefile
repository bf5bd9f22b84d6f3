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
#                           (and on the debug kernel when it is cached)
#   make debug-kernel       build the VM's debug kernel (KASAN, lockdep, ...)
#   make check-debug        make check with the debug kernel, built if needed
#   make stress             the long reliability tests in the VM (hours)
#   make demo               boot the VM and show iofair at work
#   make gen                regenerate code from the netlink YAML spec
#   make deb | deb-check    Debian packages in build/deb (and lintian on them)
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

.PHONY: all module ctl selftests deps gen gen-check check check-debug debug-kernel stress unit demo \
	install uninstall dkms-install dkms-uninstall version-check clean sparse style vm-check bench \
	deb deb-check

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

unit: ctl version-check
	$(MAKE) -C ctl test
	$(MAKE) -C selftests/unit test

# Module for both test kernels, CLI, selftests; then unit tests on the host
# and the kselftest suite in the VM on each kernel.
check: deps
	@bash selftests/vm/check

# The test VM's debug kernel, from linux-source-6.12, cached outside the
# clone (selftests/vm/debug-kernel).
debug-kernel: deps
	@bash selftests/vm/debug-kernel

check-debug: deps
	@IOFAIR_DEBUG_BUILD=1 IOFAIR_DEBUG_TESTS=all bash selftests/vm/check

# The long versions: 200 load and unload cycles, 100 of each device fault,
# 16 clients for 10 minutes, a million fuzzed requests (selftests/vm/stress).
stress: deps
	@bash selftests/vm/stress

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

# One version: the module's (IOFAIR_VERSION in kmod/iofair.h).  dkms.conf
# repeats it because dkms reads it from there; version-check says when the
# two differ (make unit and dkms-install run it).
VERSION      := $(shell sed -n 's/^\#define IOFAIR_VERSION[[:space:]]*"\(.*\)"/\1/p' kmod/iofair.h)
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
CTL_VERSION  := $(shell sed -n 's/^\#define IOFAIRCTL_VERSION[[:space:]]*"\(.*\)"/\1/p' ctl/iofairctl.h)
DEB_VERSION  := $(shell awk 'NR == 1 { gsub(/[()]/, "", $$2); print $$2 }' debian/changelog)
DKMS_SRC     := /usr/src/iofair-$(VERSION)

# $(1): the version another file repeats; $(2): where, as that file says it.
version_agrees = @test "$(VERSION)" = "$(1)" || { echo "$(2), but kmod/iofair.h:" \
	"IOFAIR_VERSION \"$(VERSION)\": make them agree"; exit 1; }

version-check:
	@test -n "$(VERSION)" || { echo "no IOFAIR_VERSION in kmod/iofair.h"; exit 1; }
	$(call version_agrees,$(DKMS_VERSION),dkms.conf: PACKAGE_VERSION=\"$(DKMS_VERSION)\")
	$(call version_agrees,$(CTL_VERSION),ctl/iofairctl.h: IOFAIRCTL_VERSION \"$(CTL_VERSION)\")
	$(call version_agrees,$(DEB_VERSION),debian/changelog: iofair ($(DEB_VERSION)))

# Every version of iofair dkms knows, and its sources, removed.
define dkms_remove_all
	@for v in $$(dkms status -m iofair | sed -n 's|^iofair/\([^,:]*\).*|\1|p' | sort -u); do \
		echo "dkms remove -m iofair -v $$v --all"; \
		dkms remove -m iofair -v $$v --all || exit 1; \
		rm -rf /usr/src/iofair-$$v; \
	done
endef

# Register these sources with dkms (in place of any iofair it had), build
# and install for KVER.  dkms builds again for every kernel installed
# later (AUTOINSTALL) where dkms.conf's BUILD_EXCLUSIVE_* hold.
dkms-install: version-check
	$(dkms_remove_all)
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -r Kbuild dkms.conf kmod include $(DKMS_SRC)/
	dkms add -m iofair -v $(VERSION)
	dkms build -m iofair -v $(VERSION) -k $(KVER)
	dkms install -m iofair -v $(VERSION) -k $(KVER)

dkms-uninstall:
	$(dkms_remove_all)
	rm -rf $(DKMS_SRC)

# Debian packages (debian/): iofair-dkms, iofairctl, iofair-dev, built by
# dpkg-buildpackage in a copy of the tree under build/deb, so that the
# .deb, .changes and .buildinfo files land in build/deb and not beside the
# tree.  The copy leaves out build/ and what .gitignore names.
DEB_OUT := $(BUILD)/deb
DEB_SRC := $(DEB_OUT)/iofair-$(VERSION)

deb: version-check
	@rm -rf $(DEB_OUT) && mkdir -p $(DEB_SRC)
	@tar -C $(TOP) --exclude=./build --exclude-vcs --exclude-vcs-ignores -cf - . | tar -C $(DEB_SRC) -xf -
	@echo "dpkg-buildpackage -us -uc -b in $(DEB_SRC) (log: $(DEB_OUT)/build.log)"
	@cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b >$(DEB_OUT)/build.log 2>&1 || \
		{ tail -n 40 $(DEB_OUT)/build.log; echo "dpkg-buildpackage failed (log: $(DEB_OUT)/build.log)"; exit 1; }
	@rm -rf $(DEB_SRC)
	@ls -1 $(DEB_OUT)/*.deb

# lintian on what make deb built (every tag down to pedantic shown, with
# its explanation): any error or warning not overridden, with its reason,
# in debian/*.lintian-overrides fails.  13-17 s on the 2-core host beside
# one VM (the build 10 s, lintian 4 s), 1.5 min beside several and a
# kernel build.
DEB_CHANGES = $(DEB_OUT)/iofair_$(VERSION)_$(shell dpkg --print-architecture).changes

deb-check: deb
	@echo "lintian $(DEB_CHANGES)"
	@lintian --fail-on error,warning --info --display-level '>=pedantic' $(DEB_CHANGES)
	@echo "lintian: no error or warning"

sparse: $(MOD_SRCS)
	$(MAKE) $(MODOUT)/iofair.ko
	$(MAKE) -C $(KDIR) M=$(MODOUT) C=2 modules

style: deps
	@perl $(KSRC)/scripts/checkpatch.pl --no-tree --strict --terse --show-types \
		--ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES,LINUX_VERSION_CODE -f \
		$(filter-out kmod/iofair-nl-gen.%,$(wildcard kmod/*.c kmod/*.h))

clean:
	rm -rf build
	$(MAKE) -C ctl clean
