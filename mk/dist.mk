# Release archives and the plugin manifests derived from them (hack/dist, hack/genplugins).

DIST_DIR       ?= dist
# os/arch pairs to build; a subset is for local checks only ('make dist' needs all of them).
DIST_PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64
# Where the generated krew and Flux manifests, and the krew-release-bot template, go.
PLUGIN_DIR     ?= krew
KREW_TEMPLATE  ?= .krew.yaml

.PHONY: dist
dist: dist-archives plugin-manifests ## Release archives, checksums, krew/ and .krew.yaml: make dist VERSION=vX.Y.Z

.PHONY: dist-archives
dist-archives: ## Only the archives and checksums into DIST_DIR (DIST_PLATFORMS="linux/amd64" for a subset)
	go run ./hack/dist -version "$(VERSION)" -ldflags "$(LDFLAGS)" -mtime "$(BUILD_DATE)" -out "$(DIST_DIR)" -platforms "$(DIST_PLATFORMS)"

.PHONY: plugin-manifests
plugin-manifests: ## .krew.yaml and krew/{aksbaseline,flux-aksbaseline}.yaml from the archives in DIST_DIR and REPO_URL
	go run ./hack/genplugins -repo-url "$(REPO_URL)" -version "$(VERSION)" -dist "$(DIST_DIR)" -out "$(PLUGIN_DIR)" -krew-template "$(KREW_TEMPLATE)"

# The archives must exist before the manifests are derived, even under make -j.
plugin-manifests: | $(if $(filter dist,$(MAKECMDGOALS)),dist-archives)

.PHONY: plugin-manifests-refresh
plugin-manifests-refresh: ## Re-derive .krew.yaml and krew/ for the release krew/aksbaseline.yaml records (after a template or REPO_URL change; no build)
	go run ./hack/genplugins -refresh -repo-url "$(REPO_URL)" -out "$(PLUGIN_DIR)" -krew-template "$(KREW_TEMPLATE)"
