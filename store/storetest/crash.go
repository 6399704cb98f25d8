package storetest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"rekey/store"
)

// crashEnv names the database a crash child writes to.
const crashEnv = "REKEY_STORETEST_CRASH_DSN"

// CrashChild is the writer that [RunCrash] kills. An engine's tests call it
// from a test named TestCrashChild; it does nothing unless RunCrash started
// the test binary. It writes renewals from several goroutines and prints
// the ID of each request once the store has acknowledged it.
func CrashChild(t *testing.T) {
	dsn := os.Getenv(crashEnv)
	if dsn == "" {
		t.Skip("run by RunCrash only")
	}
	ctx := context.Background()
	s, err := store.Open(ctx, dsn)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	sub := newSubscriber(t, s)
	var mu sync.Mutex
	for w := range 4 {
		go func() {
			for i := 0; ; i++ {
				var r *store.Request
				err := s.InTx(ctx, func(tx store.Tx) error {
					r = &store.Request{SubscriberID: sub.ID, TransactionID: fmt.Appendf(nil,
						"%d-%d", w, i), Message: random(500), ReceivedAt: t0}
					if err := tx.CreateRequest(ctx, r); err != nil {
						return err
					}
					_, err := tx.AppendAudit(ctx, store.AuditEntry{At: t0, Actor: "crash",
						Action: "request.received", Object: strconv.FormatInt(r.ID, 10)})
					return err
				})
				mu.Lock()
				if err != nil {
					fmt.Println("error", err)
					os.Exit(2)
				}
				fmt.Println("ok", r.ID)
				mu.Unlock()
			}
		}()
	}
	select {} // until killed
}

// RunCrash starts the engine's TestCrashChild in a process of its own,
// kills it with SIGKILL in the middle of its writes, reopens the database
// and checks that every write the child saw acknowledged is there and
// that the audit chain verifies.
func RunCrash(t *testing.T, b Backend) {
	if testing.Short() {
		t.Skip("kills a child process")
	}
	dsn := b.NewDSN(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), crashEnv+"="+dsn)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []int64
	lines := bufio.NewScanner(out)
	deadline := time.Now().Add(20 * time.Second)
	for len(acked) < 200 && time.Now().Before(deadline) && lines.Scan() {
		f := strings.Fields(lines.Text())
		if len(f) == 2 && f[0] == "ok" {
			id, _ := strconv.ParseInt(f[1], 10, 64)
			acked = append(acked, id)
		} else if len(f) > 0 && f[0] == "error" {
			t.Errorf("child: %s", lines.Text())
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	if len(acked) == 0 {
		t.Fatal("the child acknowledged no write")
	}

	s := open(t, dsn)
	ctx := context.Background()
	for _, id := range acked {
		if _, err := s.Request(ctx, id); err != nil {
			t.Errorf("acknowledged request %d after the crash: %v", id, err)
		}
	}
	n, err := s.VerifyChain(ctx)
	if err != nil {
		t.Errorf("VerifyChain after the crash: %v", err)
	}
	if stored := b.QueryInt(t, dsn, `SELECT count(*) FROM requests`); n != stored {
		t.Errorf("%d audit records for %d requests", n, stored)
	}
	t.Logf("killed after %d acknowledged writes; %d records survive", len(acked), n)
}
