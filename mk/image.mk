# The in-cluster verifier's container image (hack/image), built without a
# container engine from the same static binary as the release archives.

IMAGE_DIR ?= $(DIST_DIR)/image

.PHONY: image
image: ## OCI image layout of the linux/amd64 binary in IMAGE_DIR (dist/image), non-root; prints its digest, the same for the same commit
	go run ./hack/image -version "$(VERSION)" -revision "$(COMMIT)" -created "$(BUILD_DATE)" -ldflags "$(LDFLAGS)" -source "$(REPO_URL)" -out "$(IMAGE_DIR)"
