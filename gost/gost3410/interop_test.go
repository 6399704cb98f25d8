package gost3410

import (
	"bytes"
	"crypto/rand"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"path/filepath"
	"testing"

	"rekey/gost/streebog"
	"rekey/internal/ossltest"
)

// Differential tests against OpenSSL 3 with the GOST engine. Findings
// about gost-engine 3.0.1's conventions, which these tests pin down:
//
//   - "openssl pkeyutl -sign/-verify" takes the digest bytes as the hash
//     outputs them (e read little-endian) and a raw signature s||r, each
//     half big-endian — the same layout as the X.509 signatureValue.
//   - "openssl pkeyutl -derive" computes VKO with Streebog-256 (32 bytes)
//     for both key sizes; the UKM is given as "-pkeyopt ukmhex:HEX", the
//     UKM bytes in the order this package takes them (little-endian).
//   - Paramset names: "-pkeyopt paramset:" TCA, TCB, TCC, TCD (and the
//     CryptoPro names A, B, C, XA, XB) for gost2012_256; A, B, C for
//     gost2012_512.

var (
	oidGost256     = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}
	oidGost512     = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}
	oidStreebog256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
	oidStreebog512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}
)

type interopCurve struct {
	c         *Curve
	algorithm string // openssl genpkey -algorithm
	paramset  string
	oid       string // the OID OpenSSL writes for this paramset
}

var interopCurves = []interopCurve{
	{TC26256A, "gost2012_256", "TCA", "1.2.643.7.1.2.1.1.1"},
	{CryptoProA, "gost2012_256", "TCB", "1.2.643.7.1.2.1.1.2"},
	{CryptoProB, "gost2012_256", "TCC", "1.2.643.7.1.2.1.1.3"},
	{CryptoProC, "gost2012_256", "TCD", "1.2.643.7.1.2.1.1.4"},
	{CryptoProA, "gost2012_256", "A", "1.2.643.2.2.35.1"},
	{CryptoProB, "gost2012_256", "B", "1.2.643.2.2.35.2"},
	{CryptoProC, "gost2012_256", "C", "1.2.643.2.2.35.3"},
	{CryptoProA, "gost2012_256", "XA", "1.2.643.2.2.36.0"},
	{CryptoProC, "gost2012_256", "XB", "1.2.643.2.2.36.1"},
	{TC26512A, "gost2012_512", "A", "1.2.643.7.1.2.1.2.1"},
	{TC26512B, "gost2012_512", "B", "1.2.643.7.1.2.1.2.2"},
	{TC26512C, "gost2012_512", "C", "1.2.643.7.1.2.1.2.3"},
}

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type spki struct {
	Algorithm algorithmIdentifier
	PublicKey asn1.BitString
}

type pkcs8 struct {
	Version    int
	Algorithm  algorithmIdentifier
	PrivateKey []byte
}

// publicKeyPEM encodes pub as a SubjectPublicKeyInfo (RFC 9215 §4): the
// curve OID (OpenSSL refuses to derive between keys whose parameter OIDs
// differ, even when an alias names the same curve), the digest OID for the CryptoPro curves, and the raw key in an
// OCTET STRING inside the BIT STRING.
func publicKeyPEM(t *testing.T, pub *PublicKey, oid asn1.ObjectIdentifier) []byte {
	t.Helper()
	alg, dgst := oidGost256, oidStreebog256
	if pub.Curve().Size() == 64 {
		alg, dgst = oidGost512, oidStreebog512
	}
	params := []asn1.ObjectIdentifier{oid}
	if pub.Curve().Size() == 32 && pub.Curve() != TC26256A {
		params = append(params, dgst)
	}
	p, err := asn1.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	key, err := asn1.Marshal(pub.Raw())
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(spki{
		Algorithm: algorithmIdentifier{Algorithm: alg, Parameters: asn1.RawValue{FullBytes: p}},
		PublicKey: asn1.BitString{Bytes: key, BitLength: 8 * len(key)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// parseSPKI decodes an OpenSSL SubjectPublicKeyInfo and checks its curve.
func parseSPKI(t *testing.T, der []byte, want *Curve, wantOID string) *PublicKey {
	t.Helper()
	var info spki
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		t.Fatal(err)
	}
	var params []asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		t.Fatal(err)
	}
	if c := CurveByOID(params[0]); c != want || params[0].String() != wantOID {
		t.Fatalf("SPKI curve %v is %v, want %v", params[0], c, want)
	}
	var raw []byte
	if _, err := asn1.Unmarshal(info.PublicKey.Bytes, &raw); err != nil {
		t.Fatal(err)
	}
	pub, err := NewPublicKey(want, raw)
	if err != nil {
		t.Fatalf("NewPublicKey(OpenSSL key): %v", err)
	}
	return pub
}

// parsePKCS8 decodes an OpenSSL PKCS#8 GOST private key: the OCTET STRING
// holds the little-endian scalar, bare or wrapped in an OCTET STRING, or
// (older engines) an INTEGER.
func parsePKCS8(t *testing.T, der []byte, c *Curve) *PrivateKey {
	t.Helper()
	var info pkcs8
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		t.Fatal(err)
	}
	raw := info.PrivateKey
	if len(raw) != c.Size() {
		var inner asn1.RawValue
		if _, err := asn1.Unmarshal(raw, &inner); err != nil {
			t.Fatalf("private key content: %v", err)
		}
		raw = inner.Bytes
		if inner.Tag == asn1.TagInteger {
			raw = reverse(new(big.Int).SetBytes(inner.Bytes).FillBytes(make([]byte, c.Size())))
		}
	}
	k, err := NewPrivateKey(c, raw)
	if err != nil {
		t.Fatalf("NewPrivateKey(OpenSSL key): %v", err)
	}
	return k
}

// interopRounds is how many random keys, digests and UKMs each curve gets;
// each round launches openssl five times (about 20 ms each).
const interopRounds = 2

func TestOpenSSLInterop(t *testing.T) {
	o := ossltest.Require(t)
	for _, ic := range interopCurves {
		t.Run(ic.c.Name()+"/"+ic.paramset, func(t *testing.T) {
			for range interopRounds {
				interopRound(t, o, ic)
			}
		})
	}
}

// interopRound runs the three checks once with fresh keys and inputs.
func interopRound(t *testing.T, o *ossltest.OpenSSL, ic interopCurve) {
	t.Helper()
	dir := t.TempDir()
	digest := make([]byte, ic.c.Size())
	rand.Read(digest)
	ossltest.WriteFile(t, dir, "digest.bin", digest)
	ours := interopOurs(t, o, ic, dir, digest)
	theirPub := interopTheirs(t, o, ic, dir, digest)
	interopVKO(t, o, dir, ours, theirPub)
}

// interopOurs checks that OpenSSL verifies our key's signature of digest,
// as s||r, and refuses r||s. It leaves our public key in ours.pub.pem.
func interopOurs(t *testing.T, o *ossltest.OpenSSL, ic interopCurve, dir string, digest []byte) *PrivateKey {
	t.Helper()
	n := ic.c.Size()
	ours, err := GenerateKey(ic.c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub := ossltest.WriteFile(t, dir, "ours.pub.pem", publicKeyPEM(t, ours.PublicKey(), parseOID(ic.oid)))
	sig, err := ours.Sign(rand.Reader, digest, nil)
	if err != nil {
		t.Fatal(err)
	}
	verify := func(name string, sig []byte) bool {
		path := ossltest.WriteFile(t, dir, name, sig)
		out, err := o.Exec(nil, "pkeyutl", "-verify", "-pubin", "-inkey", pub,
			"-in", filepath.Join(dir, "digest.bin"), "-sigfile", path)
		return err == nil && bytes.Contains(out, []byte("Signature Verified Successfully"))
	}
	if !verify("sig.bin", sig) {
		t.Errorf("OpenSSL did not verify our signature s||r")
	}
	// The other order must fail, so the convention is pinned down.
	if verify("swapped.bin", append(bytes.Clone(sig[n:]), sig[:n]...)) {
		t.Errorf("OpenSSL verified r||s too")
	}
	return ours
}

// interopTheirs has OpenSSL generate a key (theirs.der) and sign digest,
// and checks the key decoding and the signature on our side.
func interopTheirs(t *testing.T, o *ossltest.OpenSSL, ic interopCurve, dir string, digest []byte) *PublicKey {
	t.Helper()
	der := filepath.Join(dir, "theirs.der")
	o.Run(t, nil, "genpkey", "-algorithm", ic.algorithm, "-pkeyopt", "paramset:"+ic.paramset,
		"-outform", "DER", "-out", der)
	pubDER := o.Run(t, nil, "pkey", "-inform", "DER", "-in", der, "-pubout", "-outform", "DER")
	theirPub := parseSPKI(t, pubDER, ic.c, ic.oid)
	theirs := parsePKCS8(t, readFile(t, der), ic.c)
	if !theirs.PublicKey().Equal(theirPub) {
		t.Errorf("public key computed from OpenSSL's private key differs from OpenSSL's")
	}
	sig := o.Run(t, nil, "pkeyutl", "-sign", "-inkey", der, "-keyform", "DER",
		"-in", filepath.Join(dir, "digest.bin"))
	if !Verify(theirPub, digest, sig) {
		t.Errorf("OpenSSL's signature %x does not verify", sig)
	}
	return theirPub
}

// interopVKO has OpenSSL derive VKO_GOSTR3410_2012_256 with its key and
// our public key, and compares with ours from our key and its public key.
func interopVKO(t *testing.T, o *ossltest.OpenSSL, dir string, ours *PrivateKey, theirPub *PublicKey) {
	t.Helper()
	ukm := make([]byte, 8)
	rand.Read(ukm)
	kek := o.Run(t, nil, "pkeyutl", "-derive", "-inkey", filepath.Join(dir, "theirs.der"),
		"-keyform", "DER", "-peerkey", filepath.Join(dir, "ours.pub.pem"),
		"-pkeyopt", "ukmhex:"+hex.EncodeToString(ukm))
	// KEK = Streebog-256(K), as package vko composes it (vko imports this
	// package, so the test cannot import vko).
	k, err := ours.SharedPoint(theirPub, ukm)
	if err != nil {
		t.Fatal(err)
	}
	if got := streebog.Sum256(k); !bytes.Equal(got[:], kek) {
		t.Errorf("VKO 256: we got %x, OpenSSL %x", got, kek)
	}
}
