package rekeyd

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"rekey/cmp"
	"rekey/operator"
)

// TestOverdueAndQueueMetrics: a waiting request older than the SLA is
// listed by Requests(Overdue) and counted by the queue metrics (O4).
func TestOverdueAndQueueMetrics(t *testing.T) {
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalManual, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	if _, err := e.kur(s, e.newKey()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	list, err := e.op.Requests(ctx, RequestFilter{Overdue: true})
	if err != nil || len(list) != 0 {
		t.Fatalf("overdue at once: %+v, %v", list, err)
	}
	e.clock.Set(t0.Add(25 * time.Hour))
	list, err = e.op.Requests(ctx, RequestFilter{Overdue: true})
	if err != nil || len(list) != 1 || !list[0].Overdue || list[0].Subscriber != "ООО Ромашка" {
		t.Fatalf("overdue after 25 h: %+v, %v", list, err)
	}
	body := get(t, e.srv.URL+"/metrics")
	for _, want := range []string{"rekeyd_requests_waiting 1", "rekeyd_requests_overdue 1",
		"rekeyd_requests_oldest_waiting_age_seconds 90000",
		`rekeyd_cmp_requests_total{body="kur",outcome="kup:waiting"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestRefusalMetrics: refusals are counted by reason and failure bit.
func TestRefusalMetrics(t *testing.T) {
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	if _, err := e.kur(s, s.key); err == nil {
		t.Fatal("the same key was accepted")
	}
	body := get(t, e.srv.URL+"/metrics")
	if want := `rekeyd_refusals_total{failure="badCertTemplate",reason="same-key"} 1`; !strings.Contains(body, want) {
		t.Errorf("metrics lack %q", want)
	}
	if want := "rekeyd_certificates_issued_total 1"; !strings.Contains(body, want) {
		t.Errorf("metrics lack %q (the enrollment)", want)
	}
}

// TestServeShutdown: Serve answers until its context ends, then returns
// after the request in flight.
func TestServeShutdown(t *testing.T) {
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.op.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String()
	if body := get(t, url+"/healthz"); body != "ok\n" {
		t.Errorf("healthz: %q", body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("still serving after shutdown")
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

// TestPathLabel: /.well-known/cmp/p/LABEL serves CMP too (RFC 9811 §3.3).
func TestPathLabel(t *testing.T) {
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	e.client.Transport = &cmp.HTTPTransport{URL: e.srv.URL + "/.well-known/cmp/p/office-1"}
	e.renew(s)
}
