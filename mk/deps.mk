# Debian packages: one mechanism for every target. Read by the top-level Makefile before anything that uses it.
#
# tools/debian-deps.sh holds the package sets (build, python, go, node, chromium, redis, bench, integration): each
# package with the probe that says it is present. A target that needs a set names its stamp, $(call debian,SET),
# as an order-only prerequisite; the stamp's rule installs what is missing in that set only (as root,
# noninteractive, one apt-get at a time), so a target pulls in only the packages it needs and a machine that has
# them never runs apt-get.
#
#   make deps    the build set (re2c, lemon, libcmocka-dev): what `make` alone needs

DEBIAN_STAMPS := .cache/deps
debian = $(patsubst %,$(DEBIAN_STAMPS)/%.stamp,$(1))

$(DEBIAN_STAMPS)/%.stamp: tools/debian-deps.sh
	tools/debian-deps.sh $*
	@mkdir -p $(dir $@) && touch $@

.PHONY: deps
deps: $(call debian,build)
