package pki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/gost/gost3410"
)

// keyFixturePassword is the password of every encrypted file under
// testdata/keys (see testdata/SOURCES-keys.md).
var keyFixturePassword = []byte("rekey-fuzz")

// fastKeyOpts keeps PBKDF2 cheap in tests.
func fastKeyOpts(s PBES2Scheme) *KeyEncryptionOptions {
	return &KeyEncryptionOptions{Scheme: s, Iterations: 16}
}

type namedPrivKey struct {
	name string
	key  crypto.Signer
}

// privKeyTestKeys returns fresh keys of both profiles on a sample of the
// GOST curves.
func privKeyTestKeys(t testing.TB) []namedPrivKey {
	t.Helper()
	var keys []namedPrivKey
	for _, c := range []*gost3410.Curve{gost3410.TC26256A, gost3410.CryptoProA,
		gost3410.CryptoProC, gost3410.Test256, gost3410.TC26512A, gost3410.TC26512C,
		gost3410.Test512} {
		k, err := gost3410.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, namedPrivKey{"gost-" + c.Name(), k})
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return append(keys, namedPrivKey{"ecdsa-p256", k})
}

type privKeyEqualer interface {
	Equal(crypto.PrivateKey) bool
}

func samePrivKey(a, b crypto.Signer) bool {
	e, ok := a.(privKeyEqualer)
	return ok && e.Equal(b)
}

func readKeyFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "keys", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestPKCS8RoundTrip(t *testing.T) {
	for _, nk := range privKeyTestKeys(t) {
		t.Run(nk.name, func(t *testing.T) {
			der, err := MarshalPKCS8PrivateKey(nk.key)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParsePKCS8PrivateKey(der)
			if err != nil {
				t.Fatal(err)
			}
			if !samePrivKey(got, nk.key) {
				t.Fatalf("parsed key differs from the marshaled one")
			}
			again, err := MarshalPKCS8PrivateKey(got)
			if err != nil || !bytes.Equal(again, der) {
				t.Fatalf("second marshal differs (err %v)", err)
			}
		})
	}
}

func TestPKCS8EncryptedRoundTrip(t *testing.T) {
	for _, nk := range privKeyTestKeys(t) {
		for _, s := range []PBES2Scheme{PBES2Default, PBES2Kuznyechik, PBES2AES256CBC} {
			der, warn, err := MarshalEncryptedPKCS8PrivateKey(nk.key, []byte("пароль"), fastKeyOpts(s))
			if err != nil {
				t.Fatalf("%s scheme %d: %v", nk.name, s, err)
			}
			if warn != "" {
				t.Errorf("%s scheme %d: warning %q, want none", nk.name, s, warn)
			}
			got, err := ParseEncryptedPKCS8PrivateKey(der, []byte("пароль"))
			if err != nil {
				t.Fatalf("%s scheme %d: %v", nk.name, s, err)
			}
			if !samePrivKey(got, nk.key) {
				t.Fatalf("%s scheme %d: decrypted key differs", nk.name, s)
			}
		}
	}
}

// TestPKCS8DefaultScheme checks the profile defaults: Kuznyechik with
// Streebog for GOST, AES-256-CBC with SHA-256 for ECDSA.
func TestPKCS8DefaultScheme(t *testing.T) {
	for _, nk := range privKeyTestKeys(t)[:1] {
		der, _, err := MarshalEncryptedPKCS8PrivateKey(nk.key, []byte("p"), &KeyEncryptionOptions{Iterations: 3})
		if err != nil {
			t.Fatal(err)
		}
		p := parseTestPBES2(t, der)
		if !p.cipher.oid.Equal(oidKuznyechikCTRACPKM) || !p.prf.oid.Equal(oidHMACWithStreebog512) ||
			p.iter != 3 || len(p.salt) != 16 || len(p.iv) != 16 {
			t.Errorf("GOST: got cipher %v prf %v iter %d salt %d ukm %d",
				p.cipher.oid, p.prf.oid, p.iter, len(p.salt), len(p.iv))
		}
	}
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _, err := MarshalEncryptedPKCS8PrivateKey(k, []byte("p"), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := parseTestPBES2(t, der)
	if !p.cipher.oid.Equal(oidAES256CBC) || !p.prf.oid.Equal(oidHMACWithSHA256) ||
		p.iter != DefaultIterationsAES {
		t.Errorf("ECDSA: got cipher %v prf %v iter %d", p.cipher.oid, p.prf.oid, p.iter)
	}
}

func parseTestPBES2(t *testing.T, der []byte) *pbes2Params {
	t.Helper()
	in := cryptobyte.String(der)
	var epki, alg cryptobyte.String
	if !in.ReadASN1(&epki, cbasn1.SEQUENCE) || !epki.ReadASN1(&alg, cbasn1.SEQUENCE) {
		t.Fatal("malformed EncryptedPrivateKeyInfo")
	}
	p, err := parsePBES2Algorithm(alg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPKCS8WrongPassword(t *testing.T) {
	for _, nk := range privKeyTestKeys(t) {
		for _, s := range []PBES2Scheme{PBES2Kuznyechik, PBES2AES256CBC} {
			der, _, err := MarshalEncryptedPKCS8PrivateKey(nk.key, []byte("right"), fastKeyOpts(s))
			if err != nil {
				t.Fatal(err)
			}
			for _, pw := range []string{"wrong", "", "right "} {
				_, err = ParseEncryptedPKCS8PrivateKey(der, []byte(pw))
				if !errors.Is(err, ErrWrongPassword) {
					t.Errorf("%s scheme %d password %q: got %v, want ErrWrongPassword",
						nk.name, s, pw, err)
				}
				if err != nil && strings.Contains(err.Error(), "right") {
					t.Errorf("error %q quotes the password", err)
				}
			}
		}
	}
}

// TestPKCS8Tampered flips ciphertext bytes that a decryption must notice:
// the DER header (both schemes) and the CBC padding. CTR-ACPKM has no MAC,
// so a flipped key byte goes unnoticed there (the Known issue of
// MarshalEncryptedPKCS8PrivateKey); TestPKCS8KuznyechikMalleable pins that.
func TestPKCS8Tampered(t *testing.T) {
	for _, nk := range privKeyTestKeys(t) {
		for _, s := range []PBES2Scheme{PBES2Kuznyechik, PBES2AES256CBC} {
			der, _, err := MarshalEncryptedPKCS8PrivateKey(nk.key, []byte("pw"), fastKeyOpts(s))
			if err != nil {
				t.Fatal(err)
			}
			ctStart := len(der) - p8CiphertextLen(t, der)
			offsets := []int{ctStart, ctStart + 1}
			if s == PBES2AES256CBC {
				offsets = append(offsets, len(der)-1, len(der)-17)
			}
			for _, off := range offsets {
				bad := bytes.Clone(der)
				bad[off] ^= 0x01
				if _, err := ParseEncryptedPKCS8PrivateKey(bad, []byte("pw")); err == nil {
					t.Errorf("%s scheme %d: flipping byte %d went unnoticed", nk.name, s, off)
				}
			}
		}
	}
}

// p8CiphertextLen returns the length of the encryptedData OCTET STRING's
// content, which ends the DER.
func p8CiphertextLen(t *testing.T, der []byte) int {
	in := cryptobyte.String(der)
	var epki cryptobyte.String
	var ct []byte
	if !in.ReadASN1(&epki, cbasn1.SEQUENCE) || !epki.SkipASN1(cbasn1.SEQUENCE) ||
		!epki.ReadASN1Bytes(&ct, cbasn1.OCTET_STRING) {
		t.Fatal("malformed EncryptedPrivateKeyInfo")
	}
	return len(ct)
}

func TestPKCS8KuznyechikMalleable(t *testing.T) {
	k, err := gost3410.GenerateKey(gost3410.TC26256A, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _, err := MarshalEncryptedPKCS8PrivateKey(k, []byte("pw"), fastKeyOpts(PBES2Kuznyechik))
	if err != nil {
		t.Fatal(err)
	}
	der[len(der)-1] ^= 0x01 // the top byte of the little-endian scalar
	got, err := ParseEncryptedPKCS8PrivateKey(der, []byte("pw"))
	if err != nil {
		t.Skipf("the flipped scalar fell out of range: %v", err)
	}
	if samePrivKey(got, k) {
		t.Fatal("flipping a ciphertext byte left the key unchanged")
	}
}

func TestPKCS8EmptyPassword(t *testing.T) {
	for _, nk := range privKeyTestKeys(t) {
		der, warn, err := MarshalEncryptedPKCS8PrivateKey(nk.key, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if warn != WarningUnencrypted {
			t.Errorf("%s: warning %q, want WarningUnencrypted", nk.name, warn)
		}
		plain, _ := MarshalPKCS8PrivateKey(nk.key)
		if !bytes.Equal(der, plain) {
			t.Errorf("%s: empty password did not give the plain PrivateKeyInfo", nk.name)
		}
		p, warn, err := MarshalPrivateKeyPEM(nk.key, []byte{}, nil)
		if err != nil || warn != WarningUnencrypted {
			t.Fatalf("%s: PEM: warning %q, err %v", nk.name, warn, err)
		}
		block, _ := pem.Decode(p)
		if block == nil || block.Type != PEMTypePrivateKey {
			t.Fatalf("%s: PEM block %v, want PRIVATE KEY", nk.name, block)
		}
		if IsEncryptedPrivateKeyPEM(p) {
			t.Errorf("%s: IsEncryptedPrivateKeyPEM = true for a plain key", nk.name)
		}
	}
}

func TestPrivKeyPEMRoundTrip(t *testing.T) {
	for _, nk := range privKeyTestKeys(t) {
		p, warn, err := MarshalPrivateKeyPEM(nk.key, []byte("pw"), fastKeyOpts(PBES2Default))
		if err != nil || warn != "" {
			t.Fatalf("%s: warning %q, err %v", nk.name, warn, err)
		}
		if !bytes.HasPrefix(p, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\n")) ||
			!IsEncryptedPrivateKeyPEM(p) {
			t.Fatalf("%s: not an ENCRYPTED PRIVATE KEY block:\n%s", nk.name, p)
		}
		// A certificate before the key is skipped.
		withCert := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), p...)
		got, err := ParsePrivateKeyPEM(withCert, []byte("pw"))
		if err != nil || !samePrivKey(got, nk.key) {
			t.Fatalf("%s: got err %v or a different key", nk.name, err)
		}
		if _, err := ParsePrivateKeyPEM(p, []byte("pW")); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("%s: wrong password: got %v", nk.name, err)
		}
	}
	if _, err := ParsePrivateKeyPEM([]byte("no pem here"), nil); err == nil {
		t.Error("parsing text without PEM succeeded")
	}
}

// gostPKCS8 builds a GOST PrivateKeyInfo with the given privateKey content
// and, when pub is not nil, version 1 with a [1] publicKey.
func gostPKCS8(c *gost3410.Curve, content, pub []byte) []byte {
	alg := OIDPublicKeyGOST256
	if c.Size() == 64 {
		alg = OIDPublicKeyGOST512
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(map[bool]int64{false: 0, true: 1}[pub != nil])
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(alg)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(c.OID())
			})
		})
		b.AddASN1OctetString(content)
		if pub != nil {
			b.AddASN1(cbasn1.Tag(1).ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddUint8(0)
				b.AddASN1OctetString(pub)
			})
		}
	})
	return b.BytesOrPanic()
}

func p8LEToInt(le []byte) *big.Int {
	be := bytes.Clone(le)
	reverseKeyBytes(be)
	return new(big.Int).SetBytes(be)
}

func p8IntToLE(n *big.Int, size int) []byte {
	b := n.FillBytes(make([]byte, size))
	reverseKeyBytes(b)
	return b
}

// TestPKCS8GOSTForms reads the privateKey encodings other producers use.
func TestPKCS8GOSTForms(t *testing.T) {
	for _, c := range []*gost3410.Curve{gost3410.TC26256A, gost3410.TC26512B} {
		k, err := gost3410.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		raw := k.Raw()
		d, q := p8LEToInt(raw), c.Params().Q

		var octet, integer cryptobyte.Builder
		octet.AddASN1OctetString(raw)
		integer.AddASN1BigInt(d)
		mask := big.NewInt(0x1234567)
		masked := new(big.Int).Mul(d, new(big.Int).ModInverse(mask, q))
		masked.Mod(masked, q)
		maskedForm := append(p8IntToLE(masked, c.Size()), p8IntToLE(mask, c.Size())...)

		for _, f := range []struct {
			name    string
			content []byte
		}{
			{"raw", raw},
			{"octet string", octet.BytesOrPanic()},
			{"integer", integer.BytesOrPanic()},
			{"masked", maskedForm},
		} {
			got, err := ParsePKCS8PrivateKey(gostPKCS8(c, f.content, nil))
			if err != nil {
				t.Errorf("%s %s: %v", c.Name(), f.name, err)
				continue
			}
			if !samePrivKey(got, k) {
				t.Errorf("%s %s: parsed a different key", c.Name(), f.name)
			}
		}

		pub := k.PublicKey().Raw()
		if got, err := ParsePKCS8PrivateKey(gostPKCS8(c, raw, pub)); err != nil || !samePrivKey(got, k) {
			t.Errorf("%s: version 1 with the public key: %v", c.Name(), err)
		}
		pub[0] ^= 1
		if _, err := ParsePKCS8PrivateKey(gostPKCS8(c, raw, pub)); err == nil {
			t.Errorf("%s: a mismatching public key was accepted", c.Name())
		}
	}
}

func TestPKCS8GOSTRejects(t *testing.T) {
	c := gost3410.TC26256A
	q := c.Params().Q
	for _, tc := range []struct {
		name string
		der  []byte
	}{
		{"zero scalar", gostPKCS8(c, make([]byte, 32), nil)},
		{"scalar q", gostPKCS8(c, p8IntToLE(q, 32), nil)},
		{"short raw", gostPKCS8(c, []byte{1, 2, 3}, nil)},
		{"empty", gostPKCS8(c, nil, nil)},
		{"trailing data", append(gostPKCS8(c, p8IntToLE(big.NewInt(5), 32), nil), 0)},
	} {
		if _, err := ParsePKCS8PrivateKey(tc.der); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	// A 512-bit curve under the 256-bit algorithm OID.
	bad := gostPKCS8(c, p8IntToLE(big.NewInt(5), 32), nil)
	from, _ := asn1.Marshal(c.OID())
	to, _ := asn1.Marshal(gost3410.TC26512A.OID())
	bad = bytes.Replace(bad, from, to, 1)
	if _, err := ParsePKCS8PrivateKey(bad); err == nil {
		t.Error("a 512-bit curve under the 256-bit algorithm was accepted")
	}
}

// TestPKCS8OpenSSLFixtures decrypts the files OpenSSL made (committed
// under testdata/keys) and compares them with the plain keys.
func TestPKCS8OpenSSLFixtures(t *testing.T) {
	for _, tc := range []struct{ plain, enc string }{
		{"gost256-cpa-plain.pem", "gost256-cpa-kuznyechik-streebog.pem"},
		{"gost256-cpa-plain.pem", "gost256-cpa-magma-streebog.pem"},
		{"gost512-c-plain.pem", "gost512-c-kuznyechik-streebog.pem"},
		{"gost512-c-plain.pem", "gost512-c-kuznyechik-sha256.pem"},
		{"gost512-c-plain.pem", "gost512-c-gost89-streebog.pem"},
		{"ecdsa-p256-plain.pem", "ecdsa-p256-aes256-sha256.pem"},
		{"ecdsa-p256-plain.pem", "ecdsa-p256-aes128-sha1.pem"},
	} {
		want, err := ParsePrivateKeyPEM(readKeyFixture(t, tc.plain), nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.plain, err)
		}
		got, err := ParsePrivateKeyPEM(readKeyFixture(t, tc.enc), keyFixturePassword)
		if err != nil {
			t.Fatalf("%s: %v", tc.enc, err)
		}
		if !samePrivKey(got, want) {
			t.Errorf("%s: decrypted key differs from %s", tc.enc, tc.plain)
		}
		if _, err := ParsePrivateKeyPEM(readKeyFixture(t, tc.enc), []byte("wrong")); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("%s: wrong password: got %v", tc.enc, err)
		}
	}
	// OpenSSL's plain GOST PKCS#8 is byte for byte what we write.
	for _, name := range []string{"gost256-cpa-plain.pem", "gost512-c-plain.pem"} {
		data := readKeyFixture(t, name)
		k, err := ParsePrivateKeyPEM(data, nil)
		if err != nil {
			t.Fatal(err)
		}
		p, _, err := MarshalPrivateKeyPEM(k, nil, nil)
		if err != nil || !bytes.Equal(p, data) {
			t.Errorf("%s: re-marshaled PEM differs (err %v)", name, err)
		}
	}
	// gost-engine's CTR-ACPKM-OMAC output is refused as unsupported.
	_, err := ParsePrivateKeyPEM(readKeyFixture(t, "gost256-cpa-kuznyechik-omac-unreadable.pem"), keyFixturePassword)
	if !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("CTR-ACPKM-OMAC: got %v, want ErrUnsupportedAlgorithm", err)
	}
}
