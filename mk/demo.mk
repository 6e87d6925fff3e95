# The demo on a simulated AKS regulated cluster, and the end-to-end suite on
# the same kind of cluster (hack/demo, demo/, test/e2e).

# Era of the reference to simulate: podidentity (the reference's bootstrap
# walkthrough), workloadidentity, extension (Flux as the AKS extension),
# migrated (Workload ID on a cluster that ran AAD Pod Identity before), or
# oldflux (the walkthrough's own Flux v0.8.1, upgraded in place).
ERA ?= podidentity
DEMO_BIN := $(BIN_DIR)/aksbaseline-demo
# Where the demo keeps its cluster, daemon, logs and Git repository.
DEMO_DIR ?=

.PHONY: demo
# It builds only what it runs: its driver, the plugin, and the test binaries
# the driver names (a kwok cluster and the Flux controllers; not krew).
demo: ## Start a simulated AKS regulated cluster and run configure, bootstrap and verify on it (ERA=podidentity|workloadidentity|extension|migrated|oldflux)
	@CGO_ENABLED=0 hack/logged.sh "$(BUILD_LOG)" "building $(DEMO_BIN), the demo's driver" go build -o $(DEMO_BIN) ./hack/demo
	@KUBE_VERSION=$(KUBE_VERSION) hack/testbin.sh --only "$$($(DEMO_BIN) binaries)"
	@hack/logged.sh "$(BUILD_LOG)" "building $(BINARY)" $(MAKE) --no-print-directory build
	@$(DEMO_BIN) up --era "$(ERA)" --tool $(BINARY) $(if $(DEMO_DIR),--dir "$(DEMO_DIR)")

.PHONY: demo-down
demo-down: ## Remove the demo: cluster, Flux controllers, Git server and their files
	@CGO_ENABLED=0 hack/logged.sh -q "$(BUILD_LOG)" "building $(DEMO_BIN), the demo's driver" go build -o $(DEMO_BIN) ./hack/demo
	@$(DEMO_BIN) down $(if $(DEMO_DIR),--dir "$(DEMO_DIR)")

.PHONY: e2e
e2e: testbin ## Run only the end-to-end suite (kwok clusters, the built binary, the real Flux controllers)
	go test $(GO_TEST_FLAGS) -count=1 -timeout 60m ./test/e2e/...
