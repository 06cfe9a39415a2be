# Build and install neurolinkd + nlctl as a systemd service, in FHS places.
#
#   make                       release build (scripts/release-build.sh: swift build -c release ...)
#   make install               build, then install under $(DESTDIR)$(PREFIX) (and $(DESTDIR)/etc)
#   make install-files         install without building (packaging, tests: BUILD_BIN=dir)
#   make uninstall             remove what install-files installed (an edited config is kept)
#
# Variables (GNU conventions): PREFIX (default /usr/local; distributions use /usr), DESTDIR
# (staging root for packages), BINDIR, DOCDIR, SYSCONFDIR (/etc: the daemon looks for
# /etc/neurolink/neurolinkd.yaml whatever the prefix), SYSTEMDUNITDIR, SYSUSERSDIR, TMPFILESDIR.
# The installed units are rewritten to run $(BINDIR)/neurolinkd and point at $(DOCDIR).

PREFIX         ?= /usr/local
BINDIR         ?= $(PREFIX)/bin
DATADIR        ?= $(PREFIX)/share
DOCDIR         ?= $(DATADIR)/doc/neurolink
SYSCONFDIR     ?= /etc
CONFDIR        ?= $(SYSCONFDIR)/neurolink
# systemd searches /usr/lib/... and /usr/local/lib/... for units, sysusers.d and tmpfiles.d.
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR    ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR    ?= $(PREFIX)/lib/tmpfiles.d

SWIFT          ?= swift
# The Swift runtime and Foundation linked statically (start-up), every function in its own section
# (idle RSS): the flags are in scripts/release-build.sh, which the other scripts use too.
SWIFT_BUILD    ?= SWIFT=$(SWIFT) scripts/release-build.sh
BUILD_BIN      ?= .build/release
INSTALL        ?= install

PROGRAMS = neurolinkd nlctl
UNITS    = neurolinkd.service neurolinkd.socket neurolinkd-http.socket
DOCS     = README.md docs/configuration.md docs/protocol.md
SAMPLE   = etc/neurolink/neurolinkd.yaml

.PHONY: all build install install-files uninstall

all: build

build:
	$(SWIFT_BUILD) --product neurolinkd
	$(SWIFT_BUILD) --product nlctl

# Recursive so that `make -j install` cannot install before the build has finished.
install: build
	$(MAKE) --no-print-directory install-files

install-files:
	@for p in $(PROGRAMS); do \
		test -x "$(BUILD_BIN)/$$p" || { echo "$(BUILD_BIN)/$$p is missing: run 'make build' (or set BUILD_BIN)" >&2; exit 1; }; \
	done
	$(INSTALL) -d -m 0755 "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(SYSTEMDUNITDIR)" "$(DESTDIR)$(SYSUSERSDIR)" \
		"$(DESTDIR)$(TMPFILESDIR)" "$(DESTDIR)$(DOCDIR)/examples" "$(DESTDIR)$(CONFDIR)"
	for p in $(PROGRAMS); do $(INSTALL) -m 0755 "$(BUILD_BIN)/$$p" "$(DESTDIR)$(BINDIR)/$$p"; done
	for u in $(UNITS); do \
		sed -e 's|/usr/bin/neurolinkd|$(BINDIR)/neurolinkd|g' -e 's|/usr/share/doc/neurolink|$(DOCDIR)|g' \
			"systemd/$$u" > "$(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp" && \
		chmod 0644 "$(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp" && \
		mv -f "$(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp" "$(DESTDIR)$(SYSTEMDUNITDIR)/$$u"; \
	done
	$(INSTALL) -m 0644 systemd/sysusers.d/neurolink.conf "$(DESTDIR)$(SYSUSERSDIR)/neurolink.conf"
	$(INSTALL) -m 0644 systemd/tmpfiles.d/neurolink.conf "$(DESTDIR)$(TMPFILESDIR)/neurolink.conf"
	for d in $(DOCS); do $(INSTALL) -m 0644 "$$d" "$(DESTDIR)$(DOCDIR)/$$(basename $$d)"; done
	$(INSTALL) -m 0644 $(SAMPLE) "$(DESTDIR)$(DOCDIR)/examples/neurolinkd.yaml"
	@# Never overwrite an operator's configuration. 0644: the DynamicUser daemon must be able to
	@# read it, which is also why it must not hold inline keys (the daemon refuses such a file).
	@if [ -e "$(DESTDIR)$(CONFDIR)/neurolinkd.yaml" ]; then \
		echo "keeping existing $(DESTDIR)$(CONFDIR)/neurolinkd.yaml"; \
	else \
		echo "$(INSTALL) -m 0644 $(SAMPLE) $(DESTDIR)$(CONFDIR)/neurolinkd.yaml"; \
		$(INSTALL) -m 0644 $(SAMPLE) "$(DESTDIR)$(CONFDIR)/neurolinkd.yaml"; \
	fi
	@if [ -z "$(DESTDIR)" ]; then \
		echo; \
		echo "Next: systemd-sysusers && systemd-tmpfiles --create && systemctl daemon-reload"; \
		echo "      systemctl enable --now neurolinkd.socket   (README: Install as a service)"; \
	fi

uninstall:
	for p in $(PROGRAMS); do rm -f "$(DESTDIR)$(BINDIR)/$$p"; done
	for u in $(UNITS); do rm -f "$(DESTDIR)$(SYSTEMDUNITDIR)/$$u"; done
	rm -f "$(DESTDIR)$(SYSUSERSDIR)/neurolink.conf" "$(DESTDIR)$(TMPFILESDIR)/neurolink.conf"
	for d in $(DOCS); do rm -f "$(DESTDIR)$(DOCDIR)/$$(basename $$d)"; done
	rm -f "$(DESTDIR)$(DOCDIR)/examples/neurolinkd.yaml"
	-rmdir "$(DESTDIR)$(DOCDIR)/examples" "$(DESTDIR)$(DOCDIR)" 2>/dev/null
	@# The configuration goes only if it is still the untouched sample.
	@if cmp -s $(SAMPLE) "$(DESTDIR)$(CONFDIR)/neurolinkd.yaml"; then \
		echo "rm -f $(DESTDIR)$(CONFDIR)/neurolinkd.yaml"; rm -f "$(DESTDIR)$(CONFDIR)/neurolinkd.yaml"; \
		rmdir "$(DESTDIR)$(CONFDIR)" 2>/dev/null || true; \
	elif [ -e "$(DESTDIR)$(CONFDIR)/neurolinkd.yaml" ]; then \
		echo "keeping modified $(DESTDIR)$(CONFDIR)/neurolinkd.yaml"; \
	fi
