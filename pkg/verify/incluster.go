package verify

import "k8s.io/client-go/rest"

// ServiceAccountTokenFile is where a pod's service account token is
// mounted: the file rest.InClusterConfig reads.
const ServiceAccountTokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token"

// inCluster says cfg is the pod's own (client-go's in-cluster config),
// which the in-cluster verifier runs with.
func inCluster(cfg *rest.Config) bool {
	return cfg != nil && cfg.BearerTokenFile == ServiceAccountTokenFile
}
