package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// compareDatabases are the engines --compare alternates, in this order.
var compareDatabases = []string{"sqlite", "postgres"}

// comparison is the result of --compare: the runs in the order made and
// each engine's figures over them.
type comparison struct {
	Runs    []*report        `json:"runs"`
	Engines []*engineFigures `json:"engines"`
	Ratio   *comparisonRatio `json:"ratio,omitempty"`
	byName  map[string]*engineFigures
}

// engineFigures summarise one engine's runs.
type engineFigures struct {
	Database  string    `json:"database"`
	PerSecond []float64 `json:"renewals_per_second"`
	Min       float64   `json:"min"`
	Max       float64   `json:"max"`
	Mean      float64   `json:"mean"`
	// MachineMS is the mean CPU of the whole machine per renewal, in
	// milliseconds, where it was measured.
	MachineMS float64 `json:"machine_cpu_ms_per_renewal,omitempty"`
	machine   []float64
}

// comparisonRatio is how much slower PostgreSQL is than SQLite: the ratio
// of the means, and each pair's ratio (the SQLite run divided by the
// PostgreSQL run made right after it).
type comparisonRatio struct {
	OfMeans float64   `json:"of_means"`
	Pairs   []float64 `json:"pairs"`
}

// compare runs c on each engine of compareDatabases in turn, pairs
// times, so that the engines meet the machine's changes of speed alike.
func compare(ctx context.Context, c *config, pairs int, log io.Writer) (*comparison, error) {
	cmp := &comparison{byName: map[string]*engineFigures{}}
	for _, db := range compareDatabases {
		e := &engineFigures{Database: db}
		cmp.Engines = append(cmp.Engines, e)
		cmp.byName[db] = e
	}
	defer cmp.summarize()
	if err := c.check(); err != nil {
		return cmp, err
	}
	for i := range pairs {
		for _, db := range compareDatabases {
			one := *c
			one.db, one.compare = db, 0
			fmt.Fprintf(log, "rekeyload: pair %d of %d, %s\n", i+1, pairs, db)
			rep, err := run(ctx, &one, log)
			if err != nil {
				return cmp, fmt.Errorf("pair %d, %s: %w", i+1, db, err)
			}
			if rep.Failed > 0 {
				return cmp, fmt.Errorf("pair %d, %s: %d of %d renewals failed", i+1, db,
					rep.Failed, rep.Renewals)
			}
			cmp.add(rep, db)
		}
	}
	return cmp, nil
}

func (c *comparison) add(rep *report, db string) {
	c.Runs = append(c.Runs, rep)
	e := c.byName[db]
	e.PerSecond = append(e.PerSecond, rep.PerSecond)
	if rep.CPUms != nil && rep.CPUms.Machine > 0 {
		e.machine = append(e.machine, rep.CPUms.Machine)
	}
}

func (c *comparison) summarize() {
	for _, e := range c.Engines {
		e.Min, e.Max, e.Mean = spread(e.PerSecond)
		_, _, e.MachineMS = spread(e.machine)
	}
	sq, pg := c.byName["sqlite"], c.byName["postgres"]
	if pg.Mean == 0 || len(sq.PerSecond) != len(pg.PerSecond) {
		return
	}
	r := &comparisonRatio{OfMeans: sq.Mean / pg.Mean}
	for i := range sq.PerSecond {
		r.Pairs = append(r.Pairs, sq.PerSecond[i]/pg.PerSecond[i])
	}
	c.Ratio = r
}

// spread returns the least, greatest and mean of xs (zeros when empty).
func spread(xs []float64) (lo, hi, mean float64) {
	if len(xs) == 0 {
		return 0, 0, 0
	}
	lo, hi = xs[0], xs[0]
	var sum float64
	for _, x := range xs {
		lo, hi, sum = min(lo, x), max(hi, x), sum+x
	}
	return lo, hi, sum / float64(len(xs))
}

// write prints each run's report and the summary, or all of it as JSON.
func (c *comparison) write(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	}
	for _, rep := range c.Runs {
		if err := rep.write(w, false); err != nil {
			return err
		}
		if _, err := io.WriteString(w, "\n"); err != nil {
			return err
		}
	}
	var b strings.Builder
	b.WriteString("summary, engines alternating:\n")
	for _, e := range c.Engines {
		fmt.Fprintf(&b, "  %-8s %.0f–%.0f renewals/s, mean %.0f (%d runs)", e.Database, e.Min,
			e.Max, e.Mean, len(e.PerSecond))
		if e.MachineMS > 0 {
			fmt.Fprintf(&b, "; machine CPU %.3f ms per renewal", e.MachineMS)
		}
		b.WriteString("\n")
	}
	if r := c.Ratio; r != nil {
		lo, hi, _ := spread(r.Pairs)
		fmt.Fprintf(&b, "  PostgreSQL is %.2f× slower than SQLite on the means (pairs %.2f–%.2f)\n",
			r.OfMeans, lo, hi)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
