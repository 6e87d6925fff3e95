package main

import (
	"fmt"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// fleetKubeconfig writes dir/kubeconfig: the current context of the
// kubeconfig at from under n names (bench-01, bench-02, ...), each a
// cluster and a user of its own as a fleet's kubeconfig has them, all the
// same local cluster. status reads a fleet through it.
func fleetKubeconfig(from, dir string, n int) (string, error) {
	src, err := clientcmd.LoadFromFile(from)
	if err != nil {
		return "", err
	}
	cur, ok := src.Contexts[src.CurrentContext]
	if !ok {
		return "", fmt.Errorf("%s: no current context", from)
	}
	cluster, user := src.Clusters[cur.Cluster], src.AuthInfos[cur.AuthInfo]
	if cluster == nil || user == nil {
		return "", fmt.Errorf("%s: the current context names no cluster or user", from)
	}
	out := clientcmdapi.NewConfig()
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("bench-%02d", i)
		out.Clusters[name] = cluster.DeepCopy()
		out.AuthInfos[name] = user.DeepCopy()
		out.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
		if i == 1 {
			out.CurrentContext = name
		}
	}
	path := filepath.Join(dir, "kubeconfig")
	return path, clientcmd.WriteToFile(*out, path)
}
