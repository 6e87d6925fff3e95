# verify: the README's table of checks is generated from the catalogue.

.PHONY: verify-docs
verify-docs: build ## Regenerate the README's table of verify checks from 'verify --list -o markdown'
	@$(BINARY) verify --list -o markdown > $(BIN_DIR)/verify-checks.md
	@awk -v table="$(BIN_DIR)/verify-checks.md" ' \
		/<!-- verify-checks:begin -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next } \
		/<!-- verify-checks:end -->/ { skip = 0 } \
		!skip { print }' README.md > $(BIN_DIR)/README.md.new
	@mv $(BIN_DIR)/README.md.new README.md
	@echo "README.md: table of $$(grep -c '^| `' $(BIN_DIR)/verify-checks.md) checks regenerated"

.PHONY: test-verify
test-verify: testbin ## Run verify's unit and envtest suites only
	go test $(GO_TEST_FLAGS) -count=1 ./pkg/check/... ./pkg/cluster/... ./pkg/profile/... ./pkg/report/... ./test/verify/...
