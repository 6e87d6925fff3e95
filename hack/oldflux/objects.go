package main

import (
	"strings"
	"text/template"
)

// The rest of the reference's flux-system folder at v0.8.1. Facts from the
// reference (aks-baseline.md §1b): two controllers, their service accounts,
// ClusterRole and ClusterRoleBinding crd-controller, ClusterRoleBinding
// cluster-reconciler to cluster-admin, Service source-controller; every
// object labelled app.kubernetes.io/instance: flux-system; both Deployments
// pinned to the out-of-scope pool in selector, labels and node selector.

const namespace = `---
apiVersion: v1
kind: Namespace
metadata:
  name: flux-system
`

const kustomization = `---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: flux-system
resources:
- namespace.yaml
- gotk-crds.yaml
- gotk-components.yaml
- gotk-sync.yaml
- limit-range.yaml
- resource-quota.yaml
images:
- name: ghcr.io/fluxcd/source-controller
  newName: REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io/live/fluxcd/source-controller
- name: ghcr.io/fluxcd/kustomize-controller
  newName: REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io/live/fluxcd/kustomize-controller
`

const sync = `---
apiVersion: source.toolkit.fluxcd.io/v1beta1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m
  ref:
    branch: main
  url: https://github.com/REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME/aks-baseline-regulated
---
apiVersion: kustomize.toolkit.fluxcd.io/v1beta1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m
  path: ./cluster-manifests
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  validation: client
`

// components is gotk-components.yaml: a ServiceAccount per controller, the
// controllers' ClusterRole and its bindings, the Service, a Deployment per
// controller. What the two controllers share (the pinning to the
// out-of-scope pool, the common arguments, probes and security context) is
// written once, in the templates; controllers holds what differs.
func components() (string, error) {
	var b strings.Builder
	if err := serviceAccounts.Execute(&b, controllers); err != nil {
		return "", err
	}
	b.WriteString(clusterRole)
	if err := clusterRoleBindings.Execute(&b, bindings); err != nil {
		return "", err
	}
	b.WriteString(service)
	if err := deployments.Execute(&b, controllers); err != nil {
		return "", err
	}
	return b.String(), nil
}

// controller is what sets one v0.8.1 controller's Deployment apart.
type controller struct {
	Name string
	// Recreate is the update strategy the reference's manifest gives
	// source-controller alone.
	Recreate    bool
	Args        []string // after the arguments both take
	Ports       []port
	Readiness   probe
	CPURequest  string
	GracePeriod int
	// Volumes are emptyDirs, each mounted at its path.
	Volumes []volume
}

type port struct {
	Number   int
	Name     string
	Protocol string // written only when the reference's manifest names it
}

type probe struct{ Path, Port string }

type volume struct{ Path, Name string }

var controllers = []controller{
	{
		Name:        "kustomize-controller",
		Ports:       []port{{8080, "http-prom", ""}, {9440, "healthz", "TCP"}},
		Readiness:   probe{"/readyz", "healthz"},
		CPURequest:  "100m",
		GracePeriod: 60,
		Volumes:     []volume{{"/tmp", "temp"}},
	},
	{
		Name:        "source-controller",
		Recreate:    true,
		Args:        []string{"--storage-path=/data", "--storage-adv-addr=source-controller.$(RUNTIME_NAMESPACE).svc.cluster.local."},
		Ports:       []port{{9090, "http", ""}, {8080, "http-prom", ""}, {9440, "healthz", ""}},
		Readiness:   probe{"/", "http"},
		CPURequest:  "50m",
		GracePeriod: 10,
		Volumes:     []volume{{"/data", "data"}, {"/tmp", "tmp"}},
	},
}

var serviceAccounts = template.Must(template.New("serviceAccounts").Parse(`{{range .}}---
apiVersion: v1
kind: ServiceAccount
metadata:
  labels:
    app.kubernetes.io/instance: flux-system
  name: {{.Name}}
  namespace: flux-system
{{end}}`))

const clusterRole = `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  labels:
    app.kubernetes.io/instance: flux-system
  name: crd-controller
rules:
- apiGroups: [source.toolkit.fluxcd.io]
  resources: ['*']
  verbs: ['*']
- apiGroups: [kustomize.toolkit.fluxcd.io]
  resources: ['*']
  verbs: ['*']
- apiGroups: ['']
  resources: [namespaces, secrets]
  verbs: [get, list, watch]
- apiGroups: ['']
  resources: [events]
  verbs: [create, patch]
- apiGroups: ['']
  resources: [configmaps, configmaps/status]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, list, watch, create, update, patch, delete]
`

// bindings are the two ClusterRoleBindings: the controllers' own role for
// both, cluster-admin for kustomize-controller, which applies anything.
var bindings = []binding{
	{Name: "crd-controller", Role: "crd-controller", ServiceAccounts: []string{"kustomize-controller", "source-controller"}},
	{Name: "cluster-reconciler", Role: "cluster-admin", ServiceAccounts: []string{"kustomize-controller"}},
}

type binding struct {
	Name, Role      string
	ServiceAccounts []string
}

var clusterRoleBindings = template.Must(template.New("clusterRoleBindings").Parse(`{{range .}}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  labels:
    app.kubernetes.io/instance: flux-system
  name: {{.Name}}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{.Role}}
subjects:
{{- range .ServiceAccounts}}
- kind: ServiceAccount
  name: {{.}}
  namespace: flux-system
{{- end}}
{{end}}`))

const service = `---
apiVersion: v1
kind: Service
metadata:
  labels:
    app.kubernetes.io/instance: flux-system
    control-plane: controller
  name: source-controller
  namespace: flux-system
spec:
  ports:
  - name: http
    port: 80
    protocol: TCP
    targetPort: http
  selector:
    app: source-controller
  type: ClusterIP
`

var deployments = template.Must(template.New("deployments").Parse(`{{range .}}---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app.kubernetes.io/instance: flux-system
    control-plane: controller
    pci-scope: out-of-scope
  name: {{.Name}}
  namespace: flux-system
spec:
  replicas: 1
  selector:
    matchLabels:
      app: {{.Name}}
      pci-scope: out-of-scope
{{- if .Recreate}}
  strategy:
    type: Recreate
{{- end}}
  template:
    metadata:
      annotations:
        prometheus.io/port: "8080"
        prometheus.io/scrape: "true"
      labels:
        app: {{.Name}}
        pci-scope: out-of-scope
    spec:
      containers:
      - args:
        - --watch-all-namespaces=true
        - --log-level=info
        - --log-encoding=json
        - --enable-leader-election
{{- range .Args}}
        - {{.}}
{{- end}}
        env:
        - name: RUNTIME_NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        image: ghcr.io/fluxcd/{{.Name}}:v0.8.1
        imagePullPolicy: IfNotPresent
        livenessProbe:
          httpGet:
            path: /healthz
            port: healthz
        name: manager
        ports:
{{- range .Ports}}
        - containerPort: {{.Number}}
          name: {{.Name}}
{{- if .Protocol}}
          protocol: {{.Protocol}}
{{- end}}
{{- end}}
        readinessProbe:
          httpGet:
            path: {{.Readiness.Path}}
            port: {{.Readiness.Port}}
        resources:
          limits:
            cpu: 1000m
            memory: 1Gi
          requests:
            cpu: {{.CPURequest}}
            memory: 64Mi
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
        volumeMounts:
{{- range .Volumes}}
        - mountPath: {{.Path}}
          name: {{.Name}}
{{- end}}
      nodeSelector:
        kubernetes.io/arch: amd64
        kubernetes.io/os: linux
        pci-scope: out-of-scope
      securityContext:
        fsGroup: 1337
      serviceAccountName: {{.Name}}
      terminationGracePeriodSeconds: {{.GracePeriod}}
      volumes:
{{- range .Volumes}}
      - emptyDir: {}
        name: {{.Name}}
{{- end}}
{{end}}`))
