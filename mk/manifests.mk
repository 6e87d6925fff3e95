.PHONY: manifests
manifests: ## Regenerate manifests/flux (the embedded Flux install) from the pinned Go modules
	go run ./hack/genmanifests -out manifests/flux
