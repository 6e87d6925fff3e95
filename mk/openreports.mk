# The OpenReports CRDs the in-cluster verifier installs, copied from the
# pinned github.com/openreports/reports-api module (hack/genopenreports).

.PHONY: openreports-crds
openreports-crds: ## Regenerate pkg/openreports/crds from the pinned OpenReports module
	go run ./hack/genopenreports -out pkg/openreports/crds
