package cmp

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"
)

// HTTP transfer of CMP (RFC 9811, which obsoletes RFC 6712).
const (
	// ContentType is the media type of a PKIMessage over HTTP.
	ContentType = "application/pkixcmp"
	// WellKnownPath is the path of the CMP service; WellKnownPath + "/p/"
	// + label selects a CA or certificate profile (RFC 9811 §3.3).
	WellKnownPath = "/.well-known/cmp"
)

// Timeouts an embedding http.Server should use: a CMP request is one
// small POST, so slow clients are cut off early (NewHTTPServer sets them).
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 60 * time.Second
	IdleTimeout       = 90 * time.Second
)

// NewHTTPServer returns an http.Server for addr serving h with the
// timeouts above.
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout: ReadTimeout, WriteTimeout: WriteTimeout, IdleTimeout: IdleTimeout}
}

type labelKey struct{}

// PathLabel returns the label of the request path
// /.well-known/cmp/p/<label>, "" for the plain path. The Authority reads it
// from the context of its calls.
func PathLabel(ctx context.Context) string {
	s, _ := ctx.Value(labelKey{}).(string)
	return s
}

// ServeHTTP serves CMP over HTTP (RFC 9811): POST of one DER PKIMessage of
// type application/pkixcmp to /.well-known/cmp or /.well-known/cmp/p/<label>,
// at most MaxRequestSize bytes. The answer is always a PKIMessage of
// type application/pkixcmp: status 200 for every CMP response including
// error messages, and for HTTP-level refusals an error message with 405
// (not POST; badRequest), 415 (another content type; badDataFormat) or
// 413 (too large; badDataFormat). Other paths get a plain 404.
//
// Every request is logged as one event (level Info, "cmp request"):
// method, path, request and reply body types, transaction ID in hex, HTTP
// status, PKIStatus, failInfo, duration and, for a refusal, the internal
// reason. Secrets and message contents are never logged.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	label, ok := pathLabel(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		s.logHTTP(r, start, http.StatusNotFound, nil, "unknown path")
		return
	}
	ctx := context.WithValue(r.Context(), labelKey{}, label)
	code, der, detail := s.readRequest(w, r)
	var out *Outcome
	if code == http.StatusOK {
		out = s.Handle(ctx, der)
	} else {
		out = s.refuseHTTP(code, detail)
	}
	if out.Response == nil {
		code = http.StatusInternalServerError
		http.Error(w, "internal error", code)
		s.logHTTP(r, start, code, out, "")
		return
	}
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Cache-Control", "no-store")
	if code == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	w.WriteHeader(code)
	w.Write(out.Response)
	s.logHTTP(r, start, code, out, "")
}

// pathLabel splits the well-known path.
func pathLabel(path string) (string, bool) {
	if path == WellKnownPath || path == WellKnownPath+"/" {
		return "", true
	}
	label, ok := strings.CutPrefix(path, WellKnownPath+"/p/")
	if !ok || label == "" || strings.Contains(label, "/") {
		return "", false
	}
	return label, true
}

// readRequest checks method, media type and size and reads the body.
func (s *Server) readRequest(w http.ResponseWriter, r *http.Request) (int, []byte, string) {
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, nil, "method " + r.Method
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.EqualFold(mt, ContentType) {
		return http.StatusUnsupportedMediaType, nil,
			"content type " + truncate(r.Header.Get("Content-Type"), 64)
	}
	if r.ContentLength > s.cfg.MaxRequestSize {
		return http.StatusRequestEntityTooLarge, nil, "request too large"
	}
	der, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxRequestSize))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge, nil, "request too large"
	}
	if err != nil {
		return http.StatusBadRequest, nil, "reading the request: " + err.Error()
	}
	return http.StatusOK, der, ""
}

// refuseHTTP builds the error message of an HTTP-level refusal.
func (s *Server) refuseHTTP(code int, detail string) *Outcome {
	f := FailBadDataFormat
	if code == http.StatusMethodNotAllowed {
		f = FailBadRequest
	}
	out := &Outcome{Request: -1, Reply: TypeError, Status: StatusRejection, Failure: f,
		Detail: detail}
	nonce, err := s.nonce()
	if err != nil {
		out.Detail = joinDetail(detail, err.Error())
		return out
	}
	ex := &exchange{now: s.cfg.Clock(), nonce: nonce}
	body := s.errorBody(refusef(f, "cmp: %s", detail))
	resp, err := s.protect(ex, s.response(ex, body))
	if err != nil {
		out.Detail = joinDetail(detail, "protecting the response: "+err.Error())
		return out
	}
	out.Response = resp
	return out
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// logHTTP writes the one event of a request.
func (s *Server) logHTTP(r *http.Request, start time.Time, code int, out *Outcome,
	detail string) {
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", truncate(r.URL.Path, 128)),
		slog.String("remote", r.RemoteAddr),
		slog.Int("http_status", code),
		slog.Duration("duration", time.Since(start)),
	}
	if out != nil {
		attrs = append(attrs, out.LogAttrs()...)
		detail = joinDetail(detail, out.Detail)
	}
	if detail != "" {
		attrs = append(attrs, slog.String("detail", detail))
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "cmp request", attrs...)
}
