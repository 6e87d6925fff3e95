package release

import utilversion "k8s.io/apimachinery/pkg/util/version"

// compareSemver orders two versions (with or without a leading v) by semver
// precedence; an unparsable one sorts last.
func compareSemver(a, b string) int {
	va, errA := utilversion.ParseSemantic(a)
	vb, errB := utilversion.ParseSemantic(b)
	switch {
	case errA != nil && errB != nil:
		return 0
	case errA != nil:
		return -1
	case errB != nil:
		return 1
	case va.LessThan(vb):
		return -1
	case vb.LessThan(va):
		return 1
	}
	return 0
}
