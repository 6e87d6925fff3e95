package kubeerr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
)

func TestExplain(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"empty config", clientcmd.ErrEmptyConfig, "no kubeconfig found"},
		{"missing file", &os.PathError{Op: "stat", Path: "/x/config", Err: syscall.ENOENT}, "kubeconfig not readable: /x/config does not exist"},
		{"unknown context", errors.New(`context "prod" does not exist`), "unknown context: prod"},
		{"refused", fmt.Errorf("Get \"https://h/version\": %w", refused), "cannot reach the Kubernetes API server at https://h: connection refused"},
		{"timeout", fmt.Errorf("Get: %w", context.DeadlineExceeded), "no answer before the timeout"},
		{"dns", &net.DNSError{Err: "no such host", Name: "x.privatelink.eastus2.azmk8s.io"}, "the host name does not resolve"},
		{"401", apierrors.NewUnauthorized("token expired"), "rejected the credentials (401 Unauthorized)"},
		{"403", apierrors.NewForbidden(schema.GroupResource{Resource: "nodes"}, "", errors.New("no")), "refused the request"},
		{"kubelogin", errors.New(`getting credentials: exec: executable kubelogin not found`), `credential plugin "kubelogin", which is not on PATH`},
		{"x509", errors.New("tls: failed to verify certificate: x509: certificate signed by unknown authority"), "TLS with the API server at https://h failed"},
	}
	for _, c := range cases {
		err := Explain(c.err, "https://h")
		if exitcode.Code(err) != exitcode.CouldNotCheck {
			t.Errorf("%s: exit code %d", c.name, exitcode.Code(err))
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %q lacks %q", c.name, err, c.want)
		}
		if n := strings.Count(err.Error(), "\n"); n > 1 {
			t.Errorf("%s: %d lines", c.name, n+1)
		}
	}
	if Explain(nil, "") != nil {
		t.Error("Explain(nil) must be nil")
	}
	// Already explained errors pass through unchanged.
	p := &Problem{What: "w", Hint: "h"}
	if got := Explain(p, ""); !errors.Is(got, p) {
		t.Errorf("re-explained: %v", got)
	}
}
