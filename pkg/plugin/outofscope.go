package plugin

import (
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
)

// outOfScopePin is the node label of the regulated profile's out-of-scope
// pool (pci-scope=out-of-scope), where a regulated cluster's Flux runs:
// bootstrap --out-of-scope pins the controllers to it, reading it from the
// one place verify does (configure --upgrade-flux keeps what the tree pins).
func outOfScopePin() map[string]string {
	p, err := profile.Builtin("regulated")
	if err != nil || p.Segmentation.ScopeLabel == "" {
		panic("the built-in regulated profile has no out-of-scope pool")
	}
	return map[string]string{p.Segmentation.ScopeLabel: p.Segmentation.OutOfScope.Value}
}

func outOfScopeWords() string {
	for k, v := range outOfScopePin() {
		return k + "=" + v
	}
	return ""
}
