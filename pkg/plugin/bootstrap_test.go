package plugin

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/fluxinstall"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
)

// TestBootstrapFailureExitCodes maps where Install stopped to the exit-code
// contract: 2 when nothing was written, 1 once something was or Flux is
// not healthy, 130 (left to main) when interrupted.
func TestBootstrapFailureExitCodes(t *testing.T) {
	unreachable := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	timeout := &fluxinstall.TimeoutError{What: "controllers", Pending: []string{"Deployment/flux-system/source-controller InProgress"}}
	for _, tc := range []struct {
		name        string
		r           fluxinstall.Result
		err, ctxErr error
		code        int
		silent      bool
		msg, stderr string
	}{
		{name: "rejected by validation", r: fluxinstall.Result{Stage: fluxinstall.StageValidate}, err: &fluxinstall.RejectedError{},
			code: exitcode.CouldNotCheck, msg: "nothing was applied"},
		{name: "refused: foreign Flux or old Kubernetes", r: fluxinstall.Result{Stage: fluxinstall.StageValidate}, err: &fluxinstall.RefusedError{},
			code: exitcode.CouldNotCheck},
		{name: "API server unreachable before any write", r: fluxinstall.Result{Stage: fluxinstall.StageValidate}, err: unreachable,
			code: exitcode.CouldNotCheck, msg: "cannot reach the Kubernetes API server at https://aks.example:443: connection refused"},
		{name: "apply failed before writing", r: fluxinstall.Result{Stage: fluxinstall.StageApply}, err: &fluxinstall.ApplyError{},
			code: exitcode.CouldNotCheck, msg: "applying"},
		{name: "CRDs of an earlier run never established, nothing written now", r: fluxinstall.Result{Stage: fluxinstall.StageApply},
			err:  &fluxinstall.TimeoutError{What: "CRDs to be established", Pending: []string{"kustomizations.kustomize.toolkit.fluxcd.io InProgress"}},
			code: exitcode.Failed, msg: "run bootstrap again to converge"},
		{name: "apply failed half-way", r: fluxinstall.Result{Stage: fluxinstall.StageApply, Wrote: true}, err: &fluxinstall.ApplyError{},
			code: exitcode.Failed, msg: "some objects were applied; run bootstrap again to converge"},
		{name: "lost the API server half-way", r: fluxinstall.Result{Stage: fluxinstall.StageApply, Wrote: true}, err: unreachable,
			code: exitcode.Failed, msg: "cannot reach the Kubernetes API server at https://aks.example:443: connection refused\ncheck the server address"},
		{name: "lost the API server half-way, still exit 1", r: fluxinstall.Result{Stage: fluxinstall.StageApply, Wrote: true}, err: unreachable,
			code: exitcode.Failed, msg: "'az aks command invoke')\nsome objects were applied; run bootstrap again to converge"},
		{name: "controllers not ready in time", r: fluxinstall.Result{Stage: fluxinstall.StageWait}, err: timeout,
			code: exitcode.Failed, msg: "timed out waiting for controllers: still not ready: Deployment/flux-system/source-controller InProgress\nFlux was applied but is not healthy; inspect with 'kubectl -n flux-system get deploy,pods,gitrepositories,kustomizations' and run bootstrap again (or 'kubectl aksbaseline verify') when it has settled"},
		{name: "Flux checks failed", r: fluxinstall.Result{Stage: fluxinstall.StageVerify, Wrote: true}, err: fluxinstall.ErrUnhealthy,
			code: exitcode.Failed, silent: true, stderr: "✗ Flux was applied but its checks failed\n"},
		{name: "Flux checks could not run", r: fluxinstall.Result{Stage: fluxinstall.StageVerify}, err: errors.New("no check could read the cluster"),
			code: exitcode.Failed, silent: true, stderr: "✗ Flux checks could not run: no check could read the cluster\n"},
		{name: "interrupted while waiting", r: fluxinstall.Result{Stage: fluxinstall.StageWait, Wrote: true}, err: context.Canceled, ctxErr: context.Canceled,
			code: exitcode.Interrupted, stderr: "✗ interrupted while waiting for the controllers; some objects were applied; re-run bootstrap to converge\n"},
		{name: "interrupted while validating", r: fluxinstall.Result{Stage: fluxinstall.StageValidate}, err: unreachable, ctxErr: context.Canceled,
			code: exitcode.Interrupted, stderr: "✗ interrupted while validating; nothing was written\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &BootstrapOptions{env: &Env{Name: "kubectl aksbaseline"}}
			var stderr bytes.Buffer
			err := o.failure(progress.New(&stderr), tc.r, tc.err, tc.ctxErr, "https://aks.example:443")
			if got := exitcode.Code(err); got != tc.code {
				t.Errorf("exit code %d, want %d (%v)", got, tc.code, err)
			}
			if exitcode.IsSilent(err) != tc.silent {
				t.Errorf("silent %v, want %v", exitcode.IsSilent(err), tc.silent)
			}
			if tc.msg != "" && (err == nil || !strings.Contains(err.Error(), tc.msg)) {
				t.Errorf("error %q lacks %q", err, tc.msg)
			}
			if stderr.String() != tc.stderr {
				t.Errorf("stderr %q, want %q", stderr.String(), tc.stderr)
			}
		})
	}
}
