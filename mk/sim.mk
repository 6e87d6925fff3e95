# The simulated AKS regulated cluster (internal/dev/sim: kwok, seed, gitserver, flux).

.PHONY: simcluster-crds
simcluster-crds: ## Re-copy the upstream CRDs (Gatekeeper, Secrets Store CSI, AAD Pod Identity, Flux) into internal/dev/sim/seed/fixtures
	internal/dev/sim/seed/gencrds.sh

.PHONY: simcluster-test
simcluster-test: testbin ## Run the simulated-cluster tests (kwok lifecycle, seeding per era, Git server, local Flux loop)
	go test $(GO_TEST_FLAGS) -count=1 -timeout 20m ./internal/dev/sim/...

.PHONY: oldflux
oldflux: ## Regenerate internal/dev/sim/oldflux/flux-system: the reference's Flux v0.8.1 (v1beta1 CRDs from the Go types, controllers pinned out of scope), the upgrade's test fixture
	cd hack/oldflux && go run . -out ../../internal/dev/sim/oldflux/flux-system
