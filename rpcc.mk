# rpcc.mk: Make rules for rpcc. Copy it into your project (or use the installed
# $(PREFIX)/share/rpcc/rpcc.mk) and include it after setting what you need:
#
#   RPCC         := rpcc                 # the compiler (default: rpcc on PATH)
#   RPCC_SOURCES := api/tasks.rpc        # main .rpc files; their imports are found by rpcc
#   RPCC_OUTDIR  := opensdk              # default: rpcc-out
#   RPCC_FLAGS   := --lang python,go     # any other options: --lang, -I DIR, --package-name...
#   RPCC_LICENSE := MIT                  # optional: --license, the SPDX licence of the generated packages
#   RPCC_GO_MODULE    := example.com/me/api   # optional: --go-module, the Go module path
#   RPCC_GO_WEBSOCKET := nhooyr          # optional: --go-websocket, coder (GitHub, default) or nhooyr (nhooyr.io)
#   include rpcc.mk
#
# Each source SRC.rpc writes its SDKs under $(RPCC_OUTDIR)/SRC/ (api/tasks.rpc: opensdk/api/tasks/python, ...) and
# touches the stamp $(RPCC_OUTDIR)/SRC.stamp when done; depend on the stamps (listed in $(RPCC_STAMPS)) to use the
# generated files. rpcc writes a depfile, $(RPCC_OUTDIR)/SRC.d, naming every imported file and rpcc itself, with
# an empty rule for each (-MP): an edited import regenerates, a deleted one reruns rpcc, which reports it.
#
# Why a stamp: rpcc rewrites only the files whose content changed, so that what is built from them is not rebuilt
# for nothing. Make has no "restat": outputs left untouched would stay older than the edited import, and every
# later make would run rpcc again. The stamp records "rpcc ran on these inputs"; the outputs keep their mtimes.
#
# Targets: rpcc-generate (every stamp), rpcc-clean (the outputs, stamps and depfiles).
# RPCC_OUTDIR and RPCC_SOURCES must be set before the include (they name the rule's targets); RPCC and RPCC_FLAGS
# are read when the recipe runs, and so are RPCC_LICENSE, RPCC_GO_MODULE and RPCC_GO_WEBSOCKET.

# Including this file does not change your default goal.
rpcc_default_goal := $(.DEFAULT_GOAL)

RPCC        ?= rpcc
RPCC_OUTDIR ?= rpcc-out
RPCC_FLAGS  ?=
# The options most projects set, each a variable of its own (a licence such as 'Apache-2.0 OR MIT' has spaces).
rpcc_options = $(if $(RPCC_LICENSE),--license '$(RPCC_LICENSE)') $(if $(RPCC_GO_MODULE),--go-module '$(RPCC_GO_MODULE)') \
               $(if $(RPCC_GO_WEBSOCKET),--go-websocket='$(RPCC_GO_WEBSOCKET)')

RPCC_STAMPS   := $(patsubst %.rpc,$(RPCC_OUTDIR)/%.stamp,$(RPCC_SOURCES))
RPCC_DEPFILES := $(RPCC_STAMPS:.stamp=.d)

$(RPCC_OUTDIR)/%.stamp: %.rpc
	@mkdir -p '$(@D)'
	$(RPCC) $(RPCC_FLAGS) $(rpcc_options) '$<' -o '$(RPCC_OUTDIR)/$*' -MD -MF '$(RPCC_OUTDIR)/$*.d' -MT '$@' -MP
	@touch '$@'

.PHONY: rpcc-generate rpcc-clean
rpcc-generate: $(RPCC_STAMPS)
rpcc-clean:
	rm -rf $(foreach s,$(RPCC_SOURCES:.rpc=),'$(RPCC_OUTDIR)/$(s)') $(RPCC_STAMPS) $(RPCC_DEPFILES)

-include $(RPCC_DEPFILES)

.DEFAULT_GOAL := $(rpcc_default_goal)
