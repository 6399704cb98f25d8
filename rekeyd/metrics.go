package rekeyd

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"rekey/cmp"
	"rekey/store"
)

// Metrics are the operator's Prometheus metrics, in a registry of their
// own (Registry) that Handler serves on /metrics:
//
//	rekeyd_cmp_requests_total{body,outcome}      CMP requests by body type and answer
//	rekeyd_cmp_request_duration_seconds{body}    their latency
//	rekeyd_certificates_issued_total             certificates signed
//	rekeyd_certificates_confirmed_total          certConf accepted (or implicit)
//	rekeyd_certificates_revoked_total            revocations
//	rekeyd_refusals_total{reason,failure}        refusals by policy reason and failure bit
//	rekeyd_decisions_total{decision}             operators' approvals and rejections
//	rekeyd_requests_waiting                      requests waiting for a decision (O4)
//	rekeyd_requests_oldest_waiting_age_seconds   age of the oldest of them
//	rekeyd_requests_overdue                      of them, older than the SLA
type Metrics struct {
	Registry *prometheus.Registry

	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	issued    prometheus.Counter
	confirmed prometheus.Counter
	revoked   prometheus.Counter
	refusals  *prometheus.CounterVec
	decisions *prometheus.CounterVec
}

func newMetrics(op *Operator) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rekeyd_cmp_requests_total",
			Help: "CMP requests by body type and outcome (reply body and status).",
		}, []string{"body", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "rekeyd_cmp_request_duration_seconds",
			Help:    "Time to answer a CMP request, by body type.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"body"}),
		issued: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rekeyd_certificates_issued_total", Help: "Certificates signed.",
		}),
		confirmed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rekeyd_certificates_confirmed_total",
			Help: "Certificates confirmed by the subscriber (certConf or implicit).",
		}),
		revoked: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rekeyd_certificates_revoked_total", Help: "Certificates revoked.",
		}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rekeyd_refusals_total",
			Help: "Refused requests by policy reason and PKIFailureInfo bit.",
		}, []string{"reason", "failure"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rekeyd_decisions_total", Help: "Operators' decisions on queued requests.",
		}, []string{"decision"}),
	}
	m.Registry.MustRegister(m.requests, m.latency, m.issued, m.confirmed, m.revoked,
		m.refusals, m.decisions, &queueCollector{op: op},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// refused counts a refusal.
func (m *Metrics) refused(reason string, f cmp.FailureInfo) {
	m.refusals.WithLabelValues(reason, f.String()).Inc()
}

// observe counts one answered CMP request.
func (m *Metrics) observe(out *cmp.Outcome, d time.Duration) {
	body := "malformed"
	if out.Request >= 0 {
		body = out.Request.String()
	}
	outcome := out.Reply.String() + ":" + out.Status.String()
	if out.Response == nil {
		outcome = "internal-error"
	}
	m.requests.WithLabelValues(body, outcome).Inc()
	m.latency.WithLabelValues(body).Observe(d.Seconds())
	if out.Request >= 0 && out.Failure != 0 && out.Reply == cmp.TypeError {
		// Refusals of the CMP layer itself (protection, nonces, time);
		// the policy's are counted where they are decided.
		m.refusals.WithLabelValues("cmp", out.Failure.String()).Inc()
	}
}

// queueCollector reports the approval queue from the database at each
// scrape, so every replica reports the same figures.
type queueCollector struct{ op *Operator }

var (
	descWaiting = prometheus.NewDesc("rekeyd_requests_waiting",
		"Renewal requests waiting for a decision.", nil, nil)
	descOldest = prometheus.NewDesc("rekeyd_requests_oldest_waiting_age_seconds",
		"Age of the oldest renewal request waiting for a decision (0 when none).", nil, nil)
	descOverdue = prometheus.NewDesc("rekeyd_requests_overdue",
		"Renewal requests waiting for longer than the SLA.", nil, nil)
)

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descWaiting
	ch <- descOldest
	ch <- descOverdue
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	reqs, err := c.op.Store.ListRequests(ctx, store.RequestQuery{States: undecided})
	if err != nil {
		c.op.log.Error("metrics: listing waiting requests", "error", err.Error())
		return
	}
	now := c.op.now()
	sla := c.op.Config.Operator.SLA.D()
	var oldest time.Duration
	overdue := 0
	for _, r := range reqs {
		age := now.Sub(r.ReceivedAt)
		oldest = max(oldest, age)
		if age > sla {
			overdue++
		}
	}
	ch <- prometheus.MustNewConstMetric(descWaiting, prometheus.GaugeValue, float64(len(reqs)))
	ch <- prometheus.MustNewConstMetric(descOldest, prometheus.GaugeValue, oldest.Seconds())
	ch <- prometheus.MustNewConstMetric(descOverdue, prometheus.GaugeValue, float64(overdue))
}
