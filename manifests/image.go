package manifests

import "strings"

// ImageTag returns the tag of an image reference ("" when it has none),
// without a digest: how the Flux version of a controller is read off its
// image, upstream or mirrored (acr.azurecr.io/live/fluxcd/NAME:TAG).
func ImageTag(image string) string {
	image, _, _ = strings.Cut(image, "@")
	i := strings.LastIndex(image, ":")
	if i < 0 || strings.Contains(image[i:], "/") {
		return ""
	}
	return image[i+1:]
}
