.PHONY: bench
bench: testbin build ## Time verify and bootstrap against the kubectl commands they replace, on the local control plane
	@for s in hack/bench/*.sh; do [ -x "$$s" ] && "$$s"; done
