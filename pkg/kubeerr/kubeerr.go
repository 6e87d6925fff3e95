package kubeerr

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"
	"syscall"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
)

// Problem is an explained access error: what went wrong and what to do.
type Problem struct {
	What  string
	Hint  string
	Cause error
}

func (p *Problem) Error() string {
	if p.Hint == "" {
		return p.What
	}
	return p.What + "\n" + p.Hint
}

func (p *Problem) Unwrap() error { return p.Cause }

var execNotFound = regexp.MustCompile(`exec: executable (\S+) not found`)

// ErrNoKubeconfig is returned when no kubeconfig gives a cluster and no
// --server flag does either: client-go would silently fall back to
// localhost:8080 and report a refused connection there.
var ErrNoKubeconfig = clientcmd.ErrEmptyConfig

// Explain classifies err, which came from loading the kubeconfig or talking to
// server, and returns a could-not-check error with a plain explanation. Errors
// it does not recognise keep their text and still exit with CouldNotCheck.
func Explain(err error, server string) error {
	if err == nil {
		return nil
	}
	var p *Problem
	if errors.As(err, &p) {
		return exitcode.WithCode(exitcode.CouldNotCheck, err)
	}
	return exitcode.WithCode(exitcode.CouldNotCheck, classify(err, server))
}

func classify(err error, server string) error {
	at := ""
	if server != "" {
		at = " at " + sanitize.URL(server)
	}
	msg := err.Error()
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case clientcmd.IsEmptyConfig(err):
		return &Problem{
			What:  "no kubeconfig found: neither --kubeconfig, $KUBECONFIG nor ~/.kube/config gives a cluster",
			Hint:  "get one with 'az aks get-credentials -g <resource-group> -n <cluster>', or pass --kubeconfig FILE",
			Cause: err,
		}
	case clientcmd.IsContextNotFound(err) || strings.Contains(msg, "context was not found for specified context") ||
		strings.HasPrefix(msg, `context "`) && strings.Contains(msg, "does not exist"):
		return &Problem{
			What:  "unknown context: " + contextName(msg),
			Hint:  "list the contexts with 'kubectl config get-contexts' and pass one with --context",
			Cause: err,
		}
	case strings.Contains(msg, "cluster has no server defined") || strings.Contains(msg, "no server found for cluster"):
		return &Problem{What: "the kubeconfig's cluster has no server address", Hint: "regenerate it with 'az aks get-credentials', or pass --server", Cause: err}
	case isNotExist(err):
		return &Problem{
			What:  "kubeconfig not readable: " + notExistPath(err, msg),
			Hint:  "check the --kubeconfig flag or $KUBECONFIG, or create one with 'az aks get-credentials'",
			Cause: err,
		}
	case execNotFound.MatchString(msg):
		bin := execNotFound.FindStringSubmatch(msg)[1]
		hint := fmt.Sprintf("install %s and put it on PATH", bin)
		if bin == "kubelogin" {
			hint = "AKS clusters with Entra ID need kubelogin on PATH: install it with 'az aks install-cli' (or from the Azure/kubelogin releases), then retry"
		}
		return &Problem{What: fmt.Sprintf("the kubeconfig's user runs the credential plugin %q, which is not on PATH", bin), Hint: hint, Cause: err}
	case apierrors.IsUnauthorized(err) || strings.Contains(msg, "Unauthorized") || strings.Contains(msg, "token has expired") || strings.Contains(msg, "credentials have expired"):
		return &Problem{
			What:  "the API server" + at + " rejected the credentials (401 Unauthorized): they are missing, wrong or expired",
			Hint:  "refresh them: 'az aks get-credentials' again, or 'kubelogin remove-tokens' then retry for Entra ID clusters",
			Cause: err,
		}
	case apierrors.IsForbidden(err):
		return &Problem{What: "the API server" + at + " refused the request: " + apiMessage(err), Hint: "ask for read access to the resources named, or run with --as for a user who has it", Cause: err}
	case isTLS(err, msg):
		return &Problem{What: "TLS with the API server" + at + " failed: " + lastPart(msg), Hint: "the kubeconfig's certificate-authority does not match the server; regenerate the kubeconfig", Cause: err}
	case isUnreachable(err, msg):
		return &Problem{
			What:  "cannot reach the Kubernetes API server" + at + ": " + reason(err, msg),
			Hint:  "check the server address and your network; an AKS private cluster is reachable only from inside its network (the jump box, Bastion, or 'az aks command invoke')",
			Cause: err,
		}
	}
	return err
}

func contextName(msg string) string {
	if i := strings.Index(msg, `context "`); i >= 0 {
		rest := msg[i+len(`context "`):]
		if j := strings.Index(rest, `"`); j >= 0 {
			return rest[:j]
		}
	}
	return lastPart(msg)
}

func isNotExist(err error) bool {
	var pe *os.PathError
	return errors.Is(err, os.ErrNotExist) || (errors.As(err, &pe) && errors.Is(pe.Err, syscall.ENOENT)) || strings.Contains(err.Error(), "no such file or directory") && !strings.Contains(err.Error(), "dial")
}

func notExistPath(err error, msg string) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Path + " does not exist"
	}
	return lastPart(msg)
}

func isTLS(err error, msg string) bool {
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	return errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) || strings.Contains(msg, "x509:") || strings.Contains(msg, "tls:")
}

func isUnreachable(err error, msg string) bool {
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	if errors.As(err, &oe) || errors.As(err, &de) || errors.As(err, &ne) {
		return true
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	for _, s := range []string{"connection refused", "no such host", "i/o timeout", "deadline exceeded", "Client.Timeout", "connection reset", "EOF", "network is unreachable", "no route to host", "the server is currently unable", "ServiceUnavailable", "TLS handshake timeout"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func reason(err error, msg string) string {
	switch {
	case strings.Contains(msg, "connection refused"):
		return "connection refused"
	case strings.Contains(msg, "no such host"):
		return "the host name does not resolve"
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(msg, "deadline exceeded") || strings.Contains(msg, "i/o timeout") || strings.Contains(msg, "Client.Timeout") || strings.Contains(msg, "TLS handshake timeout"):
		return "no answer before the timeout (--request-timeout)"
	case strings.Contains(msg, "no route to host") || strings.Contains(msg, "network is unreachable"):
		return "no route to the host"
	}
	return lastPart(msg)
}

func apiMessage(err error) string {
	var se apierrors.APIStatus
	if errors.As(err, &se) {
		return se.Status().Message
	}
	return err.Error()
}

// lastPart keeps the innermost cause of a chain of "a: b: c" messages, first line only.
func lastPart(msg string) string {
	msg, _, _ = strings.Cut(msg, "\n")
	if i := strings.LastIndex(msg, ": "); i >= 0 && i+2 < len(msg) {
		return msg[i+2:]
	}
	return msg
}
