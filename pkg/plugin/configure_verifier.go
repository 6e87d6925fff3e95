package plugin

import (
	"net"

	"github.com/spf13/pflag"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verifier"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/version"
)

// verifierOptions are configure's flags for the in-cluster verifier.
type verifierOptions struct {
	Add           bool
	APIServerCIDR string
}

func (v *verifierOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&v.Add, "add-verifier", false, "Add the in-cluster verifier's folder "+verifier.Folder+"/ to DIR: OpenReports CRDs, least-privilege RBAC, an hourly CronJob running 'verify --report-to-cluster'.")
	f.StringVar(&v.APIServerCIDR, "api-server-cidr", verifier.DefaultAPIServerCIDR, "With --add-verifier: the address range of the private API server endpoint, the only place besides DNS the verifier may connect to.")
}

func (v *verifierOptions) validate(check bool) error {
	if !v.Add {
		return nil
	}
	if check {
		return exitcode.Usage("--check and --add-verifier do not go together: --check never writes")
	}
	if _, _, err := net.ParseCIDR(v.APIServerCIDR); err != nil {
		return exitcode.Usage("--api-server-cidr %q is not a CIDR (e.g. %s)", v.APIServerCIDR, verifier.DefaultAPIServerCIDR)
	}
	return nil
}

// add writes the folder (or, with dryRun, says what it would write).
func (v *verifierOptions) add(pr *progress.Printer, dir string, dryRun bool) error {
	p, _, err := profile.Load("")
	if err != nil {
		return err
	}
	tag := version.Get().Version
	if tag == "" {
		tag = "dev"
	}
	files, err := verifier.Files(verifier.Options{Every: DefaultReportInterval, Tag: tag, APIServerCIDR: v.APIServerCIDR}, p)
	if err != nil {
		return exitcode.WithCode(exitcode.CouldNotCheck, err)
	}
	written, err := verifier.Write(dir, files, dryRun)
	if err != nil {
		return exitcode.WithCode(exitcode.CouldNotCheck, err)
	}
	created := 0
	for _, w := range written {
		if w.Action == "created" {
			created++
		}
	}
	switch {
	case created == 0:
		pr.Okf("%s/%s is current: nothing to add", dir, verifier.Folder)
	case dryRun:
		pr.Waitingf("dry run: %s would be written to %s/%s; nothing written", plural(created, "file", "files"), dir, verifier.Folder)
	default:
		pr.Okf("added the in-cluster verifier: %s in %s/%s (image %s.azurecr.io/%s:%s, hourly)", plural(created, "file", "files"), dir, verifier.Folder, "<acr>", verifier.ImageRepository, tag)
	}
	return nil
}
