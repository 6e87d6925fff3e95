# The simulated AKS regulated cluster (test/kwokcluster, test/simcluster).

.PHONY: simcluster-crds
simcluster-crds: ## Re-copy the upstream CRDs (Gatekeeper, Secrets Store CSI, AAD Pod Identity, Flux) into test/simcluster/fixtures
	test/simcluster/gencrds.sh

.PHONY: simcluster-test
simcluster-test: testbin ## Run the simulated-cluster tests (kwok lifecycle, Seed per era, local Flux loop)
	go test $(GO_TEST_FLAGS) -count=1 -timeout 20m ./test/kwokcluster/... ./test/simcluster/...
