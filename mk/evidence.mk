# Evidence for assessors: the browser the HTML report is tested in, the
# fuzzing of the files users write, and the published report schema.

# How long each fuzz target runs under 'make fuzz'.
FUZZTIME ?= 60s
# package:target pairs of the parsers of user-written files (profile,
# waivers, baseline, configure's tree: placeholders, kustomization.yaml,
# gotk-sync.yaml; signing and public keys; an evidence bundle an assessor
# receives) and of what a cluster sends (the list reader, the ClusterReport
# 'status' judges).
FUZZ_TARGETS := ./pkg/profile:FuzzParse ./pkg/waiver:FuzzParse ./pkg/drift:FuzzParse ./pkg/cluster:FuzzListPage \
	./pkg/placeholder:FuzzScan ./pkg/configure:FuzzPrepare ./pkg/configure:FuzzAddPinPatch ./pkg/configure:FuzzMoveSyncObjects \
	./pkg/attest:FuzzLoadKeys ./pkg/attest:FuzzOpen ./pkg/evidence:FuzzCheck ./pkg/status:FuzzJudge

.PHONY: chromium
chromium: ## Install Debian's chromium for the HTML report's browser test, where it is missing (needs root)
	@command -v chromium >/dev/null 2>&1 || { \
		echo "► installing chromium (apt-get) for the HTML report's browser test" >&2; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }

# The browser test fails in CI without chromium: install it first.
test: chromium

.PHONY: fuzz
fuzz: ## Fuzz every parser of user files and of cluster input (FUZZ_TARGETS) for FUZZTIME each (60s)
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "► fuzzing $$fn in $$pkg for $(FUZZTIME)" >&2; \
		go test -run='^$$' -fuzz="^$$fn$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s "$$pkg" || exit 1; \
	done

.PHONY: schema
schema: ## Regenerate pkg/result/schema/verifyreport.schema.json from the report's Go types
	go test ./pkg/result -run '^TestSchemaFile$$' -count=1 -update
