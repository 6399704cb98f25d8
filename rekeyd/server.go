package rekeyd

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"rekey/cmp"
)

// maxRequestSize bounds a CMP request body.
const maxRequestSize = 256 << 10

// Handler returns the operator's HTTP handler (see the package doc for its
// paths). It needs the CA.
func (op *Operator) Handler() (http.Handler, error) {
	srv, err := op.cmpServer()
	if err != nil {
		return nil, err
	}
	h := &handler{op: op, cmp: srv}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/cmp", h.serveCMP)
	mux.HandleFunc("/.well-known/cmp/p/{label}", h.serveCMP)
	mux.HandleFunc("GET /ca.pem", h.serveCACert)
	mux.HandleFunc("GET /crl", h.serveCRL)
	mux.Handle("GET /metrics", promhttp.HandlerFor(op.metrics.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", h.serveHealth)
	return mux, nil
}

// cmpServer returns the operator's CMP server, made on first use.
func (op *Operator) cmpServer() (*cmp.Server, error) {
	op.cmpOnce.Do(func() {
		auth, err := op.Authority()
		if err != nil {
			op.cmpErr = err
			return
		}
		op.cmp, op.cmpErr = cmp.NewServer(cmp.ServerConfig{
			CACert: op.CACert, Signer: op.signer, Authority: auth, Secrets: auth,
			Transactions: NewTransactionStore(op.Store, op.now),
			Clock:        op.now, Rand: op.rand, Logger: op.log,
			MaxRequestSize: maxRequestSize,
		})
	})
	return op.cmp, op.cmpErr
}

// CloseExpired ends the issuing transactions whose certificate was not
// confirmed within the confirmation wait: each certificate is revoked and
// its request rejected (RFC 9810 §5.3.18). Serve runs it every minute.
func (op *Operator) CloseExpired(ctx context.Context) (int, error) {
	srv, err := op.cmpServer()
	if err != nil {
		return 0, err
	}
	return srv.CloseExpired(ctx)
}

type handler struct {
	op  *Operator
	cmp *cmp.Server
}

// serveCMP answers one CMP request (RFC 9811) and logs it as one event.
func (h *handler) serveCMP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "CMP takes POST", http.StatusMethodNotAllowed)
		h.logRequest(r, start, http.StatusMethodNotAllowed, nil, "method "+r.Method)
		return
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.EqualFold(mt, cmp.ContentType) {
		http.Error(w, "content type must be "+cmp.ContentType, http.StatusUnsupportedMediaType)
		h.logRequest(r, start, http.StatusUnsupportedMediaType, nil, "content type")
		return
	}
	der, err := readBody(w, r)
	if err != nil {
		code := http.StatusBadRequest
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			code = http.StatusRequestEntityTooLarge
		}
		http.Error(w, http.StatusText(code), code)
		h.logRequest(r, start, code, nil, "reading the request")
		return
	}
	out := h.cmp.Handle(r.Context(), der)
	h.op.metrics.observe(out, time.Since(start))
	h.auditRefusal(r.Context(), out)
	if out.Response == nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		h.logRequest(r, start, http.StatusInternalServerError, out, "")
		return
	}
	w.Header().Set("Content-Type", cmp.ContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(out.Response)
	h.logRequest(r, start, http.StatusOK, out, "")
}

// readBody reads a request body of at most maxRequestSize bytes, into a
// buffer of the announced length when there is one (io.ReadAll grows one
// from 512 bytes, copying a kur four times). net/http ends the body at
// its Content-Length.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, maxRequestSize)
	if n := r.ContentLength; n >= 0 && n <= maxRequestSize {
		buf := make([]byte, n)
		if _, err := io.ReadFull(body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	return io.ReadAll(body)
}

// unauthenticated are the failures of messages whose protection was not
// established: they are logged, not audited, so that junk from anyone
// cannot fill the audit trail.
const unauthenticated = cmp.FailBadDataFormat | cmp.FailBadMessageCheck |
	cmp.FailWrongIntegrity | cmp.FailBadSenderNonce | cmp.FailUnsupportedVersion |
	cmp.FailBadTime | cmp.FailBadAlg

// auditRefusal appends the refusal of a request whose protection verified
// to the audit trail (O7): the policy's own decisions are audited where
// they are made; this records every refusal answered, including those of
// the CMP layer (a revoked or foreign certificate, a bad proof of
// possession, an unknown transaction).
func (h *handler) auditRefusal(ctx context.Context, out *cmp.Outcome) {
	if out.Request < 0 || out.Reply != cmp.TypeError || out.Failure&unauthenticated != 0 {
		return
	}
	details, _ := json.Marshal(map[string]string{"body": out.Request.String(),
		"failure": out.Failure.String(), "detail": out.Detail})
	err := h.op.audit(ctx, h.op.Store, "cmp", AuditCMPRefused,
		"transaction:"+hex.EncodeToString(out.TransactionID), details)
	if err != nil {
		h.op.log.Error("auditing a refusal", "error", err.Error())
	}
}

func (h *handler) logRequest(r *http.Request, start time.Time, code int, out *cmp.Outcome,
	detail string) {
	attrs := []slog.Attr{
		slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.String("remote", r.RemoteAddr), slog.Int("http_status", code),
		slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
	}
	if out != nil {
		attrs = append(attrs, out.LogAttrs()...)
		if out.Detail != "" {
			detail = out.Detail
		}
	}
	if detail != "" {
		attrs = append(attrs, slog.String("detail", detail))
	}
	h.op.log.LogAttrs(r.Context(), slog.LevelInfo, "http request", attrs...)
}

func (h *handler) serveCACert(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-pem-file")
	pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: h.op.CACert.Raw})
}

func (h *handler) serveCRL(w http.ResponseWriter, r *http.Request) {
	crl, err := h.op.CurrentCRL(r.Context())
	if err != nil {
		h.op.log.Error("signing the CRL", "error", err.Error())
		http.Error(w, "the CRL is not available", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/pkix-crl")
	w.Write(crl)
}

func (h *handler) serveHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := h.op.Healthy(ctx); err != nil {
		h.op.log.Error("health check", "error", err.Error())
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ok\n")
}

// ShutdownTimeout bounds how long Serve waits for requests in flight.
const ShutdownTimeout = 30 * time.Second

// Serve serves the operator on ln until ctx ends, then stops accepting,
// lets the requests in flight finish (up to ShutdownTimeout) and returns.
// Before it answers requests, it finishes the issuances a crash
// interrupted (ResumeIssuance; a failure there is logged, the requests
// stay for the subscribers' next messages). It also expires old
// transactions and nonces every minute. The caller closes the Operator
// afterwards.
func (op *Operator) Serve(ctx context.Context, ln net.Listener) error {
	h, err := op.Handler()
	if err != nil {
		return err
	}
	if n, err := op.ResumeIssuance(ctx); err != nil {
		op.log.Error("resuming interrupted issuances", "issued", n, "error", err.Error())
	} else if n > 0 {
		op.log.Info("resumed interrupted issuances", "issued", n)
	}
	srv := cmp.NewHTTPServer(ln.Addr().String(), h)
	srv.ErrorLog = slog.NewLogLogger(op.log.Handler(), slog.LevelWarn)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	janitor := time.NewTicker(time.Minute)
	defer janitor.Stop()
	op.log.Info("serving", "addr", ln.Addr().String(), "ca", op.Config.Operator.CAName,
		"profile", op.Config.Operator.Profile, "approval", op.Config.Operator.Approval,
		"database", op.Store.Engine())
	for {
		select {
		case err := <-done:
			return err
		case <-janitor.C:
			if n, err := op.CloseExpired(ctx); err != nil {
				op.log.Error("closing unconfirmed transactions", "error", err.Error())
			} else if n > 0 {
				op.log.Info("revoked unconfirmed certificates", "count", n)
			}
			if n, err := op.Store.ExpireTransactions(ctx, op.now()); err != nil {
				op.log.Error("expiring transactions", "error", err.Error())
			} else if n > 0 {
				op.log.Info("expired transactions", "count", n)
			}
		case <-ctx.Done():
			op.log.Info("shutting down")
			sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
			defer cancel()
			if err := srv.Shutdown(sctx); err != nil {
				return err
			}
			<-done
			op.log.Info("stopped")
			return nil
		}
	}
}
