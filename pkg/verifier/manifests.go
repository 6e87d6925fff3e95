package verifier

import (
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/openreports"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
)

// The names the folder gives its objects.
const (
	Folder         = "aksbaseline-system"
	Namespace      = "aksbaseline-system"
	ServiceAccount = "aksbaseline-verifier"
	// ImageRepository is the image's path under the registry's live/
	// repository, where the reference imports every image it runs.
	ImageRepository = "live/aksbaseline/kubectl-aksbaseline"
)

// Sizing from 'make bench': verify peaks near 95 MiB of RSS at 5,000
// nodes and 50,000 pods (its heap is held under 56 MiB), so 256 MiB leaves
// room; a request of 128 MiB and a tenth of a core reserve what an hourly
// run of a few seconds needs.
var (
	memoryRequest = resource.MustParse("128Mi")
	memoryLimit   = resource.MustParse("256Mi")
	cpuRequest    = resource.MustParse("100m")
	cpuLimit      = resource.MustParse("1")
)

// Options shape the folder.
type Options struct {
	// Every is how often the verifier runs: whole hours, 1 to 24.
	Every time.Duration
	// Tag is the image tag: this tool's version.
	Tag string
	// APIServerCIDR is where the verifier may connect on 443: the address
	// range of the private API server's endpoint.
	APIServerCIDR string
}

// DefaultAPIServerCIDR is the reference's spoke network, where a private
// cluster's API server endpoint lives.
const DefaultAPIServerCIDR = "10.240.0.0/16"

// Image is the verifier's image, its registry the reference's ACR
// placeholder that configure fills in.
func (o Options) Image() string {
	return placeholder.ACRName + ".azurecr.io/" + ImageRepository + ":" + o.Tag
}

// Schedule is the CronJob's schedule for o.Every.
func (o Options) Schedule() (string, error) {
	h := o.Every / time.Hour
	if o.Every%time.Hour != 0 || h < 1 || h > 24 {
		return "", fmt.Errorf("the verifier runs every 1 to 24 whole hours, not every %s", o.Every)
	}
	if h == 1 {
		return "0 * * * *", nil
	}
	return fmt.Sprintf("0 */%d * * *", h), nil
}

var labels = map[string]string{"app.kubernetes.io/name": "aksbaseline-verifier", "app.kubernetes.io/part-of": "aksbaseline", "pci-scope": "out-of-scope"}

func meta(name, ns string) metav1.ObjectMeta {
	l := map[string]string{}
	for k, v := range labels {
		l[k] = v
	}
	return metav1.ObjectMeta{Name: name, Namespace: ns, Labels: l}
}

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

func namespace() *corev1.Namespace {
	ns := &corev1.Namespace{TypeMeta: typeMeta("v1", "Namespace"), ObjectMeta: meta(Namespace, "")}
	// Pod Security's restricted profile holds the namespace to what the CronJob already is.
	ns.Labels["pod-security.kubernetes.io/enforce"] = "restricted"
	return ns
}

func serviceAccount() *corev1.ServiceAccount {
	// Only the verifier's pod mounts a token, by asking for it.
	return &corev1.ServiceAccount{TypeMeta: typeMeta("v1", "ServiceAccount"), ObjectMeta: meta(ServiceAccount, Namespace), AutomountServiceAccountToken: ptr.To(false)}
}

// rbac returns the read-only ClusterRole, the writer's ClusterRole, the
// Roles for single named objects, and their bindings.
func rbac(reads Reads) []any {
	subject := []rbacv1.Subject{{Kind: "ServiceAccount", Name: ServiceAccount, Namespace: Namespace}}
	var out []any
	bindCluster := func(name string, rules []rbacv1.PolicyRule) {
		out = append(out, &rbacv1.ClusterRole{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "ClusterRole"), ObjectMeta: meta(name, ""), Rules: rules},
			&rbacv1.ClusterRoleBinding{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"), ObjectMeta: meta(name, ""),
				RoleRef: rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: name}, Subjects: subject})
	}
	bindCluster("aksbaseline-verifier-read", reads.Cluster)
	bindCluster("aksbaseline-verifier-report", []rbacv1.PolicyRule{openreports.WriterRule(report.OpenReportsName)})
	for _, ns := range sortedKeys(reads.Namespaced) {
		name := "aksbaseline-verifier-read"
		out = append(out, &rbacv1.Role{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "Role"), ObjectMeta: meta(name, ns), Rules: reads.Namespaced[ns]},
			&rbacv1.RoleBinding{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "RoleBinding"), ObjectMeta: meta(name, ns),
				RoleRef: rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: name}, Subjects: subject})
	}
	return out
}

func cronJob(o Options, schedule string) *batchv1.CronJob {
	pod := corev1.PodSpec{
		ServiceAccountName:           ServiceAccount,
		AutomountServiceAccountToken: ptr.To(true),
		RestartPolicy:                corev1.RestartPolicyNever,
		// The reference runs its own tooling on the out-of-scope pool.
		NodeSelector: map[string]string{"pci-scope": "out-of-scope", "kubernetes.io/os": "linux"},
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To[int64](65532), RunAsGroup: ptr.To[int64](65532),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Containers: []corev1.Container{{
			Name:  "verify",
			Image: o.Image(),
			Args:  []string{"verify", "--report-to-cluster", "--report-interval=" + o.Every.String()},
			Env:   []corev1.EnvVar{{Name: "NO_COLOR", Value: "1"}, {Name: "HOME", Value: "/tmp"}},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: cpuRequest, corev1.ResourceMemory: memoryRequest},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: cpuLimit, corev1.ResourceMemory: memoryLimit},
			},
			SecurityContext: &corev1.SecurityContext{
				AllowPrivilegeEscalation: ptr.To(false), Privileged: ptr.To(false), ReadOnlyRootFilesystem: ptr.To(true),
				RunAsNonRoot: ptr.To(true), Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
			VolumeMounts: []corev1.VolumeMount{{Name: "tmp", MountPath: "/tmp"}},
		}},
		Volumes: []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory, SizeLimit: ptr.To(resource.MustParse("16Mi"))}}}},
	}
	podMeta := meta("", "")
	return &batchv1.CronJob{
		TypeMeta: typeMeta("batch/v1", "CronJob"), ObjectMeta: meta(ServiceAccount, Namespace),
		Spec: batchv1.CronJobSpec{
			Schedule: schedule, ConcurrencyPolicy: batchv1.ForbidConcurrent,
			StartingDeadlineSeconds:    ptr.To[int64](600),
			SuccessfulJobsHistoryLimit: ptr.To[int32](1), FailedJobsHistoryLimit: ptr.To[int32](3),
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
				// Findings (exit 1) are the report's news, not a reason to run again;
				// a run that could not check (exit 2) is retried twice.
				BackoffLimit: ptr.To[int32](2), ActiveDeadlineSeconds: ptr.To[int64](900), TTLSecondsAfterFinished: ptr.To[int32](86400),
				PodFailurePolicy: &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
					Action: batchv1.PodFailurePolicyActionFailJob, OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{1}},
				}}},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: podMeta.Labels}, Spec: pod},
			}},
		},
	}
}

// networkPolicy lets the verifier's pods reach the API server and DNS, and
// nothing reach them.
func networkPolicy(o Options) *networkingv1.NetworkPolicy {
	udp, tcp := corev1.ProtocolUDP, corev1.ProtocolTCP
	dns, https := intstr.FromInt32(53), intstr.FromInt32(443)
	return &networkingv1.NetworkPolicy{
		TypeMeta: typeMeta("networking.k8s.io/v1", "NetworkPolicy"), ObjectMeta: meta("aksbaseline-verifier", Namespace),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Egress: []networkingv1.NetworkPolicyEgressRule{
				{To: []networkingv1.NetworkPolicyPeer{{
					NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "kube-system"}},
					PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-dns"}},
				}}, Ports: []networkingv1.NetworkPolicyPort{{Protocol: &udp, Port: &dns}, {Protocol: &tcp, Port: &dns}}},
				{To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: o.APIServerCIDR}}},
					Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &https}}},
			},
		},
	}
}

// resourceQuota and limitRange hold the namespace to one run at a time,
// as the reference's namespaces are held to theirs.
func resourceQuota() *corev1.ResourceQuota {
	q := func(s string) resource.Quantity { return resource.MustParse(s) }
	return &corev1.ResourceQuota{TypeMeta: typeMeta("v1", "ResourceQuota"), ObjectMeta: meta("default", Namespace),
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{
			"requests.cpu": q("200m"), "requests.memory": q("256Mi"), "limits.cpu": q("2"), "limits.memory": q("512Mi"),
			"pods": q("2"), "count/cronjobs.batch": q("1"), "count/jobs.batch": q("5"), "count/deployments.apps": q("0"),
			"services": q("0"), "services.loadbalancers": q("0"), "services.nodeports": q("0"), "persistentvolumeclaims": q("0"),
		}}}
}

func limitRange() *corev1.LimitRange {
	return &corev1.LimitRange{TypeMeta: typeMeta("v1", "LimitRange"), ObjectMeta: meta("default", Namespace),
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
			Type:           corev1.LimitTypeContainer,
			Max:            corev1.ResourceList{corev1.ResourceCPU: cpuLimit, corev1.ResourceMemory: memoryLimit},
			Default:        corev1.ResourceList{corev1.ResourceCPU: cpuLimit, corev1.ResourceMemory: memoryLimit},
			DefaultRequest: corev1.ResourceList{corev1.ResourceCPU: cpuRequest, corev1.ResourceMemory: memoryRequest},
		}}}}
}
