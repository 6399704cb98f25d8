package cmp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// Transport carries one DER request to the CA and returns the DER
// response. HTTPTransport is the one of RFC 9811; the subscriber's outbox
// may bring its own.
type Transport interface {
	Exchange(ctx context.Context, request []byte) ([]byte, error)
}

// ErrRetryLater is matched (errors.Is) by every error after which the
// same operation may succeed later unchanged: the CA unreachable, a
// timeout, HTTP 5xx, or a CMP error with systemUnavail.
var ErrRetryLater = errors.New("cmp: the certification authority is unavailable; retry later")

// UnavailableError is a transport failure worth retrying later.
type UnavailableError struct {
	URL string
	Err error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("cmp: cannot reach the certification authority at %s: %v", e.URL, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// Is makes UnavailableError match ErrRetryLater.
func (e *UnavailableError) Is(target error) bool { return target == ErrRetryLater }

// HTTPTransport posts PKIMessages to a CMP URL, such as
// "https://ca.example/.well-known/cmp".
type HTTPTransport struct {
	URL string
	// Client is the HTTP client; nil means one with Timeout 60 s.
	Client *http.Client
	// MaxResponseSize bounds a response (default 1 MiB).
	MaxResponseSize int64
}

var defaultHTTPClient = &http.Client{Timeout: 60 * time.Second}

// Exchange posts request and returns the PKIMessage answered. A response
// of type application/pkixcmp is returned whatever its HTTP status (an
// error message may come with 4xx); anything else is an error, an
// *UnavailableError for network failures and 5xx.
func (t *HTTPTransport) Exchange(ctx context.Context, request []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL,
		bytes.NewReader(request))
	if err != nil {
		return nil, fmt.Errorf("cmp: request to %s: %w", t.URL, err)
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("Accept", ContentType)
	client := t.Client
	if client == nil {
		client = defaultHTTPClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, &UnavailableError{URL: t.URL, Err: err}
	}
	defer resp.Body.Close()
	limit := t.MaxResponseSize
	if limit == 0 {
		limit = 1 << 20
	}
	var buf []byte
	if n := resp.ContentLength; n >= 0 && n <= limit {
		buf = make([]byte, 0, n+1) // room for the EOF: no growing
	}
	body, err := readAll(io.LimitReader(resp.Body, limit+1), buf)
	if err != nil {
		return nil, &UnavailableError{URL: t.URL, Err: err}
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("cmp: response from %s larger than %d bytes", t.URL, limit)
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if strings.EqualFold(mt, ContentType) && len(body) > 0 {
		return body, nil
	}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return nil, &UnavailableError{URL: t.URL, Err: fmt.Errorf("HTTP %s", resp.Status)}
	}
	return nil, fmt.Errorf("cmp: %s answered HTTP %s without a PKIMessage", t.URL, resp.Status)
}

// readAll is io.ReadAll appending to buf, which a caller presizes when
// the length is announced.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	if buf == nil {
		buf = make([]byte, 0, 512)
	}
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return buf, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}
