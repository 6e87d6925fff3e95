package main

import (
	"fmt"
	"strings"
	"time"
)

// Bars from issue 19: signing adds at most 5% to verify --evidence, and
// 'evidence verify' of the 5,000-node bundle takes under 100 ms.
const (
	maxSignedRatio = 1.05
	maxCheckTime   = 100 * time.Millisecond
)

// signedBar compares verify --evidence --sign-key with verify --evidence.
func (c *benchCase) signedBar() string {
	if len(c.signedRuns) == 0 || len(c.evidenceRuns) == 0 {
		return ""
	}
	return fmt.Sprintf("%.3f× --evidence (≤ %.2f×)", float64(median(c.signedRuns))/float64(median(c.evidenceRuns)), maxSignedRatio)
}

// timeOne runs argv runs times after one warm-up.
func timeOne(argv, env []string, runs int) ([]sample, error) {
	var out []sample
	for round := 0; round <= runs; round++ {
		s, err := measure(argv, env)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
		}
		if s.code != 0 {
			return nil, fmt.Errorf("%s: exit %d: the signed bundle does not check", strings.Join(argv, " "), s.code)
		}
		if round > 0 {
			out = append(out, s)
		}
	}
	return out, nil
}

// reportCheck prints the row of 'evidence verify' and says whether it
// meets its bar.
func reportCheck(name string, ss []sample) bool {
	mn, mx := minmax(ss)
	fmt.Printf("%-22s %-32s %4d %9s %9s %9s %7.1f MiB %6d %s\n", name, "evidence verify DIR --key PUB", len(ss), median(ss).Round(time.Millisecond),
		mn.Round(time.Millisecond), mx.Round(time.Millisecond), float64(maxRSS(ss))/1024, ss[len(ss)-1].code, fmt.Sprintf("(≤ %s)", maxCheckTime))
	if median(ss) >= maxCheckTime {
		fmt.Printf("✗ %s: evidence verify takes %s, the bar is under %s\n", name, median(ss).Round(time.Millisecond), maxCheckTime)
		return false
	}
	return true
}
