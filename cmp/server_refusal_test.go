package cmp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"rekey/pki"
)

// message builds a request of e's subscriber: a fresh transactionID and
// nonce, messageTime now, protected with cred (a signature, or a MAC when
// cred has a secret). mod changes the message before protection.
func (e *testEnv) message(t testing.TB, cred *Credentials, body Body,
	mod func(*Message)) *Message {
	t.Helper()
	m := &Message{Body: body, Header: Header{
		PVNO:          PVNO2000,
		Recipient:     DirectoryName(e.ca.cert.RawSubject),
		MessageTime:   e.clock.Now(),
		TransactionID: randomBytes(16),
		SenderNonce:   randomBytes(16),
	}}
	if cred.Certificate != nil {
		m.Header.Sender = DirectoryName(cred.Certificate.RawSubject)
	}
	if mod != nil {
		mod(m)
	}
	var err error
	if cred.isMAC() {
		m.Header.SenderKID = cred.Reference
		err = m.ProtectMAC(cred.Secret, &MACOptions{Iterations: 1000})
	} else {
		m.Header.SenderKID = cred.Certificate.Extensions.SubjectKeyID
		m.ExtraCerts = append([][]byte{cred.Certificate.Raw}, cred.Chain...)
		err = m.Sign(cred.Key, rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func marshal(t testing.TB, m *Message) []byte {
	t.Helper()
	der, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// post sends a body and returns the HTTP status and the response, whose
// protection must verify with the CA certificate.
func (e *testEnv) post(t testing.TB, method, ctype string, body []byte) (int, *Message) {
	t.Helper()
	req, err := http.NewRequest(method, e.http.URL+WellKnownPath, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	der, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != ContentType {
		t.Fatalf("response of type %q", ct)
	}
	m, err := ParseMessage(der)
	if err != nil {
		t.Fatalf("response: %v", err)
	}
	if m.IsMACProtected() {
		return resp.StatusCode, m
	}
	if _, err := m.VerifySignature(e.ca.cert); err != nil {
		t.Fatalf("response protection: %v", err)
	}
	return resp.StatusCode, m
}

// refusal posts der and checks the error body: failInfo with the bits of
// want, both texts, and none of the words of the internal detail.
func (e *testEnv) refusal(t testing.TB, der []byte, want FailureInfo) *ErrorMsgContent {
	t.Helper()
	code, m := e.post(t, http.MethodPost, ContentType, der)
	return checkErrorBody(t, code, http.StatusOK, m, want)
}

func checkErrorBody(t testing.TB, code, wantCode int, m *Message,
	want FailureInfo) *ErrorMsgContent {
	t.Helper()
	if code != wantCode {
		t.Errorf("HTTP status %d, want %d", code, wantCode)
	}
	if m.Body.Type != TypeError {
		t.Fatalf("response %s, want error with %s", m.Body.Type, want)
	}
	si := m.Body.Error.StatusInfo
	if si.Status != StatusRejection || si.FailInfo&want != want {
		t.Errorf("error %s %s, want %s", si.Status, si.FailInfo, want)
	}
	if len(si.StatusString) != 2 || !strings.HasPrefix(si.StatusString[0], "ru: ") ||
		!strings.HasPrefix(si.StatusString[1], "en: ") {
		t.Errorf("free text %q", si.StatusString)
	}
	for _, s := range si.StatusString {
		if strings.Contains(s, "cmp:") || strings.Contains(s, "pki:") {
			t.Errorf("free text with internal detail: %q", s)
		}
	}
	return m.Body.Error
}

// kurBody returns a valid kur body updating cur's certificate to key.
func kurBody(t testing.TB, cur *pki.Certificate, key crypto.Signer) Body {
	t.Helper()
	crm := CertReqMsg{CertReq: CertRequest{
		Template: CertTemplate{Subject: cur.RawSubject},
		Controls: []AttributeTypeAndValue{OldCertIDControl(cur.RawIssuer, cur.SerialNumber)},
	}}
	if err := crm.SignPOP(key, rand.Reader); err != nil {
		t.Fatal(err)
	}
	return Body{Type: TypeKUR, CertReq: []CertReqMsg{crm}}
}

func genmBody() Body {
	return Body{Type: TypeGenM, GenInfo: []InfoTypeAndValue{CACertsInfo(nil)}}
}

// TestRefusals sends requests that must be refused, each with the right
// error body, in both profiles.
func TestRefusals(t *testing.T) {
	for _, profile := range []string{"gost256", "ecdsa"} {
		t.Run(profile, func(t *testing.T) { testRefusals(t, profile) })
	}
}

func testRefusals(t *testing.T, profile string) {
	e := newTestEnv(t, profile, nil)
	alice := e.enroll(t, "Алиса")
	bob := e.enroll(t, "Боб")
	ctx := context.Background()

	t.Run("tampered protection", func(t *testing.T) {
		m := e.message(t, alice, kurBody(t, alice.Certificate, newKey(t, e.profile)), nil)
		m.Protection[len(m.Protection)/2] ^= 1
		e.refusal(t, marshal(t, m), FailBadMessageCheck)
	})
	t.Run("tampered body", func(t *testing.T) {
		m := e.message(t, alice, genmBody(), nil)
		m.Header.Raw = nil
		m.Header.FreeText = []string{"added after signing"}
		e.refusal(t, marshal(t, m), FailBadMessageCheck)
	})
	t.Run("unsupported algorithm", func(t *testing.T) {
		m := e.message(t, alice, genmBody(), nil)
		m.Header.ProtectionAlg = &AlgorithmIdentifier{Algorithm: []int{1, 2, 3, 4}}
		e.refusal(t, marshal(t, m), FailBadAlg)
	})
	t.Run("wrong key", func(t *testing.T) {
		wrong := SignatureCredentials(alice.Certificate, bob.Key)
		e.refusal(t, marshal(t, e.message(t, wrong, genmBody(), nil)), FailBadMessageCheck)
	})
	t.Run("wrong secret", func(t *testing.T) {
		e.auth.secrets["7265662d78"] = []byte("right") // "ref-x"
		m := e.message(t, MACCredentials([]byte("ref-x"), []byte("wrong")),
			Body{Type: TypeIR, CertReq: kurBody(t, alice.Certificate, newKey(t, e.profile)).CertReq},
			nil)
		e.refusal(t, marshal(t, m), FailBadMessageCheck)
	})
	t.Run("unknown secret reference", func(t *testing.T) {
		m := e.message(t, MACCredentials([]byte("nobody"), []byte("x")),
			Body{Type: TypeIR, CertReq: kurBody(t, alice.Certificate, newKey(t, e.profile)).CertReq},
			nil)
		e.refusal(t, marshal(t, m), FailNotAuthorized)
	})
	t.Run("unprotected", func(t *testing.T) {
		m := e.message(t, alice, genmBody(), nil)
		m.Protection = nil
		e.refusal(t, marshal(t, m), FailBadMessageCheck)
	})
	t.Run("untrusted signer", func(t *testing.T) {
		self := testParties(t)["gost512"] // self-signed, not issued by the CA
		cred := SignatureCredentials(self.cert, self.key)
		e.refusal(t, marshal(t, e.message(t, cred, genmBody(), nil)),
			FailBadMessageCheck|FailSignerNotTrusted)
	})
	t.Run("MAC-protected kur", func(t *testing.T) {
		e.auth.secrets["7265662d79"] = []byte("s") // "ref-y"
		m := e.message(t, MACCredentials([]byte("ref-y"), []byte("s")),
			kurBody(t, alice.Certificate, newKey(t, e.profile)), nil)
		e.refusal(t, marshal(t, m), FailWrongIntegrity)
	})
	t.Run("unknown transaction", func(t *testing.T) {
		m := e.message(t, alice, Body{Type: TypePollReq, PollReq: []int64{0}},
			func(m *Message) { m.Header.RecipNonce = randomBytes(16) })
		e.refusal(t, marshal(t, m), FailBadRequest)
		cs, _ := NewCertStatus(alice.Certificate, 0)
		m = e.message(t, alice, Body{Type: TypeCertConf, CertConf: []CertStatus{cs}}, nil)
		e.refusal(t, marshal(t, m), FailBadRequest)
	})
	t.Run("replayed message", func(t *testing.T) {
		der := marshal(t, e.message(t, alice, genmBody(), nil))
		if _, m := e.post(t, http.MethodPost, ContentType, der); m.Body.Type != TypeGenP {
			t.Fatalf("first genm answered %s", m.Body.Type)
		}
		e.refusal(t, der, FailBadSenderNonce)
	})
	t.Run("transactionID reused", func(t *testing.T) {
		first := e.message(t, alice, genmBody(), nil)
		e.post(t, http.MethodPost, ContentType, marshal(t, first))
		again := e.message(t, alice, genmBody(), func(m *Message) {
			m.Header.TransactionID = first.Header.TransactionID
		})
		e.refusal(t, marshal(t, again), FailTransactionIDInUse)
	})
	t.Run("stale messageTime", func(t *testing.T) {
		m := e.message(t, alice, genmBody(), func(m *Message) {
			m.Header.MessageTime = e.clock.Now().Add(-11 * time.Minute)
		})
		e.refusal(t, marshal(t, m), FailBadTime)
		m = e.message(t, alice, genmBody(), func(m *Message) { m.Header.MessageTime = time.Time{} })
		e.refusal(t, marshal(t, m), FailBadTime)
	})
	t.Run("kur for another certificate", func(t *testing.T) {
		body := kurBody(t, bob.Certificate, newKey(t, e.profile))
		// Signed by Alice, updating Bob's certificate.
		e.refusal(t, marshal(t, e.message(t, alice, body, nil)), FailNotAuthorized)
	})
	t.Run("kur of another CA's certificate", func(t *testing.T) {
		other := testParties(t)["gost512"].cert
		crm := CertReqMsg{CertReq: CertRequest{Template: CertTemplate{
			Subject: alice.Certificate.RawSubject},
			Controls: []AttributeTypeAndValue{OldCertIDControl(other.RawSubject,
				alice.Certificate.SerialNumber)}}}
		if err := crm.SignPOP(newKey(t, e.profile), rand.Reader); err != nil {
			t.Fatal(err)
		}
		m := e.message(t, alice, Body{Type: TypeKUR, CertReq: []CertReqMsg{crm}}, nil)
		e.refusal(t, marshal(t, m), FailWrongAuthority)
	})
	t.Run("kur without oldCertID", func(t *testing.T) {
		body := kurBody(t, alice.Certificate, newKey(t, e.profile))
		body.CertReq[0].CertReq.Controls = nil
		body.CertReq[0].SignPOP(newKey(t, e.profile), rand.Reader)
		e.refusal(t, marshal(t, e.message(t, alice, body, nil)), FailBadRequest)
	})
	t.Run("invalid POP", func(t *testing.T) {
		body := kurBody(t, alice.Certificate, newKey(t, e.profile))
		body.CertReq[0].POP.Signature.Signature[10] ^= 1
		e.refusal(t, marshal(t, e.message(t, alice, body, nil)), FailBadPOP)
	})
	t.Run("malformed DER", func(t *testing.T) {
		e.refusal(t, []byte("not a PKIMessage"), FailBadDataFormat)
		der := marshal(t, e.message(t, alice, genmBody(), nil))
		e.refusal(t, der[:len(der)-3], FailBadDataFormat)
		e.refusal(t, append(der, 0), FailBadDataFormat)
	})
	t.Run("unsupported pvno", func(t *testing.T) {
		der := marshal(t, e.message(t, alice, genmBody(), nil))
		i := bytes.Index(der, []byte{0x02, 0x01, PVNO2000}) // the header's first field
		der[i+2] = 5
		e.refusal(t, der, FailUnsupportedVersion)
	})
	t.Run("unsupported body", func(t *testing.T) {
		m := e.message(t, alice, Body{Type: TypeP10CR, P10CR: []byte{0x30, 0x03, 0x02, 0x01, 0x00}}, nil)
		e.refusal(t, marshal(t, m), FailBadRequest)
	})
	t.Run("oversized", func(t *testing.T) {
		code, m := e.post(t, http.MethodPost, ContentType, make([]byte, 300<<10))
		checkErrorBody(t, code, http.StatusRequestEntityTooLarge, m, FailBadDataFormat)
	})
	t.Run("wrong content type", func(t *testing.T) {
		der := marshal(t, e.message(t, alice, genmBody(), nil))
		code, m := e.post(t, http.MethodPost, "application/octet-stream", der)
		checkErrorBody(t, code, http.StatusUnsupportedMediaType, m, FailBadDataFormat)
	})
	t.Run("GET", func(t *testing.T) {
		code, m := e.post(t, http.MethodGet, "", nil)
		checkErrorBody(t, code, http.StatusMethodNotAllowed, m, FailBadRequest)
	})
	t.Run("policy refusal", func(t *testing.T) {
		e.auth.mu.Lock()
		e.auth.refuseUpdate = Refuse(FailNotAuthorized, "замена ключа не согласована",
			"the key update is not approved")
		e.auth.mu.Unlock()
		defer func() { e.auth.mu.Lock(); e.auth.refuseUpdate = nil; e.auth.mu.Unlock() }()
		_, err := e.client.UpdateKey(ctx, &KeyUpdateOptions{Current: alice.Certificate,
			CurrentKey: alice.Key, NewKey: newKey(t, e.profile)})
		wantRefusal(t, err, FailNotAuthorized)
		var se *ServerError
		if errors.As(err, &se) && se.Text(LangRU) != "замена ключа не согласована" {
			t.Errorf("policy text %q", se.Text(LangRU))
		}
	})
	t.Run("internal failure", func(t *testing.T) {
		e.auth.mu.Lock()
		e.auth.failUpdate = errors.New("database password rejected at db.internal:5432")
		e.auth.mu.Unlock()
		defer func() { e.auth.mu.Lock(); e.auth.failUpdate = nil; e.auth.mu.Unlock() }()
		m := e.message(t, alice, kurBody(t, alice.Certificate, newKey(t, e.profile)), nil)
		em := e.refusal(t, marshal(t, m), FailSystemFailure)
		if strings.Contains(strings.Join(em.StatusInfo.StatusString, " "), "database") {
			t.Errorf("internal detail sent: %q", em.StatusInfo.StatusString)
		}
		if !strings.Contains(e.logs.String(), "database password rejected") {
			t.Errorf("internal detail not logged")
		}
	})
	t.Run("transaction continuity", func(t *testing.T) {
		e.auth.mu.Lock()
		e.auth.delay = 1
		e.auth.mu.Unlock()
		defer func() { e.auth.mu.Lock(); e.auth.delay = 0; e.auth.mu.Unlock() }()
		res, err := e.client.UpdateKey(ctx, &KeyUpdateOptions{Current: alice.Certificate,
			CurrentKey: alice.Key, NewKey: newKey(t, e.profile)})
		if err != nil || res.State.State != ClientWaiting {
			t.Fatalf("delayed kur: %v", err)
		}
		st := res.State
		cont := func(cred *Credentials, body Body, nonce []byte) []byte {
			return marshal(t, e.message(t, cred, body, func(m *Message) {
				m.Header.TransactionID = st.TransactionID
				m.Header.RecipNonce = nonce
			}))
		}
		poll := Body{Type: TypePollReq, PollReq: []int64{0}}
		// A wrong recipNonce, another signer, a body the state does not allow.
		e.refusal(t, cont(alice, poll, randomBytes(16)), FailBadRecipientNonce)
		e.refusal(t, cont(bob, poll, st.RecipNonce), FailNotAuthorized)
		cs, _ := NewCertStatus(alice.Certificate, 0)
		e.refusal(t, cont(alice, Body{Type: TypeCertConf, CertConf: []CertStatus{cs}},
			st.RecipNonce), FailBadRequest)
		// The certificate comes; a certConf with another certificate's hash.
		res, err = e.client.Poll(ctx, st, alice)
		if err != nil || res.Certificate == nil {
			t.Fatalf("Poll: %v", err)
		}
		e.refusal(t, cont(alice, Body{Type: TypeCertConf, CertConf: []CertStatus{cs}},
			st.RecipNonce), FailBadCertID)
		// The right one is still accepted.
		if err := e.client.Confirm(ctx, st, alice, true); err != nil {
			t.Errorf("Confirm after a refused certConf: %v", err)
		}
	})
}

// TestNoMACWithoutSecrets: a server without a SecretSource refuses ir.
func TestNoMACWithoutSecrets(t *testing.T) {
	e := newTestEnv(t, "ecdsa", func(c *ServerConfig) { c.Secrets = nil })
	_, err := e.client.Enroll(context.Background(), &EnrollOptions{Reference: []byte("r"),
		Secret: []byte("s"), NewKey: newKey(t, e.profile)})
	wantRefusal(t, err, FailWrongIntegrity)
}

// TestClientRetryLater: an unreachable CA and HTTP 503 are errors that
// match ErrRetryLater; a refusal is not.
func TestClientRetryLater(t *testing.T) {
	e := newTestEnv(t, "ecdsa", nil)
	cred := e.enroll(t, "Алиса")
	ctx := context.Background()

	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	c := e.newClient()
	c.Transport = &HTTPTransport{URL: down.URL + WellKnownPath}
	if _, err := c.CACertificates(ctx, cred); !errors.Is(err, ErrRetryLater) {
		t.Errorf("HTTP 503: %v, want ErrRetryLater", err)
	}
	down.Close()
	if _, err := c.CACertificates(ctx, cred); !errors.Is(err, ErrRetryLater) {
		t.Errorf("unreachable: %v, want ErrRetryLater", err)
	}
	var ue *UnavailableError
	if _, err := c.CACertificates(ctx, cred); !errors.As(err, &ue) {
		t.Errorf("unreachable: %T, want *UnavailableError", err)
	}

	e.auth.mu.Lock()
	e.auth.refuseUpdate = Refuse(FailNotAuthorized, "", "")
	e.auth.mu.Unlock()
	_, err := e.client.UpdateKey(ctx, &KeyUpdateOptions{Current: cred.Certificate,
		CurrentKey: cred.Key, NewKey: newKey(t, "ecdsa")})
	if err == nil || errors.Is(err, ErrRetryLater) {
		t.Errorf("refusal: %v, want a final error", err)
	}
}

// TestClientChecksResponses: the client refuses a response signed by a CA
// it does not trust, and a certificate for another key.
func TestClientChecksResponses(t *testing.T) {
	e := newTestEnv(t, "ecdsa", nil)
	cred := e.enroll(t, "Алиса")
	ctx := context.Background()
	c := e.newClient()
	c.Roots = []*pki.Certificate{testParties(t)["gost256"].cert}
	_, err := c.CACertificates(ctx, cred)
	var se *ServerError
	if err == nil || errors.As(err, &se) || !strings.Contains(err.Error(), "not trusted") {
		t.Errorf("response of an untrusted CA: %v", err)
	}

	st := &ClientTransaction{PublicKey: []byte{0x30, 0}, Subject: cred.Certificate.RawSubject}
	if _, err := e.client.checkCertificate(cred.Certificate.Raw, st, nil, nil, nil); err == nil ||
		!strings.Contains(err.Error(), "another public key") {
		t.Errorf("certificate for another key: %v", err)
	}
}

// TestCloseExpired: a certificate sent and never confirmed is reported to
// the Authority as expired, and a late certConf is refused.
func TestCloseExpired(t *testing.T) {
	e := newTestEnv(t, "ecdsa", nil)
	cred := e.enroll(t, "Алиса")
	ctx := context.Background()
	res, err := e.client.UpdateKey(ctx, &KeyUpdateOptions{Current: cred.Certificate,
		CurrentKey: cred.Key, NewKey: newKey(t, "ecdsa")})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(DefaultConfirmWait + time.Second)
	n, err := e.srv.CloseExpired(ctx)
	if err != nil || n != 1 {
		t.Fatalf("CloseExpired: %d, %v", n, err)
	}
	e.auth.mu.Lock()
	last := e.auth.confirmed[len(e.auth.confirmed)-1]
	e.auth.mu.Unlock()
	if !last.Expired || last.Accepted {
		t.Errorf("confirmation %+v", last)
	}
	wantRefusal(t, e.client.Confirm(ctx, res.State, cred, true), FailBadRequest)
}

// TestCloseExpiredBacklog: more unconfirmed transactions than one batch
// of the store are all closed in one call; one whose Confirm fails is
// left for the next call without stopping the others.
func TestCloseExpiredBacklog(t *testing.T) {
	e := newTestEnv(t, "ecdsa", nil)
	cred := e.enroll(t, "Алиса")
	ctx := context.Background()
	const n = 130
	var ids [][]byte
	for range n {
		res, err := e.client.UpdateKey(ctx, &KeyUpdateOptions{Current: cred.Certificate,
			CurrentKey: cred.Key, NewKey: newKey(t, "ecdsa")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.State.TransactionID)
	}
	e.auth.mu.Lock()
	e.auth.failConfirm = ids[7]
	e.auth.mu.Unlock()
	e.clock.Advance(DefaultConfirmWait + time.Second)
	got, err := e.srv.CloseExpired(ctx)
	if got != n-1 || err == nil || !strings.Contains(err.Error(), "confirm fails") {
		t.Fatalf("CloseExpired: %d, %v; want %d and the failure", got, err, n-1)
	}
	e.auth.mu.Lock()
	e.auth.failConfirm = nil
	e.auth.mu.Unlock()
	if got, err := e.srv.CloseExpired(ctx); got != 1 || err != nil {
		t.Fatalf("CloseExpired again: %d, %v; want the one left", got, err)
	}
	if got, err := e.srv.CloseExpired(ctx); got != 0 || err != nil {
		t.Fatalf("CloseExpired a third time: %d, %v", got, err)
	}
}

// againStore is a MemoryTransactionStore whose batches' commits fail with
// ErrHandleAgain the first times left says, counting the replay checks.
type againStore struct {
	*MemoryTransactionStore
	mu      sync.Mutex
	left    int
	batches int
	nonces  int
}

func (s *againStore) Batch(ctx context.Context) (context.Context, func(context.Context) error) {
	return ctx, func(context.Context) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.batches++
		if s.left > 0 {
			s.left--
			return fmt.Errorf("test store: %w", ErrHandleAgain)
		}
		return nil
	}
}

func (s *againStore) SeenNonce(ctx context.Context, nonce []byte, until time.Time) (bool,
	error) {
	s.mu.Lock()
	s.nonces++
	s.mu.Unlock()
	return s.MemoryTransactionStore.SeenNonce(ctx, nonce, until)
}

// TestHandleAgain: a message whose batch's commit asks for it is handled
// once more, without a second replay check (the first pass recorded the
// nonce); a second request to handle it again is an error, not a loop.
func TestHandleAgain(t *testing.T) {
	st := &againStore{}
	e := newTestEnv(t, "ecdsa", func(c *ServerConfig) {
		st.MemoryTransactionStore = NewMemoryTransactionStore(c.Clock)
		c.Transactions = st
	})
	cred := e.enroll(t, "Алиса")
	ctx := context.Background()
	opts := &KeyUpdateOptions{Current: cred.Certificate, CurrentKey: cred.Key,
		NewKey: newKey(t, "ecdsa")}
	st.mu.Lock()
	st.left, st.batches, st.nonces = 1, 0, 0
	st.mu.Unlock()
	res, err := e.client.UpdateKey(ctx, opts)
	if err != nil || res.Certificate == nil {
		t.Fatalf("kur handled again: %v", err)
	}
	st.mu.Lock()
	if st.batches != 2 || st.nonces != 1 {
		t.Errorf("%d batches and %d replay checks, want 2 and 1", st.batches, st.nonces)
	}
	st.left = 2
	st.mu.Unlock()
	opts.NewKey = newKey(t, "ecdsa")
	opts.TransactionID = nil
	if _, err := e.client.UpdateKey(ctx, opts); err == nil {
		t.Error("a message asked to be handled again twice was answered")
	}
}
