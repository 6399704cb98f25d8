package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rekey/internal/pgtest"
	"rekey/operator"
	"rekey/rekeyd"
	"rekey/store"
)

// binary is the rekeyd built once for the package's tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rekeyload-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary, err = buildRekeyd(context.Background(), dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	pgtest.Stop()
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestLoadSmoke runs the load generator end to end, as `go run
// ./cmd/rekeyload` does, on a few dozen renewals: two rounds each, so
// that the second renews from the certificate the first one gave.
func TestLoadSmoke(t *testing.T) {
	c := &config{subscribers: 12, concurrency: 4, rounds: 2, profile: "gost2012-256",
		db: "sqlite", rekeyd: binary, dir: filepath.Join(t.TempDir(), "op"), asJSON: true}
	var log bytes.Buffer
	rep, err := run(context.Background(), c, &log)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, log.String())
	}
	if rep.Renewals != 24 || rep.Succeeded != 24 || rep.Failed != 0 {
		t.Fatalf("renewals %d, succeeded %d, failed %d (%v); want 24, 24, 0",
			rep.Renewals, rep.Succeeded, rep.Failed, rep.Errors)
	}
	if rep.PerSecond <= 0 || rep.LatencyMS.P50 <= 0 || rep.LatencyMS.P50 > rep.LatencyMS.P99 ||
		rep.LatencyMS.P99 > rep.LatencyMS.Max {
		t.Errorf("inconsistent figures: %+v", rep)
	}
	var out bytes.Buffer
	if err := rep.write(&out, true); err != nil {
		t.Fatal(err)
	}
	var back report
	if err := json.Unmarshal(out.Bytes(), &back); err != nil || back.Succeeded != 24 {
		t.Errorf("the JSON report does not read back: %v\n%s", err, out.String())
	}
	ctx := context.Background()
	op, err := rekeyd.Open(ctx, c.dir, &rekeyd.OpenOptions{NoCA: true})
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	confirmed, err := op.Store.ListRequests(ctx, store.RequestQuery{
		States: []store.State{store.StateConfirmed}})
	if err != nil {
		t.Fatal(err)
	}
	if len(confirmed) != 24 {
		t.Errorf("%d confirmed requests in the database, want 24", len(confirmed))
	}
}

// TestConfigCheck: flags that cannot work together are refused before
// anything is made.
func TestConfigCheck(t *testing.T) {
	good := config{subscribers: 1, concurrency: 1, rounds: 1, profile: "ecdsa-p256",
		db: "sqlite"}
	if err := good.check(); err != nil {
		t.Fatalf("a good config: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*config)
	}{
		{"no subscribers", func(c *config) { c.subscribers = 0 }},
		{"no concurrency", func(c *config) { c.concurrency = 0 }},
		{"no rounds", func(c *config) { c.rounds = 0 }},
		{"512-bit profile", func(c *config) { c.profile = "gost2012-512" }},
		{"url without dir", func(c *config) { c.url = "http://127.0.0.1:1" }},
		{"url in process", func(c *config) { c.url, c.dir, c.inProcess = "http://x", "d", true }},
		{"unknown database", func(c *config) { c.db = "mysql://x" }},
		{"socket without postgres", func(c *config) { c.pgSocket = true }},
		{"negative compare", func(c *config) { c.compare = -1 }},
		{"compare with a database", func(c *config) { c.compare, c.db = 1, "postgres" }},
		{"compare with a directory", func(c *config) { c.compare, c.dir = 1, "d" }},
	} {
		c := good
		tc.edit(&c)
		if err := c.check(); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

// issuance is what the database says about the renewals of a test.
type issuance struct {
	op       *rekeyd.Operator
	requests map[string]*store.Request // by hex transactionID
	byReq    map[int64][]store.Certificate
}

// readIssuance opens the operator's database without the CA and checks
// the invariants of O3 and O8 over every certificate: no serial and no
// public key twice, at most one certificate per request.
func readIssuance(t *testing.T, dir string) *issuance {
	t.Helper()
	ctx := context.Background()
	op, err := rekeyd.Open(ctx, dir, &rekeyd.OpenOptions{NoCA: true})
	if err != nil {
		t.Fatalf("opening the operator: %v", err)
	}
	t.Cleanup(func() { op.Close() })
	certs, err := op.Store.ListCertificates(ctx, store.CertificateQuery{})
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := op.Store.ListRequests(ctx, store.RequestQuery{})
	if err != nil {
		t.Fatal(err)
	}
	is := &issuance{op: op, requests: map[string]*store.Request{},
		byReq: map[int64][]store.Certificate{}}
	for i := range reqs {
		is.requests[hex.EncodeToString(reqs[i].TransactionID)] = &reqs[i]
	}
	serials, keys := map[string]bool{}, map[string]bool{}
	for _, c := range certs {
		s, k := hex.EncodeToString(c.Serial), hex.EncodeToString(c.SPKISHA256)
		if serials[s] {
			t.Errorf("serial %s issued twice", s)
		}
		if keys[k] {
			t.Errorf("public key %s certified twice (serial %s)", k, s)
		}
		serials[s], keys[k] = true, true
		if c.RequestID != 0 {
			is.byReq[c.RequestID] = append(is.byReq[c.RequestID], c)
		}
	}
	for id, cs := range is.byReq {
		if len(cs) > 1 {
			t.Errorf("request %d has %d certificates", id, len(cs))
		}
	}
	return is
}

// checkRenewal checks that the database has the request of r and that
// its one certificate is the one the client received, confirmed.
func (is *issuance) checkRenewal(t *testing.T, r *renewal) {
	t.Helper()
	id := hex.EncodeToString(r.txID)
	req := is.requests[id]
	if req == nil {
		t.Errorf("subscriber %d: the accepted request of transaction %s is not in the "+
			"database", r.sub.index, id)
		return
	}
	cs := is.byReq[req.ID]
	if len(cs) != 1 {
		t.Errorf("subscriber %d: request %d (%s) has %d certificates, want 1",
			r.sub.index, req.ID, req.State, len(cs))
		return
	}
	if r.cert != nil && !bytes.Equal(cs[0].DER, r.cert.Raw) {
		t.Errorf("subscriber %d: request %d: the database's certificate is not the one "+
			"the client received", r.sub.index, req.ID)
	}
	spki := sha256.Sum256(r.cert.RawSubjectPublicKeyInfo)
	if !bytes.Equal(cs[0].SPKISHA256, spki[:]) {
		t.Errorf("subscriber %d: request %d certifies another key", r.sub.index, req.ID)
	}
	if req.State != store.StateConfirmed {
		t.Errorf("subscriber %d: request %d is %s, want confirmed", r.sub.index, req.ID,
			req.State)
	}
}

// describe says what the database holds for transaction txID, for a
// failure message.
func (is *issuance) describe(txID []byte) string {
	req := is.requests[hex.EncodeToString(txID)]
	if req == nil {
		return "no request for transaction " + hex.EncodeToString(txID)
	}
	return fmt.Sprintf("request %d of transaction %x is %s with %d certificate(s)", req.ID,
		txID, req.State, len(is.byReq[req.ID]))
}

// auditVerify runs `rekeyd audit verify --dir dir`, which must succeed.
func auditVerify(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command(binary, "audit", "verify", "--dir", dir)
	cmd.Env = append(os.Environ(), "LANG=C")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("rekeyd audit verify: %v\n%s", err, out)
	}
}

// TestLoadPolicy keeps the load policy honest: automatic approval and a
// rate limit no test reaches.
func TestLoadPolicy(t *testing.T) {
	c := loadPolicy("gost2012-256")
	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		t.Fatalf("the load policy is invalid: %v", err)
	}
	if c.Approval != operator.ApprovalAuto || c.RateLimitPerDay < 1000 {
		t.Errorf("approval %s, rate limit %d", c.Approval, c.RateLimitPerDay)
	}
}

// waitFor polls cond every 10 ms until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

func TestSocketDSN(t *testing.T) {
	srv := &pgtest.Server{Dir: "/tmp/rekey-pgtest-1", Port: 5433}
	got := socketDSN("postgres://postgres@127.0.0.1:5433/test_1_2?sslmode=disable", srv)
	want := "postgres://postgres@/test_1_2?host=%2Ftmp%2Frekey-pgtest-1&port=5433&sslmode=disable"
	if got != want {
		t.Errorf("socketDSN = %s, want %s", got, want)
	}
}

// TestCompareSmoke: --compare runs the engines alternately on fresh
// operators and sums each one up from its own runs, with the ratio of
// the means and of every pair.
func TestCompareSmoke(t *testing.T) {
	c := &config{subscribers: 6, concurrency: 3, rounds: 1, profile: "ecdsa-p256",
		db: "sqlite", rekeyd: binary, compare: 2}
	bad := *c
	bad.db = "postgres"
	if _, err := compare(context.Background(), &bad, 2, io.Discard); err == nil {
		t.Error("compare with --db postgres: no error")
	}
	var log bytes.Buffer
	cmp, err := compare(context.Background(), c, 2, &log)
	if err != nil {
		t.Fatalf("compare: %v\n%s", err, log.String())
	}
	if len(cmp.Runs) != 4 {
		t.Fatalf("%d runs, want 4", len(cmp.Runs))
	}
	for i, rep := range cmp.Runs {
		want := compareDatabases[i%2]
		if !strings.HasPrefix(rep.Database, want) || rep.Succeeded != 6 {
			t.Errorf("run %d: database %s, %d succeeded; want %s, 6", i, rep.Database,
				rep.Succeeded, want)
		}
	}
	for _, e := range cmp.Engines {
		if len(e.PerSecond) != 2 || e.Min <= 0 || e.Min > e.Mean || e.Mean > e.Max {
			t.Errorf("%s: inconsistent figures %+v", e.Database, e)
		}
	}
	sq, pg := cmp.byName["sqlite"], cmp.byName["postgres"]
	if r := cmp.Ratio; r == nil || len(r.Pairs) != 2 || r.OfMeans != sq.Mean/pg.Mean ||
		r.Pairs[1] != sq.PerSecond[1]/pg.PerSecond[1] {
		t.Errorf("ratio %+v from %v and %v", cmp.Ratio, sq.PerSecond, pg.PerSecond)
	}
	var out bytes.Buffer
	if err := cmp.write(&out, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "slower than SQLite on the means") {
		t.Errorf("the summary is missing:\n%s", out.String())
	}
}
