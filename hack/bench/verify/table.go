package main

import (
	"fmt"
	"strings"
	"time"
)

// row is one command of a case.
type row struct {
	label string
	argv  []string
	// maxCode is the highest exit code a run may have: verify exits 1
	// on envtest, where no Flux controller makes the sync objects Ready;
	// still timed.
	maxCode int
	runs    []sample
}

// benchCase is a set of commands timed in turn on the cluster as it is,
// and the bars they are held to.
type benchCase struct {
	name string
	rows []*row
	bars []bar
}

// bar is one bar of an issue: of's median at most maxRatio times to's
// (to set), of's median under maxTime (set), or of's peak RSS at most
// maxRSSMiB (set).
type bar struct {
	of, to    *row
	maxRatio  float64
	maxTime   time.Duration
	maxRSSMiB float64
	// why names where the bar comes from.
	why string
}

// time runs every row's command runs times, after one warm-up each
// (kubectl fills its discovery cache), alternating so that background load
// hits them alike.
func (c *benchCase) time(rn *runner, runs int) error {
	for round := 0; round <= runs; round++ {
		for _, r := range c.rows {
			s, err := rn.measure(r.argv, r.maxCode)
			if err != nil {
				return fmt.Errorf("%s: %w", strings.Join(r.argv, " "), err)
			}
			if round > 0 {
				r.runs = append(r.runs, s)
			}
		}
	}
	return nil
}

const rowFormat = "%-22s %-40s %4s %9s %9s %9s %11s %4s %5s\n"

func printHeader() {
	fmt.Printf(rowFormat, "case", "command", "runs", "median", "min", "max", "peak RSS", "exit", "load")
}

// print writes the case's rows (the load the median of the one-minute
// load average after each run) and its bars; it says whether every bar holds.
func (c *benchCase) print() bool {
	for _, r := range c.rows {
		mn, mx := minmax(r.runs)
		fmt.Printf(rowFormat, c.name, r.label, fmt.Sprint(len(r.runs)), median(r.runs).Round(time.Millisecond), mn.Round(time.Millisecond),
			mx.Round(time.Millisecond), fmt.Sprintf("%.1f MiB", float64(maxRSS(r.runs))/1024), fmt.Sprint(r.runs[len(r.runs)-1].code),
			fmt.Sprintf("%.1f", medianLoad(r.runs)))
	}
	ok := true
	for _, b := range c.bars {
		line, held := b.judge()
		mark := "✔"
		if !held {
			mark, ok = "✗", false
		}
		fmt.Printf("  %s %s: %s (%s)\n", mark, c.name, line, b.why)
	}
	return ok
}

// judge says what the bar measured and whether it holds.
func (b bar) judge() (string, bool) {
	med := median(b.of.runs)
	switch {
	case b.to != nil:
		ratio := float64(med) / float64(median(b.to.runs))
		return fmt.Sprintf("%s %.2f× %s (bar ≤ %.2f×)", b.of.label, ratio, b.to.label, b.maxRatio), ratio <= b.maxRatio
	case b.maxTime > 0:
		return fmt.Sprintf("%s median %s (bar ≤ %s)", b.of.label, med.Round(time.Millisecond), b.maxTime), med <= b.maxTime
	default:
		rss := float64(maxRSS(b.of.runs)) / 1024
		return fmt.Sprintf("%s peak RSS %.1f MiB (bar ≤ %.0f MiB)", b.of.label, rss, b.maxRSSMiB), rss <= b.maxRSSMiB
	}
}
