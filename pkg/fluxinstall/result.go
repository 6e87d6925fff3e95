package fluxinstall

import "errors"

// Stage is a step of Install, in the order they run.
type Stage int

const (
	// StageValidate covers everything before the first write: connecting,
	// the refusals (a foreign Flux, a too old Kubernetes) and validating
	// every object.
	StageValidate Stage = iota
	// StageApply writes the plan in two stages.
	StageApply
	// StageWait waits for the controllers and the sync objects.
	StageWait
	// StageVerify runs Options.Verify.
	StageVerify
	// StageDone: Install finished what it was asked to do.
	StageDone
)

// String says what Install is doing in the stage, for "interrupted while ...".
func (s Stage) String() string {
	switch s {
	case StageValidate:
		return "validating"
	case StageApply:
		return "applying"
	case StageWait:
		return "waiting for the controllers"
	case StageVerify:
		return "running the Flux checks"
	}
	return "finishing"
}

// ErrUnhealthy is returned when Options.Verify ran and found Flux unhealthy.
var ErrUnhealthy = errors.New("Flux was applied but its checks failed")

// Result is what Install did: the stage it reached (where it stopped when it
// returns an error), whether it wrote anything, the change set and the
// health.
type Result struct {
	Stage Stage
	// Wrote is set once any object was created or configured.
	Wrote bool
	// DryRun is set when Options.PlanOnly stopped Install after validation.
	DryRun bool
	// Healthy is set once the wait (and Options.Verify) ran: false when
	// either failed.
	Healthy *bool

	// plan is the validated change set, with the actions apply took; nil
	// until validation succeeded.
	plan *plan
	// upgrade is the upgrade of an older Flux, nil when none was needed.
	upgrade *upgradePlan
}

// Report is the change set as the -o json|yaml document holds it; its
// Changes are empty until validation succeeded.
func (r Result) Report() Report {
	rep := Report{DryRun: r.DryRun, Healthy: r.Healthy, Changes: []ChangeEntry{}}
	if r.plan != nil {
		rep.Changes = r.plan.entries()
	}
	rep.Upgrade = r.upgrade.report(!r.DryRun && r.Stage > StageApply)
	return rep
}

// Summary counts the actions of the change set, e.g. "3 created, 40
// unchanged"; "none" until validation succeeded.
func (r Result) Summary() string {
	if r.plan == nil {
		return "none"
	}
	return r.plan.summary()
}
