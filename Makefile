# kubectl-aksbaseline. Run 'make help' for the targets.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# One place for the repository and its release downloads; every manifest is derived from it.
REPO_URL ?= https://github.com/aksbaseline/kubectl-aksbaseline
MODULE   := github.com/aksbaseline/kubectl-aksbaseline

VERSION    ?= $(shell git describe --tags --dirty --always 2>/dev/null || echo v0.0.0-dev)
COMMIT     ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BUILD_DATE ?= $(shell date -u -d @$$(git log -1 --format=%ct 2>/dev/null || date +%s) +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS    := -s -w -X $(MODULE)/pkg/version.Version=$(VERSION) -X $(MODULE)/pkg/version.Commit=$(COMMIT) -X $(MODULE)/pkg/version.BuildDate=$(BUILD_DATE)

BIN_DIR := bin
BINARY  := $(BIN_DIR)/kubectl-aksbaseline
PREFIX  ?= $(shell go env GOPATH)/bin

# Kubernetes version of the test control plane (make testbin, tests, demo).
KUBE_VERSION ?=
export KUBE_VERSION
TESTBIN := $(shell KUBE_VERSION=$(KUBE_VERSION) hack/testbin.sh --print-dir)
export TESTBIN
# Where Go's download and build output of testbin, demo and test goes
# (hack/logged.sh), so the screen shows steps and times.
BUILD_LOG := $(shell hack/testbin.sh --print-log)

GO_TEST_FLAGS ?=

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-26s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build bin/kubectl-aksbaseline (and bin/flux-aksbaseline, the Flux plugin name)
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o $(BINARY) ./cmd/kubectl-aksbaseline
	ln -sf kubectl-aksbaseline $(BIN_DIR)/flux-aksbaseline

.PHONY: install
install: build ## Install kubectl-aksbaseline and kubectl's completion helper for it into $(go env GOPATH)/bin, or PREFIX
	install -d "$(PREFIX)"
	install -m 0755 $(BINARY) "$(PREFIX)/kubectl-aksbaseline"
	$(BINARY) completion kubectl-plugin > $(BIN_DIR)/kubectl_complete-aksbaseline
	install -m 0755 $(BIN_DIR)/kubectl_complete-aksbaseline "$(PREFIX)/kubectl_complete-aksbaseline"
	@echo "installed $(PREFIX)/kubectl-aksbaseline and $(PREFIX)/kubectl_complete-aksbaseline: run 'kubectl aksbaseline version --client'"

.PHONY: testbin
testbin: ## Build the test control plane, etcd, kwok and krew from Go modules (cached per user)
	@KUBE_VERSION=$(KUBE_VERSION) hack/testbin.sh

.PHONY: test
test: ## Run unit, envtest and kwok end-to-end tests (builds what they need first)
	@echo "► make test, phase 1 of 3: the test control plane, kwok, krew and the Flux controllers (make testbin)" >&2
	@KUBE_VERSION=$(KUBE_VERSION) hack/testbin.sh
	@echo "► make test, phase 2 of 3: the plugin (make build)" >&2
	@hack/logged.sh "$(BUILD_LOG)" "building $(BINARY)" $(MAKE) --no-print-directory build
	@echo "► make test, phase 3 of 3: unit, envtest and kwok end-to-end tests (go test ./..., up to 60m; Go's downloads go to $(BUILD_LOG))" >&2
	@hack/logged.sh "$(BUILD_LOG)" "downloading the test dependencies" go mod download
	go test $(GO_TEST_FLAGS) -count=1 -timeout 60m ./...

.PHONY: lint
lint: ## gofmt must print nothing; go vet must pass
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...

.PHONY: clean
clean: ## Remove build outputs (not the test-binary cache)
	rm -rf $(BIN_DIR) dist

# Targets that belong to one concern live beside it.
-include mk/*.mk
