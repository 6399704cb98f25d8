package subscriber

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"rekey/internal/i18n"
	"rekey/media"
	"rekey/pki"
)

// testEnc keeps PBKDF2 cheap in tests.
var testEnc = &pki.KeyEncryptionOptions{Iterations: 16}

const testURL = "https://cmp.operator.test/.well-known/cmp"

var (
	oldPassword = []byte("old key password")
	newPassword = []byte("new key password")
)

// clock is the injected clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// signWith signs msg with key as its profile does and checks the
// signature with pub.
func signWith(key crypto.Signer, pub crypto.PublicKey, msg []byte) error {
	prof, err := pki.ProfileOf(pub)
	if err != nil {
		return err
	}
	h := prof.NewHash()
	h.Write(msg)
	var opts crypto.SignerOpts = crypto.SHA256
	if prof.Curve != nil {
		opts = pki.StreebogSignerOpts{Size: h.Size()}
	}
	sig, err := key.Sign(nil, h.Sum(nil), opts)
	if err != nil {
		return err
	}
	return pki.CheckSignature(prof.SignatureAlgorithm, pub, msg, sig)
}

// fakeOp is an in-process operator behind the Exchanger interface: it
// checks that requests are signed by the current key with the new key's
// proof of possession, and issues with pki.CreateCertificate, at once or
// after approve, or refuses; unreachable makes every call fail.
type fakeOp struct {
	mu          sync.Mutex
	ca          *pki.Certificate
	caKey       crypto.Signer
	now         func() time.Time
	auto        bool   // issue at once
	refuse      *Reply // refuse every request with this
	unreachable bool
	dropAnswers int // Send records the request, then fails: the answer is lost

	txs       map[string]*fakeTx
	requests  int // distinct requests received
	sends     int
	polls     int
	confirms  int
	issued    int
	serial    int64
	signCalls int // messages signed with the current key by Poll and Confirm
}

type fakeTx struct {
	spki, current []byte
	cert          []byte
	approved      bool
	confirmed     bool
}

type fakeState struct {
	TX      string `json:"tx"`
	SPKI    []byte `json:"spki"`
	Current []byte `json:"current"`
}

func newFakeOp(ca *pki.Certificate, caKey crypto.Signer, now func() time.Time) *fakeOp {
	return &fakeOp{ca: ca, caKey: caKey, now: now, txs: map[string]*fakeTx{}, serial: 1000}
}

func (o *fakeOp) KeyUpdate(ctx context.Context, req *KeyUpdateRequest) ([]byte, error) {
	spki, err := pki.MarshalPKIXPublicKey(req.NewKey.Public())
	if err != nil {
		return nil, err
	}
	// Protection by the current key, proof of possession by the new one.
	if err := signWith(req.Signer, req.Current.PublicKey, spki); err != nil {
		return nil, fmt.Errorf("fake: the current key does not sign: %w", err)
	}
	if err := signWith(req.NewKey, req.NewKey.Public(), spki); err != nil {
		return nil, fmt.Errorf("fake: the new key does not sign: %w", err)
	}
	id, _ := media.KeyID(req.NewKey.Public())
	return json.Marshal(fakeState{TX: "tx-" + id, SPKI: spki, Current: req.Current.Raw})
}

func (o *fakeOp) Send(ctx context.Context, op string, state []byte, signer crypto.Signer) (*Reply, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sends++
	if o.unreachable {
		return nil, errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	}
	var st fakeState
	if err := json.Unmarshal(state, &st); err != nil {
		return nil, err
	}
	tx, ok := o.txs[st.TX]
	if !ok {
		o.requests++
		tx = &fakeTx{spki: st.SPKI, current: st.Current}
		o.txs[st.TX] = tx
	}
	if o.dropAnswers > 0 {
		o.dropAnswers--
		return nil, errors.New("read tcp: connection reset by peer")
	}
	if o.refuse != nil {
		r := *o.refuse
		return &r, nil
	}
	if o.auto {
		tx.approved = true
	}
	return o.decide(tx, state)
}

func (o *fakeOp) Poll(ctx context.Context, op string, state []byte, signer crypto.Signer) (*Reply, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.polls++
	if o.unreachable {
		return nil, errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	}
	tx, err := o.tx(state, signer)
	if err != nil {
		return nil, err
	}
	return o.decide(tx, state)
}

func (o *fakeOp) Confirm(ctx context.Context, op string, state []byte, signer crypto.Signer) ([]byte, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.unreachable {
		return nil, errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	}
	tx, err := o.tx(state, signer)
	if err != nil {
		return nil, err
	}
	if tx.cert == nil {
		return nil, errors.New("fake: nothing to confirm")
	}
	o.confirms++
	tx.confirmed = true
	return state, nil
}

// tx finds the transaction and checks that signer is the current key.
func (o *fakeOp) tx(state []byte, signer crypto.Signer) (*fakeTx, error) {
	var st fakeState
	if err := json.Unmarshal(state, &st); err != nil {
		return nil, err
	}
	tx, ok := o.txs[st.TX]
	if !ok {
		return nil, errors.New("fake: unknown transaction")
	}
	cur, _ := pki.ParseCertificate(tx.current)
	o.signCalls++
	if err := signWith(signer, cur.PublicKey, []byte(st.TX)); err != nil {
		return nil, fmt.Errorf("fake: not signed by the current key: %w", err)
	}
	return tx, nil
}

func (o *fakeOp) decide(tx *fakeTx, state []byte) (*Reply, error) {
	if !tx.approved {
		return &Reply{Status: Waiting, State: state, CheckAfter: time.Hour}, nil
	}
	if tx.cert == nil {
		cur, _ := pki.ParseCertificate(tx.current)
		now := o.now().Truncate(time.Second)
		o.serial++
		der, err := pki.CreateCertificate(&pki.Template{
			SerialNumber: big.NewInt(o.serial), RawSubject: cur.RawSubject,
			NotBefore: now, NotAfter: now.AddDate(1, 0, 0), RawSubjectPublicKeyInfo: tx.spki,
			Extensions: pki.Extensions{KeyUsage: x509.KeyUsageDigitalSignature},
		}, o.ca, nil, o.caKey)
		if err != nil {
			return nil, err
		}
		tx.cert = der
		o.issued++
	}
	return &Reply{Status: Issued, State: state, Certificate: tx.cert}, nil
}

func (o *fakeOp) approveAll() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, tx := range o.txs {
		tx.approved = true
	}
}

func (o *fakeOp) counts() (requests, issued, confirms int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.requests, o.issued, o.confirms
}

// fixture is an enrolled subscriber: a CA, a current key on a drive with
// its certificate, another drive, a spool and a client.
type fixture struct {
	t          *testing.T
	prof       *pki.Profile
	clock      *clock
	drive      string // the current key's media
	other      string // another drive
	spool      *Spool
	op         *fakeOp
	script     *Script
	client     *Client
	current    *media.Container
	caCert     *pki.Certificate
	caKey      crypto.Signer
	keyExpires time.Time
}

var moscow = Moscow()

// start is the fixture's "now": 3 December 2026, 12:00 in Moscow.
var start = time.Date(2026, 12, 3, 12, 0, 0, 0, moscow)

// newFixture enrolls a key whose last moment is keyExpires (zero: 20
// days from start).
func newFixture(t *testing.T, prof *pki.Profile, keyExpires time.Time) *fixture {
	t.Helper()
	if keyExpires.IsZero() {
		keyExpires = start.AddDate(0, 0, 20)
	}
	f := &fixture{t: t, prof: prof, clock: &clock{t: start}, keyExpires: keyExpires}
	base := t.TempDir()
	f.drive = filepath.Join(base, "media", "drive1")
	f.other = filepath.Join(base, "media", "drive2")
	for _, d := range []string{f.drive, f.other} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	f.caCert, f.caKey = newCA(t, prof)
	f.current = f.enroll(keyExpires)
	sp, err := OpenSpool(filepath.Join(base, "state", "rekey", "spool"))
	if err != nil {
		t.Fatal(err)
	}
	f.spool = sp
	f.op = newFakeOp(f.caCert, f.caKey, f.clock.Now)
	f.script = &Script{Yes: true, NewKeyPassword: newPassword, AnyPassword: oldPassword,
		Lang: i18n.EN}
	f.client = f.newClient()
	return f
}

func (f *fixture) newClient() *Client {
	c, err := New(Options{
		Finder:     &media.Finder{Dirs: []string{f.drive, f.other}},
		Spool:      f.spool,
		Exchanger:  f.op,
		Asker:      f.script,
		Now:        f.clock.Now,
		Location:   moscow,
		Lang:       i18n.EN,
		Office:     "+7 812 610-56-10",
		Encryption: testEnc,
		Jitter:     func(time.Duration) time.Duration { return 0 },
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func newCA(t *testing.T, prof *pki.Profile) (*pki.Certificate, crypto.Signer) {
	t.Helper()
	key, err := prof.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	der, err := pki.CreateCertificate(&pki.Template{
		SerialNumber: big.NewInt(1),
		Subject:      &pki.Subject{Country: "RU", Organization: "Оператор ЭДО", CommonName: "Тестовый УЦ"},
		NotBefore:    start.AddDate(-1, 0, 0),
		NotAfter:     start.AddDate(5, 0, 0),
		Extensions: pki.Extensions{
			BasicConstraints: &pki.BasicConstraints{IsCA: true, MaxPathLen: -1},
			KeyUsage:         x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		},
	}, nil, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// enroll makes the current key: a pending container, a certificate from
// the CA for the manual's subject, installed (what rekeyd enroll does).
func (f *fixture) enroll(keyExpires time.Time) *media.Container {
	f.t.Helper()
	return f.enrollOn(f.drive, keyExpires)
}

func (f *fixture) enrollOn(root string, keyExpires time.Time) *media.Container {
	t := f.t
	t.Helper()
	ct, key, _, err := media.Create(root, &media.CreateOptions{Profile: f.prof,
		Password: oldPassword, CA: f.caCert.Raw, OperatorURL: testURL, Encryption: testEnc,
		Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	notBefore := start.AddDate(-1, 0, 0).Add(time.Hour)
	der, err := pki.CreateCertificate(&pki.Template{
		SerialNumber: big.NewInt(7),
		Subject: &pki.Subject{Country: "RU", Province: "78 г. Санкт-Петербург",
			Locality: "Санкт-Петербург", Street: "Ленинский пр. 168", Organization: "ООО Тест",
			OrganizationalUnit: "Администрация", Title: "Директор", CommonName: "ООО Тест",
			Surname: "Тестовый", GivenName: "Тест Тестович", Email: "test@test.ru",
			INN: "009901888821"},
		NotBefore: notBefore,
		NotAfter:  keyExpires.AddDate(0, 3, 0),
		Extensions: pki.Extensions{
			KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyAgreement,
			PrivateKeyUsagePeriod: &pki.KeyUsagePeriod{NotBefore: notBefore, NotAfter: keyExpires},
		},
	}, f.caCert, key.Public(), f.caKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := ct.InstallCertificate(der); err != nil {
		t.Fatal(err)
	}
	return ct
}

// keys returns the client's key states by id.
func (f *fixture) keys() map[string]KeyStatus {
	f.t.Helper()
	ks, errs := f.client.Keys(context.Background())
	for _, err := range errs {
		f.t.Errorf("Keys: %v", err)
	}
	m := map[string]KeyStatus{}
	for _, k := range ks {
		if prev, ok := m[k.Key.ID]; ok {
			f.t.Errorf("key %s listed twice (%s, %s)", k.Key.ID, prev.Key.Location, k.Key.Location)
		}
		m[k.Key.ID] = k
	}
	return m
}

// successors returns the keys on the media that replace the current key.
func (f *fixture) successors() []KeyStatus {
	var out []KeyStatus
	for _, k := range f.keys() {
		if k.Key.Replaces == f.current.ID() {
			out = append(out, k)
		}
	}
	return out
}

// checkSigns checks that key id opens with password and signs.
func (f *fixture) checkSigns(id string, password []byte) {
	f.t.Helper()
	ct, err := media.Load(filepath.Join(f.keys()[id].Key.Location))
	if err != nil {
		f.t.Fatal(err)
	}
	uk, err := ct.Unlock(password)
	if err != nil {
		f.t.Fatalf("unlocking key %s: %v", id, err)
	}
	sg, err := uk.Signer()
	if err != nil {
		f.t.Fatalf("key %s does not sign: %v", id, err)
	}
	if err := signWith(sg, sg.Public(), []byte("test")); err != nil {
		f.t.Fatalf("key %s: %v", id, err)
	}
}

func (f *fixture) renew() *RenewResult {
	f.t.Helper()
	res, err := f.client.Renew(context.Background(), f.current.ID()[:8])
	if err != nil {
		f.t.Fatalf("Renew: %v", err)
	}
	return res
}

func (f *fixture) sync() *SyncResult {
	f.t.Helper()
	res, err := f.client.Sync(context.Background())
	if err != nil {
		f.t.Fatalf("Sync: %v", err)
	}
	return res
}

func (f *fixture) outbox() []*OutboxItem {
	f.t.Helper()
	items, errs := f.spool.Outbox()
	for _, err := range errs {
		f.t.Error(err)
	}
	return items
}

func hasNotice(s *Script, msg i18n.Key) bool {
	for _, n := range s.Notices() {
		if n.Msg == msg {
			return true
		}
	}
	return false
}
