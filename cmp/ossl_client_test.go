package cmp

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"rekey/internal/ossltest"
	"rekey/pki"
)

// testCA answers OpenSSL's requests with messages this package builds: a
// test of the encoder and of the protections from the other side. It is
// no server: it checks nothing but what the test needs.
type testCA struct {
	t      *testing.T
	key    crypto.Signer
	cert   *pki.Certificate
	secret []byte
	mac    MACAlgorithm

	mu     sync.Mutex
	issued []byte   // the last certificate issued
	seen   []string // body types received
}

func (ca *testCA) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	der, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, err := ca.answer(der)
	if err != nil {
		ca.t.Errorf("test CA: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/pkixcmp")
	w.Write(resp)
}

func (ca *testCA) answer(der []byte) ([]byte, error) {
	req, err := ParseMessage(der)
	if err != nil {
		return nil, err
	}
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.seen = append(ca.seen, req.Body.Type.String())
	if _, err := req.Verify(ca.secret); err != nil {
		return nil, err
	}
	resp := &Message{Header: Header{
		PVNO:          PVNO2000,
		Sender:        DirectoryName(ca.cert.RawSubject),
		Recipient:     req.Header.Sender,
		MessageTime:   time.Now().Truncate(time.Second),
		TransactionID: req.Header.TransactionID,
		SenderNonce:   randomBytes(16),
		RecipNonce:    req.Header.SenderNonce,
	}}
	switch req.Body.Type {
	case TypeIR, TypeKUR:
		if resp.Body, err = ca.issue(req); err != nil {
			return nil, err
		}
	case TypeCertConf:
		cert, err := pki.ParseCertificate(ca.issued)
		if err != nil {
			return nil, err
		}
		if err := req.Body.CertConf[0].CheckHash(cert); err != nil {
			return nil, err
		}
		resp.Body = Body{Type: TypePKIConf}
	default:
		return nil, errorf(FailBadRequest, "unexpected %s", req.Body.Type)
	}
	if req.IsMACProtected() {
		resp.Header.SenderKID = req.Header.SenderKID
		err = resp.ProtectMAC(ca.secret, &MACOptions{Algorithm: ca.mac, Iterations: 1000})
	} else {
		resp.Header.SenderKID = ca.cert.Extensions.SubjectKeyID
		resp.ExtraCerts = [][]byte{ca.cert.Raw}
		err = resp.Sign(ca.key, rand.Reader)
	}
	if err != nil {
		return nil, err
	}
	return resp.Marshal()
}

// issue certifies the key of the first request.
func (ca *testCA) issue(req *Message) (Body, error) {
	r := &req.Body.CertReq[0]
	if err := r.VerifyPOP(); err != nil {
		return Body{}, err
	}
	pub, err := pki.ParsePKIXPublicKey(r.CertReq.Template.PublicKey)
	if err != nil {
		return Body{}, err
	}
	tmpl := &pki.Template{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		RawSubject:   r.CertReq.Template.Subject,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	cert, err := pki.CreateCertificate(tmpl, ca.cert, pub, ca.key)
	if err != nil {
		return Body{}, err
	}
	ca.issued = cert
	typ := TypeIP
	if req.Body.Type == TypeKUR {
		typ = TypeKUP
	}
	return Body{Type: typ, CertRep: &CertRepMessage{Response: []CertResponse{{
		CertReqID:        r.CertReq.CertReqID,
		Status:           StatusInfo{Status: StatusAccepted},
		CertifiedKeyPair: &CertifiedKeyPair{Certificate: cert},
	}}}}, nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// TestOpenSSLClientAcceptsResponses runs "openssl cmp" against testCA on
// 127.0.0.1: ir with a MAC, then kur signed with the enrolled key, each
// answered by a response this package built and protected, then certConf
// and pkiConf. OpenSSL accepting the certificate it asked for shows that it
// parses and verifies what we write.
func TestOpenSSLClientAcceptsResponses(t *testing.T) {
	o := ossltest.Require(t)
	ps := testParties(t)
	profiles := []struct {
		name    string
		ca      *party
		genpkey []string
		digest  string
		mac     MACAlgorithm
		macName string
	}{
		{"ecdsa", ps["ecdsa"], []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"},
			"sha256", PBMWithSHA256, "hmac-sha1"},
		{"gost2012-256", ps["gost256"], []string{"-algorithm", "gost2012_256", "-pkeyopt",
			"paramset:A"}, "GOST R 34.11-2012 with 256 bit hash", PBMWithStreebog512,
			"HMAC GOST 34.11-2012 512 bit"},
	}
	for _, p := range profiles {
		t.Run(p.name, func(t *testing.T) {
			ca := &testCA{t: t, key: p.ca.key, cert: p.ca.cert, secret: []byte("s3cret"),
				mac: p.mac}
			srv := httptest.NewServer(ca)
			defer srv.Close()
			dir := t.TempDir()
			path := func(name string) string { return filepath.Join(dir, name) }
			caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})
			ossltest.WriteFile(t, dir, "ca.pem", caPEM)
			for _, k := range []string{"first.key", "second.key"} {
				o.Run(t, nil, append(append([]string{"genpkey"}, p.genpkey...), "-out", path(k))...)
			}
			common := []string{"-server", strings.TrimPrefix(srv.URL, "http://"),
				"-recipient", "/CN=rekey CA", "-digest", p.digest, "-srvcert", path("ca.pem"),
				"-msg_timeout", "20", "-total_timeout", "30"}
			ir := append([]string{"cmp", "-cmd", "ir", "-secret", "pass:s3cret", "-ref", "4787",
				"-mac", p.macName, "-subject", "/CN=first", "-newkey", path("first.key"),
				"-certout", path("first.pem")}, common...)
			if _, err := o.Exec(nil, ir...); err != nil {
				t.Fatalf("ir: %v", err)
			}
			first := loadCert(t, path("first.pem"))
			kur := append([]string{"cmp", "-cmd", "kur", "-cert", path("first.pem"), "-key",
				path("first.key"), "-newkey", path("second.key"), "-certout",
				path("second.pem")}, common...)
			if _, err := o.Exec(nil, kur...); err != nil {
				t.Fatalf("kur: %v", err)
			}
			second := loadCert(t, path("second.pem"))
			if !bytes.Equal(first.RawSubject, second.RawSubject) {
				t.Errorf("kur changed the subject")
			}
			if got := strings.Join(ca.seen, " "); got != "ir certConf kur certConf" {
				t.Errorf("CA saw %q", got)
			}
		})
	}
}
