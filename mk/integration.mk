# Editor and build-system integration (issue 8): the CLI features they use, rpcc.mk and cmake/Rpcc.cmake on a sample
# project (make, CMake with Ninja and with Unix Makefiles), and the editor set-ups of editors/ run by Vim, Emacs
# and node on real output. Installs what is missing (Debian packages, mk/deps.mk), then runs tests/integration/run-*.sh.
.PHONY: check-integration integration-deps install-integration
CHECKS += check-integration

integration-deps: | $(call debian,integration)

check-integration: $(BUILD)/rpcc integration-deps
	@status=0; for suite in cli build editors; do tests/integration/run-$$suite.sh $(BUILD)/rpcc || status=1; done; \
	exit $$status

# make install also installs the build rules and the editor files under PREFIX/share/rpcc.
RPCC_SHARE = $(DESTDIR)$(PREFIX)/share/rpcc
install: install-integration
install-integration:
	install -d $(RPCC_SHARE)/cmake $(RPCC_SHARE)/editors/vim/compiler $(RPCC_SHARE)/editors/vim/ftdetect \
	    $(RPCC_SHARE)/editors/vim/ftplugin $(RPCC_SHARE)/editors/emacs $(RPCC_SHARE)/editors/vscode
	install -m 644 rpcc.mk $(RPCC_SHARE)/rpcc.mk
	install -m 644 cmake/Rpcc.cmake $(RPCC_SHARE)/cmake/Rpcc.cmake
	install -m 644 editors/vim/compiler/rpcc.vim $(RPCC_SHARE)/editors/vim/compiler/rpcc.vim
	install -m 644 editors/vim/ftdetect/rpcc.vim $(RPCC_SHARE)/editors/vim/ftdetect/rpcc.vim
	install -m 644 editors/vim/ftplugin/rpc.vim $(RPCC_SHARE)/editors/vim/ftplugin/rpc.vim
	install -m 644 editors/emacs/rpcc.el $(RPCC_SHARE)/editors/emacs/rpcc.el
	install -m 644 editors/vscode/tasks.json $(RPCC_SHARE)/editors/vscode/tasks.json
