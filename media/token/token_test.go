package token

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/miekg/pkcs11"

	"rekey/internal/softhsmtest"
	"rekey/media"
	"rekey/pki"
)

const testURL = "https://cmp.operator.test/.well-known/cmp"

var serial int64

// newCA makes an ECDSA CA and returns its certificate and an issuing
// function.
func newCA(t *testing.T, name string) (*pki.Certificate, func(pub any, days int) []byte) {
	t.Helper()
	key, err := pki.ProfileECDSA.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	serial++
	now := time.Now().Truncate(time.Second)
	der, err := pki.CreateCertificate(&pki.Template{
		SerialNumber: big.NewInt(serial),
		Subject:      &pki.Subject{Country: "RU", CommonName: name},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(5, 0, 0),
		Extensions: pki.Extensions{
			BasicConstraints: &pki.BasicConstraints{IsCA: true, MaxPathLen: -1},
			KeyUsage:         x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		},
	}, nil, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := pki.ParseCertificate(der)
	issue := func(pub any, days int) []byte {
		t.Helper()
		serial++
		der, err := pki.CreateCertificate(&pki.Template{
			SerialNumber: big.NewInt(serial),
			Subject:      &pki.Subject{Country: "RU", CommonName: "ООО Тест", INN: "009901888821"},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.AddDate(0, 0, days),
			Extensions:   pki.Extensions{KeyUsage: x509.KeyUsageDigitalSignature},
		}, ca, pub, key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	return ca, issue
}

func openToken(t *testing.T, tok *softhsmtest.Token) *Token {
	t.Helper()
	tk, err := Open(tok.Module, tok.Label)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tk.Close() })
	return tk
}

func sign(t *testing.T, tk *Token, id string) {
	t.Helper()
	s, err := tk.Signer(id)
	if err != nil {
		t.Fatalf("Signer(%s): %v", id, err)
	}
	d := sha256.Sum256([]byte("квитанция"))
	sig, err := s.Sign(nil, d[:], nil)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	if !ecdsa.VerifyASN1(s.Public().(*ecdsa.PublicKey), d[:], sig) {
		t.Fatal("the token's signature does not verify with crypto/ecdsa")
	}
}

func keyByID(keys []media.Key, id string) *media.Key {
	for i := range keys {
		if keys[i].ID == id {
			return &keys[i]
		}
	}
	return nil
}

func TestTokenRenewal(t *testing.T) {
	tok := softhsmtest.Require(t)
	tk := openToken(t, tok)
	ca, issue := newCA(t, "УЦ")
	opts := &GenerateOptions{CA: ca.Raw, OperatorURL: testURL}
	if _, _, err := tk.Generate(opts); err == nil || !strings.Contains(err.Error(), "log in") {
		t.Errorf("Generate before login: %v", err)
	}
	if err := tk.Login(tok.PIN); err != nil {
		t.Fatal(err)
	}

	// Generate on the token; the private key stays there.
	k1, s1, err := tk.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	if k1.State != media.StatePending || k1.Kind != media.KindToken || k1.Media != tok.Label {
		t.Errorf("new key %+v", k1)
	}
	if id, _ := media.KeyID(s1.Public()); id != k1.ID {
		t.Errorf("id %s, want %s", k1.ID, id)
	}
	checkNotExtractable(t, tk, k1.ID)
	sign(t, tk, k1.ID)

	// Certificate: refused for another key or CA, then installed.
	other, _ := pki.ProfileECDSA.GenerateKey(nil)
	if err := tk.InstallCertificate(k1.ID, issue(other.Public(), 300)); !errors.Is(err, media.ErrKeyMismatch) {
		t.Errorf("certificate of another key: %v", err)
	}
	_, otherIssue := newCA(t, "УЦ")
	if err := tk.InstallCertificate(k1.ID, otherIssue(s1.Public(), 300)); !errors.Is(err, media.ErrWrongIssuer) {
		t.Errorf("certificate of another CA: %v", err)
	}
	der1 := issue(s1.Public(), 300)
	if err := tk.InstallCertificate(k1.ID, der1); err != nil {
		t.Fatal(err)
	}
	if err := tk.InstallCertificate(k1.ID, der1); err != nil {
		t.Errorf("installing again: %v", err)
	}
	// The certificate is on the token, with the key's CKA_ID.
	idb, _ := idBytes(k1.ID)
	hs, err := tk.find([]*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE),
		pkcs11.NewAttribute(pkcs11.CKA_ID, idb),
	})
	if err != nil || len(hs) != 1 {
		t.Fatalf("certificate objects with the key's CKA_ID: %d, %v", len(hs), err)
	}
	if v, _ := tk.attr(hs[0], pkcs11.CKA_VALUE); string(v) != string(der1) {
		t.Error("the certificate on the token differs from the one installed")
	}

	// Renewal on the same token; the new key's record keeps the office
	// contact (the old one has none, as a key made before it existed).
	office := &media.Office{RU: "офис оператора, тел. 610-56-10", EN: "the office, tel. 610-56-10"}
	opts.Replaces, opts.Office = k1.ID, office
	k2, s2, err := tk.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := tk.InstallCertificate(k2.ID, issue(s2.Public(), 365)); err != nil {
		t.Fatal(err)
	}
	if err := tk.Archive(k1.ID, k2.ID); err != nil {
		t.Fatal(err)
	}
	if err := tk.Archive(k1.ID, k2.ID); err != nil {
		t.Errorf("archiving again: %v", err)
	}
	if _, err := tk.Signer(k1.ID); !errors.Is(err, media.ErrArchived) {
		t.Errorf("Signer of an archived key: %v", err)
	}
	h, _ := tk.privateKey(k1.ID)
	if v, _ := tk.attr(h, pkcs11.CKA_SIGN); len(v) != 1 || v[0] != 0 {
		t.Errorf("archived key has CKA_SIGN %v", v)
	}
	if v, _ := tk.attr(h, pkcs11.CKA_DERIVE); len(v) != 1 || v[0] != 1 {
		t.Errorf("archived key has CKA_DERIVE %v, want it kept to decrypt", v)
	}
	sign(t, tk, k2.ID)

	err = tk.Backup(k2.ID)
	if !errors.Is(err, media.ErrNotExtractable) || !strings.Contains(err.Error(), "non-extractable") {
		t.Errorf("Backup: %v", err)
	}

	// Listing needs no PIN. (Login state is shared by all sessions of a
	// process with a token, PKCS#11 v2.40 §5.5: log out first.)
	tk.Close()
	anon := openToken(t, tok)
	keys, errs := anon.Keys()
	if len(errs) != 0 || len(keys) != 2 {
		t.Fatalf("Keys: %d keys, errors %v", len(keys), errs)
	}
	a, b := keyByID(keys, k1.ID), keyByID(keys, k2.ID)
	if a == nil || a.State != media.StateArchived || a.Successor != k2.ID || a.Certificate == nil ||
		a.Office != nil {
		t.Errorf("old key listed as %+v", a)
	}
	if b != nil && (b.Office == nil || *b.Office != *office) {
		t.Errorf("new key's office is %+v, want %+v", b.Office, office)
	}
	if b == nil || b.State != media.StateActive || b.Replaces != k1.ID || b.Certificate == nil ||
		b.KeyExpires.Before(time.Now().AddDate(0, 0, 364)) || b.Operator != testURL || b.CA == nil {
		t.Errorf("new key listed as %+v", b)
	}
	if _, err := anon.Signer(k2.ID); err == nil || !strings.Contains(err.Error(), "log in") {
		t.Errorf("Signer without login: %v", err)
	}

	all, errs := AllKeys(tok.Module)
	if len(errs) != 0 || keyByID(all, k1.ID) == nil || keyByID(all, k2.ID) == nil {
		t.Errorf("AllKeys: %d keys, errors %v", len(all), errs)
	}
}

// checkNotExtractable reads the private key's protection attributes and
// tries to read its value.
func checkNotExtractable(t *testing.T, tk *Token, id string) {
	t.Helper()
	h, err := tk.privateKey(id)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		typ  uint
		name string
		want byte
	}{{pkcs11.CKA_EXTRACTABLE, "CKA_EXTRACTABLE", 0}, {pkcs11.CKA_SENSITIVE, "CKA_SENSITIVE", 1},
		{pkcs11.CKA_NEVER_EXTRACTABLE, "CKA_NEVER_EXTRACTABLE", 1}} {
		if v, err := tk.attr(h, a.typ); err != nil || len(v) != 1 || v[0] != a.want {
			t.Errorf("%s = %v, %v; want %d", a.name, v, err, a.want)
		}
	}
	_, err = tk.mod.ctx.GetAttributeValue(tk.sess, h,
		[]*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_VALUE, nil)})
	if !isCode(err, pkcs11.CKR_ATTRIBUTE_SENSITIVE) {
		t.Errorf("reading CKA_VALUE of the private key: %v, want CKR_ATTRIBUTE_SENSITIVE", err)
	}
}

func TestWrongPIN(t *testing.T) {
	tok := softhsmtest.Require(t)
	tk := openToken(t, tok)
	wrong := "00000000"
	err := tk.Login(wrong)
	var pe *media.PINError
	if !errors.As(err, &pe) || !errors.Is(err, media.ErrWrongPIN) {
		t.Fatalf("Login with a wrong PIN: %v, want a *PINError with ErrWrongPIN", err)
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), tok.PIN) ||
		!strings.Contains(err.Error(), tok.Label) {
		t.Errorf("error text %q", err)
	}
	t.Logf("SoftHSM2 after a wrong PIN: %v", err)
	// SoftHSM2 counts wrong PINs and locks the user PIN after too many;
	// watch the flags it reports on the way (logged for the report).
	seen := map[media.Retries]bool{pe.Retries: true}
	for i := 0; i < 20 && !errors.Is(err, media.ErrPINLocked); i++ {
		err = tk.Login(wrong)
		if errors.As(err, &pe) {
			seen[pe.Retries] = true
		}
	}
	t.Logf("retry states seen: %v; last error: %v", seen, err)
	if errors.Is(err, media.ErrPINLocked) {
		if err := tk.Login(tok.PIN); !errors.Is(err, media.ErrPINLocked) {
			t.Errorf("the right PIN on a locked token: %v, want ErrPINLocked", err)
		}
		if r, _ := tk.PINStatus(); r != media.RetriesNone {
			t.Errorf("PINStatus of a locked token: %v", r)
		}
	} else if err := tk.Login(tok.PIN); err != nil {
		t.Errorf("the right PIN after wrong ones: %v", err)
	}
}

func TestGOSTSupport(t *testing.T) {
	tok := softhsmtest.Require(t)
	tk := openToken(t, tok)
	for _, p := range []*pki.Profile{pki.ProfileGOST256, pki.ProfileGOST512} {
		err := tk.Supports(p)
		switch {
		case err == nil:
			t.Logf("%s: the token supports %s", tok.Label, p.Name)
		case errors.Is(err, media.ErrUnsupported):
			t.Logf("%v", err)
			if err := tk.Login(tok.PIN); err != nil {
				t.Fatal(err)
			}
			ca, _ := newCA(t, "УЦ")
			_, _, gerr := tk.Generate(&GenerateOptions{Profile: p, CA: ca.Raw, OperatorURL: testURL})
			if !errors.Is(gerr, media.ErrUnsupported) {
				t.Errorf("Generate(%s): %v, want ErrUnsupported", p.Name, gerr)
			}
		default:
			t.Errorf("Supports(%s): %v", p.Name, err)
		}
	}
	if err := tk.Supports(pki.ProfileECDSA); err != nil {
		t.Errorf("Supports(ECDSA): %v", err)
	}
}

func TestMissingToken(t *testing.T) {
	tok := softhsmtest.Require(t)
	if _, err := Open(tok.Module, "no such token"); !errors.Is(err, media.ErrMediaMissing) {
		t.Errorf("Open of an absent token: %v, want ErrMediaMissing", err)
	}
	if _, err := Open("/nonexistent/libpkcs11.so", ""); err == nil {
		t.Error("Open with a missing module succeeded")
	}
}

func TestECDSAASN1(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{"0102", "3006020101020102"},
		{"80ff", "30080202008002020" + "0ff"},
		{"00000001", "3006020100020101"},
		{"00000000", "3006020100020100"},
	} {
		raw := mustHex(tc.raw)
		got, err := ecdsaASN1(raw)
		if err != nil || hexs(got) != tc.want {
			t.Errorf("ecdsaASN1(%s) = %s, %v; want %s", tc.raw, hexs(got), err, tc.want)
		}
	}
	if _, err := ecdsaASN1([]byte{1, 2, 3}); err == nil {
		t.Error("odd-length signature accepted")
	}
}
