package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"
)

// loadOptions shape one burst of renewals.
type loadOptions struct {
	concurrency int
	// rounds is the number of renewals per subscriber: each renews with
	// its next pre-generated key, chaining certificates.
	rounds int
	// duration, when positive, stops starting renewals after it.
	duration time.Duration
	// observe, when set, sees every finished renewal (tests).
	observe func(*renewal)
}

// result is what a burst measured.
type result struct {
	renewals []*renewal
	elapsed  time.Duration
}

// runLoad renews the subscribers of f with d, o.concurrency at a time.
// Each worker owns every o.concurrency-th subscriber, so a subscriber's
// renewals run one after another, each from the certificate the previous
// one gave. A failed renewal leaves its subscriber out of later rounds.
func runLoad(ctx context.Context, f *fleet, d *driver, o *loadOptions) *result {
	workers := min(max(o.concurrency, 1), len(f.subs))
	if o.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.duration)
		defer cancel()
	}
	var mu sync.Mutex
	var all []*renewal
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			pprof.Do(context.Background(), pprof.Labels("side", "client"), func(context.Context) {
				own := slices.Clone(ownedBy(f.subs, w, workers))
				for round := range o.rounds {
					for i, s := range own {
						if s == nil || ctx.Err() != nil || round >= len(s.next) {
							continue
						}
						// The renewal itself does not stop at the
						// deadline: a started renewal finishes.
						r := d.renew(context.WithoutCancel(ctx), s, s.next[round])
						if r.err == nil {
							own[i] = &subscriber{index: s.index, cert: r.cert,
								key: r.newKey, next: s.next}
						} else {
							own[i] = nil
						}
						if o.observe != nil {
							o.observe(r)
						}
						mu.Lock()
						all = append(all, r)
						mu.Unlock()
					}
				}
			})
		})
	}
	wg.Wait()
	return &result{renewals: all, elapsed: time.Since(start)}
}

// ownedBy returns the subscribers of worker w of n.
func ownedBy(subs []*subscriber, w, n int) []*subscriber {
	var out []*subscriber
	for i := w; i < len(subs); i += n {
		out = append(out, subs[i])
	}
	return out
}

// report is the machine-readable summary of a run (--json).
type report struct {
	Profile       string         `json:"profile"`
	Database      string         `json:"database"`
	Server        string         `json:"server"`
	Subscribers   int            `json:"subscribers"`
	Concurrency   int            `json:"concurrency"`
	EnrollSeconds float64        `json:"enroll_seconds"`
	Renewals      int            `json:"renewals"`
	Succeeded     int            `json:"succeeded"`
	Failed        int            `json:"failed"`
	Retries       int            `json:"retries"`
	Seconds       float64        `json:"seconds"`
	PerSecond     float64        `json:"renewals_per_second"`
	LatencyMS     latency        `json:"latency_ms"`
	CPUms         *cpuPerRenewal `json:"cpu_ms_per_renewal,omitempty"`
	Errors        map[string]int `json:"errors,omitempty"`
}

// latency are percentiles of the successful renewals' latency, kur sent
// to pkiConf received, in milliseconds.
type latency struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// summarize fills the measured part of rep from res.
func summarize(rep *report, res *result) {
	var ok []time.Duration
	rep.Errors = map[string]int{}
	for _, r := range res.renewals {
		rep.Retries += r.retries
		if r.err != nil {
			rep.Failed++
			rep.Errors[r.errorKind()]++
			continue
		}
		ok = append(ok, r.latency)
	}
	rep.Renewals = len(res.renewals)
	rep.Succeeded = len(ok)
	rep.Seconds = res.elapsed.Seconds()
	if rep.Seconds > 0 {
		rep.PerSecond = float64(rep.Succeeded) / rep.Seconds
	}
	slices.Sort(ok)
	rep.LatencyMS = latency{P50: percentile(ok, 50), P90: percentile(ok, 90),
		P99: percentile(ok, 99), Max: percentile(ok, 100)}
}

// percentile returns the p-th percentile (nearest rank) of sorted, in
// milliseconds; 0 for none.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100+0.999999) - 1
	rank = min(max(rank, 0), len(sorted)-1)
	return float64(sorted[rank].Microseconds()) / 1000
}

// write prints rep as text or, with asJSON, as one JSON object.
func (rep *report) write(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "profile %s, database %s, server %s\n", rep.Profile, rep.Database, rep.Server)
	fmt.Fprintf(&b, "%d subscribers enrolled in %.1f s; concurrency %d\n", rep.Subscribers,
		rep.EnrollSeconds, rep.Concurrency)
	fmt.Fprintf(&b, "renewals: %d ok, %d failed, %d retried exchanges, in %.2f s\n",
		rep.Succeeded, rep.Failed, rep.Retries, rep.Seconds)
	fmt.Fprintf(&b, "rate: %.0f renewals/s (kur → kup → certConf → pkiConf)\n", rep.PerSecond)
	l := rep.LatencyMS
	fmt.Fprintf(&b, "latency ms: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n", l.P50, l.P90, l.P99,
		l.Max)
	if c := rep.CPUms; c != nil {
		b.WriteString("CPU ms per renewal:")
		if c.Server > 0 {
			fmt.Fprintf(&b, " server %.3f ", c.Server)
		}
		if c.Client > 0 {
			fmt.Fprintf(&b, " clients %.3f ", c.Client)
		}
		if c.Total > 0 {
			fmt.Fprintf(&b, " total %.3f ", c.Total)
		}
		if c.Machine > 0 {
			fmt.Fprintf(&b, " machine %.3f", c.Machine)
		}
		b.WriteString("\n")
	}
	for _, k := range slices.Sorted(maps.Keys(rep.Errors)) {
		fmt.Fprintf(&b, "error ×%d: %s\n", rep.Errors[k], k)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
