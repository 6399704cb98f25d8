package cmp

import (
	"context"
	"crypto"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"rekey/pki"
)

// ServerConfig configures a Server. CACert, Signer and Authority are
// required; the rest has defaults (see NewServer).
type ServerConfig struct {
	// CACert and Signer are the CA's certificate and key: every response
	// is signed with them (RFC 9483 §3.2), except the responses of a
	// MAC-protected ir transaction, which are MAC-protected with the same
	// secret. Chain holds the certificates after CACert up to the root
	// (DER), sent in extraCerts after CACert.
	CACert *pki.Certificate
	Signer crypto.Signer
	Chain  [][]byte

	// Roots are the trust anchors a request's protection certificate
	// must chain to (pki.Verify at the clock's time); CACert when empty.
	// Intermediates may complete those chains, besides the request's own
	// extraCerts.
	Roots         []*pki.Certificate
	Intermediates []*pki.Certificate

	Authority Authority
	// Secrets finds the one-time secrets of MAC-protected ir; nil
	// refuses every MAC-protected request.
	Secrets SecretSource
	// Transactions keeps transaction state; a MemoryTransactionStore when
	// nil.
	Transactions TransactionStore

	Clock  func() time.Time // time.Now when nil
	Rand   io.Reader        // crypto/rand when nil
	Logger *slog.Logger     // slog.Default() when nil

	// TimeWindow is how far a request's messageTime may be from the
	// clock (default 10 minutes); a request without messageTime is
	// refused unless AllowNoMessageTime.
	TimeWindow         time.Duration
	AllowNoMessageTime bool
	// ConfirmWait is how long the Server waits for certConf after
	// sending a certificate (default 10 minutes; header
	// confirmWaitTime).
	ConfirmWait time.Duration
	// TransactionLifetime is how long a waiting transaction lives
	// without a poll (default 7 days: "within a day" with room).
	TransactionLifetime time.Duration
	// RefuseImplicitConfirm makes the Server ignore implicitConfirm
	// requests and always wait for certConf.
	RefuseImplicitConfirm bool
	// MACIterations is the iteration count of MAC-protected responses
	// (default 10,000).
	MACIterations int
	// MaxRequestSize bounds a request's body (default 256 KiB).
	MaxRequestSize int64
}

// Server is the CA side of CMP as a library: it checks every message and
// hands valid requests to the Authority. ServeHTTP serves it over HTTP
// (http.go); Handle serves one DER message from any transport.
type Server struct {
	cfg    ServerConfig
	store  TransactionStore
	log    *slog.Logger
	ski    []byte
	sender GeneralName // the CA's name, the sender of every response
	extra  [][]byte
	chains chainCache
}

// Defaults of ServerConfig.
const (
	DefaultTimeWindow          = 10 * time.Minute
	DefaultConfirmWait         = 10 * time.Minute
	DefaultTransactionLifetime = 7 * 24 * time.Hour
	DefaultMaxRequestSize      = 256 << 10
	defaultMACIterations       = 10_000
	nonceSize                  = 16
	minIDSize                  = 16 // RFC 9483 §3.1: 128 bits
	maxIDSize                  = 64
)

// NewServer checks cfg, applies the defaults and returns the Server.
func NewServer(cfg ServerConfig) (*Server, error) {
	if cfg.CACert == nil || cfg.Signer == nil || cfg.Authority == nil {
		return nil, errors.New("cmp: ServerConfig needs CACert, Signer and Authority")
	}
	if _, _, err := signatureAlgorithmFor(cfg.Signer.Public()); err != nil {
		return nil, err
	}
	if e, ok := cfg.Signer.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok ||
		!e.Equal(cfg.CACert.PublicKey) {
		return nil, errors.New("cmp: the CA key does not match the CA certificate")
	}
	if len(cfg.Roots) == 0 {
		cfg.Roots = []*pki.Certificate{cfg.CACert}
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	setDefault(&cfg.TimeWindow, DefaultTimeWindow)
	setDefault(&cfg.ConfirmWait, DefaultConfirmWait)
	setDefault(&cfg.TransactionLifetime, DefaultTransactionLifetime)
	setDefault(&cfg.MACIterations, defaultMACIterations)
	setDefault(&cfg.MaxRequestSize, DefaultMaxRequestSize)
	s := &Server{cfg: cfg, store: cfg.Transactions, log: cfg.Logger,
		ski: cfg.CACert.Extensions.SubjectKeyID}
	if s.store == nil {
		s.store = NewMemoryTransactionStore(cfg.Clock)
	}
	s.extra = append([][]byte{cfg.CACert.Raw}, cfg.Chain...)
	s.sender = DirectoryName(cfg.CACert.RawSubject)
	return s, nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// Outcome describes one handled message, for the caller's log.
type Outcome struct {
	Response      []byte   // the DER response; nil only if it could not be built
	Request       BodyType // -1 when the request did not parse
	Reply         BodyType
	TransactionID []byte
	Status        Status      // of the response's status, when it has one
	Failure       FailureInfo // of an error response
	// Detail is the internal reason of a refusal or failure: for the
	// log only, never for the peer.
	Detail string
}

// LogAttrs are the attributes of o for a log event: the request's body
// type and transactionID when known, the reply, its status and failure
// bits. The Detail is left to the caller, which may add to it.
func (o *Outcome) LogAttrs() []slog.Attr {
	var attrs []slog.Attr
	if o.Request >= 0 {
		attrs = append(attrs, slog.String("body", o.Request.String()))
	}
	if o.TransactionID != nil {
		attrs = append(attrs, slog.String("transaction_id", hex.EncodeToString(o.TransactionID)))
	}
	attrs = append(attrs, slog.String("reply", o.Reply.String()),
		slog.String("status", o.Status.String()))
	if o.Failure != 0 {
		attrs = append(attrs, slog.String("fail_info", o.Failure.String()))
	}
	return attrs
}

// exchange is one request being answered.
type exchange struct {
	der    []byte
	again  bool // the second pass of Handle (ErrHandleAgain)
	req    *Message
	now    time.Time
	tx     *Transaction // the transaction, once known
	signer *pki.Certificate
	chain  []*pki.Certificate
	secret []byte // the verified MAC secret: the response is MAC-protected
	macAlg MACAlgorithm
	nonce  []byte             // the senderNonce of the response
	info   []InfoTypeAndValue // the generalInfo of the response
}

// Handle answers one DER request. It never fails: every refusal is an
// error message in Outcome.Response. Only when even that cannot be built
// (the CA key fails) is Response nil.
func (s *Server) Handle(ctx context.Context, der []byte) *Outcome {
	out := &Outcome{Request: -1}
	nonce, err := s.nonce()
	if err != nil {
		out.Detail = err.Error()
		return out
	}
	var (
		ex   *exchange
		resp Body
	)
	for pass := 0; ; pass++ {
		ex = &exchange{der: der, now: s.cfg.Clock(), nonce: nonce, again: pass > 0}
		mctx, commit := ctx, func(context.Context) error { return nil }
		if b, ok := s.store.(TransactionBatcher); ok {
			mctx, commit = b.Batch(ctx)
		}
		resp, err = s.process(mctx, ex)
		cerr := commit(mctx)
		if cerr != nil && errors.Is(cerr, ErrHandleAgain) && pass == 0 {
			out.Detail = "handled again: " + cerr.Error()
			continue
		}
		if cerr != nil {
			if err == nil {
				err = internalError(cerr, "committing")
			} else {
				err = fmt.Errorf("%w (committing: %v)", err, cerr)
			}
		}
		break
	}
	if ex.req != nil {
		out.Request = ex.req.Body.Type
		out.TransactionID = ex.req.Header.TransactionID
	}
	if err != nil {
		out.Detail = joinDetail(out.Detail, err.Error())
		resp = s.errorBody(err)
		ex.info = nil
	}
	msg := s.response(ex, resp)
	out.Reply = resp.Type
	out.Status, out.Failure = responseStatus(&resp)
	var perr error
	if out.Response, perr = s.protect(ex, msg); perr != nil {
		out.Detail = joinDetail(out.Detail, "protecting the response: "+perr.Error())
		out.Response = nil
	}
	return out
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// responseStatus returns the status and failure of a response body.
func responseStatus(b *Body) (Status, FailureInfo) {
	switch {
	case b.Error != nil:
		return b.Error.StatusInfo.Status, b.Error.StatusInfo.FailInfo
	case b.CertRep != nil && len(b.CertRep.Response) > 0:
		return b.CertRep.Response[0].Status.Status, b.CertRep.Response[0].Status.FailInfo
	case b.RevRep != nil && len(b.RevRep.Status) > 0:
		return b.RevRep.Status[0].Status, b.RevRep.Status[0].FailInfo
	}
	return StatusAccepted, 0
}

// errorBody turns an error into the error body sent: a *Refusal as it is,
// a package error by its failure with the standard text, anything else as
// systemFailure. No internal detail reaches the peer.
func (s *Server) errorBody(err error) Body {
	var r *Refusal
	if !errors.As(err, &r) {
		f := FailureOf(err)
		if f == 0 {
			f = FailSystemFailure
		}
		r = &Refusal{Failure: f}
	}
	return Body{Type: TypeError, Error: &ErrorMsgContent{StatusInfo: StatusInfo{
		Status: StatusRejection, FailInfo: r.Failure, StatusString: r.freeText(),
	}}}
}

// response builds the response message around body.
func (s *Server) response(ex *exchange, body Body) *Message {
	m := &Message{Body: body, Header: Header{
		PVNO:        PVNO2000,
		Sender:      s.sender,
		MessageTime: ex.now.UTC().Truncate(time.Second),
		SenderNonce: ex.nonce,
		GeneralInfo: ex.info,
	}}
	if ex.req != nil {
		h := &ex.req.Header
		m.Header.PVNO = h.PVNO
		m.Header.Recipient = h.Sender
		m.Header.TransactionID = h.TransactionID
		m.Header.RecipNonce = h.SenderNonce
	}
	return m
}

// protect protects and encodes the response: a MAC with the verified
// secret of the request, a signature by the CA otherwise.
func (s *Server) protect(ex *exchange, m *Message) ([]byte, error) {
	var err error
	if ex.secret != nil {
		m.Header.SenderKID = ex.req.Header.SenderKID
		err = m.ProtectMAC(ex.secret, &MACOptions{Algorithm: ex.macAlg,
			Iterations: s.cfg.MACIterations, Rand: s.cfg.Rand})
	} else {
		m.Header.SenderKID = s.ski
		m.ExtraCerts = s.extra
		err = m.Sign(s.cfg.Signer, s.cfg.Rand)
	}
	if err != nil {
		return nil, err
	}
	return m.marshalSealed()
}

func (s *Server) nonce() ([]byte, error) {
	b := make([]byte, nonceSize)
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		return nil, fmt.Errorf("cmp: reading a nonce: %w", err)
	}
	return b, nil
}

// process checks the request and answers it; an error becomes an error
// body.
func (s *Server) process(ctx context.Context, ex *exchange) (Body, error) {
	req, err := ParseMessage(ex.der)
	if err != nil {
		return Body{}, err
	}
	ex.req = req
	if err := s.checkHeader(ex); err != nil {
		return Body{}, err
	}
	if p, ok := s.store.(TransactionPrefetcher); ok {
		p.Prefetch(ctx, req.Header.TransactionID)
	}
	if err := s.checkProtection(ctx, ex); err != nil {
		return Body{}, err
	}
	if err := s.checkReplay(ctx, ex); err != nil {
		return Body{}, err
	}
	switch req.Body.Type {
	case TypeIR, TypeKUR:
		return s.certRequest(ctx, ex)
	case TypePollReq:
		return s.pollRequest(ctx, ex)
	case TypeCertConf:
		return s.certConf(ctx, ex)
	case TypeRR:
		return s.revocation(ctx, ex)
	case TypeGenM:
		return s.generalMessage(ctx, ex)
	}
	return Body{}, refusef(FailBadRequest, "cmp: %s is not served", req.Body.Type)
}

// refusal is a package error with a standard text: its Failure is sent,
// its message logged.
func refusef(f FailureInfo, format string, args ...any) error {
	return errorf(f, format, args...)
}

// internal wraps an error of the store or the Authority for the log; the
// peer gets systemFailure unless it is a *Refusal.
func internalError(err error, what string) error {
	var r *Refusal
	if errors.As(err, &r) {
		return err
	}
	return fmt.Errorf("cmp: %s: %w", what, err)
}
