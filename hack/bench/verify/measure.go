package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

type sample struct {
	wall time.Duration
	rss  int64 // KiB
	code int
	load float64 // the one-minute load average after the run
}

// runner runs each command through the small measure program (see
// measure/main.go for why it is its own program), in env.
type runner struct {
	measurer string
	env      []string
}

// buildHelpers builds the measure and floor programs into dir.
func buildHelpers(dir string) (measurer, floor string, err error) {
	measurer, floor = filepath.Join(dir, "measure"), filepath.Join(dir, "floor")
	for out, pkg := range map[string]string{measurer: "measure", floor: "floor"} {
		cmd := exec.Command("go", "build", "-o", out, "github.com/aksbaseline/kubectl-aksbaseline/hack/bench/verify/"+pkg)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return "", "", fmt.Errorf("building hack/bench/verify/%s: %w", pkg, err)
		}
	}
	return measurer, floor, nil
}

// measure runs argv once. An exit code above maxCode is an error.
func (r *runner) measure(argv []string, maxCode int) (sample, error) {
	cmd := exec.Command(r.measurer, argv...)
	cmd.Env = r.env
	out, err := cmd.Output()
	if err != nil {
		return sample{}, fmt.Errorf("%w: %s", err, out)
	}
	var s sample
	var ns int64
	if _, err := fmt.Sscan(string(out), &ns, &s.rss, &s.code); err != nil {
		return sample{}, fmt.Errorf("reading the measurement %q: %w", out, err)
	}
	s.wall = time.Duration(ns)
	s.load = loadAverage()
	if s.code > maxCode {
		return sample{}, fmt.Errorf("exit %d", s.code)
	}
	return s, nil
}

// loadAverage is the machine's one-minute load average, printed beside the
// figures: the machine may be shared, and a loaded one times everything
// slower. -1 when it cannot be read.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

func median(ss []sample) time.Duration {
	return middle(ss, func(s sample) time.Duration { return s.wall })
}

func medianLoad(ss []sample) float64 { return middle(ss, func(s sample) float64 { return s.load }) }

// middle is the median of one figure of the samples: the mean of the two
// middle values when there is an even number of them.
func middle[T ~int64 | ~float64](ss []sample, of func(sample) T) T {
	v := make([]T, len(ss))
	for i, s := range ss {
		v[i] = of(s)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func minmax(ss []sample) (time.Duration, time.Duration) {
	mn, mx := ss[0].wall, ss[0].wall
	for _, s := range ss {
		mn = min(mn, s.wall)
		mx = max(mx, s.wall)
	}
	return mn, mx
}

func maxRSS(ss []sample) int64 {
	var m int64
	for _, s := range ss {
		m = max(m, s.rss)
	}
	return m
}
