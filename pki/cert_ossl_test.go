package pki

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rekey/gost/gost3410"
	"rekey/internal/ossltest"
)

func pemFile(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	return ossltest.WriteFile(t, dir, name, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// interopProfiles are the profiles with each curve OpenSSL's GOST engine
// knows (paramset TCA and CryptoPro A, B, C, which OpenSSL also calls
// TCB, TCC, TCD, for 256 bits; A, B, C for 512 bits).
func interopProfiles(t *testing.T) []*Profile {
	out := []*Profile{ProfileECDSA}
	for _, c := range []*gost3410.Curve{gost3410.TC26256A, gost3410.CryptoProA,
		gost3410.CryptoProB, gost3410.CryptoProC} {
		p, err := ProfileGOST256.WithCurve(c)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	for _, c := range []*gost3410.Curve{gost3410.TC26512A, gost3410.TC26512B, gost3410.TC26512C} {
		p, err := ProfileGOST512.WithCurve(c)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// TestOpenSSLAcceptsOurs: a CA, an end-entity certificate, a request and a
// CRL made here pass openssl verify, req -verify and crl -CAfile.
func TestOpenSSLAcceptsOurs(t *testing.T) {
	o := ossltest.Require(t)
	for _, p := range interopProfiles(t) {
		name := p.Name
		if p.Curve != nil {
			name += "/" + p.Curve.Name()
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			ca := issue(t, p, certSpec{cn: "Interop CA", ca: true, pathLen: 0}, nil)
			ee := issue(t, p, certSpec{cn: "Interop EE", serial: 2}, ca)
			caPath := pemFile(t, dir, "ca.pem", "CERTIFICATE", ca.cert.Raw)
			eePath := pemFile(t, dir, "ee.pem", "CERTIFICATE", ee.cert.Raw)
			o.Run(t, nil, "verify", "-CAfile", caPath, eePath)

			req, err := CreateCertificateRequest(&RequestTemplate{
				Subject:    &Subject{Country: "RU", CommonName: "Запрос", SNILS: "11223344595"},
				Extensions: Extensions{KeyUsage: x509.KeyUsageDigitalSignature, SubjectSignTool: "rekey"},
			}, ee.key)
			if err != nil {
				t.Fatal(err)
			}
			reqPath := pemFile(t, dir, "req.pem", "CERTIFICATE REQUEST", req)
			o.Run(t, nil, "req", "-in", reqPath, "-verify", "-noout")

			tmpl := testCRLTemplate()
			tmpl.ThisUpdate = time.Now().Add(-time.Hour)
			tmpl.NextUpdate = time.Now().Add(24 * time.Hour)
			crl, err := CreateCRL(tmpl, ca.cert, ca.key)
			if err != nil {
				t.Fatal(err)
			}
			crlPath := pemFile(t, dir, "crl.pem", "X509 CRL", crl)
			o.Run(t, nil, "crl", "-in", crlPath, "-CAfile", caPath, "-noout")
			text := string(o.Run(t, nil, "crl", "-in", crlPath, "-noout", "-text"))
			if !strings.Contains(text, "Key Compromise") || !strings.Contains(text, "CRL Number") {
				t.Errorf("openssl does not show our reason codes and CRL number:\n%s", text)
			}
		})
	}
}

// TestOpenSSLAcceptsMixedChains hands OpenSSL the fixtures of
// testdata/chain: a GOST leaf under an ECDSA root and a three-link chain
// ECDSA root, GOST 512 intermediate, GOST 256 leaf.
func TestOpenSSLAcceptsMixedChains(t *testing.T) {
	o := ossltest.Require(t)
	f := func(name string) string { return filepath.Join(chainDir(), name+".pem") }
	o.Run(t, nil, "verify", "-CAfile", f("gost512-root"), f("gost256-leaf"))
	o.Run(t, nil, "verify", "-CAfile", f("ecdsa-root"), f("gost256-leaf-under-ecdsa"))
	o.Run(t, nil, "verify", "-CAfile", f("gost512-root"), f("ecdsa-leaf-under-gost512"))
	o.Run(t, nil, "verify", "-CAfile", f("ecdsa-root"), "-untrusted",
		f("gost512-intermediate-under-ecdsa"), f("gost256-leaf-under-intermediate"))
	if _, err := o.Exec(nil, "verify", "-CAfile", f("gost512-root"),
		f("gost256-leaf-bad-signature")); err == nil {
		t.Errorf("openssl accepted gost256-leaf-bad-signature")
	}
}

// opensslKey describes how OpenSSL makes a key of one of our profiles.
// sameSPKI says whether our encoding of the key is OpenSSL's byte for byte;
// where it is not, both are valid RFC 9215 encodings of the same key:
//   - TCB, TCC, TCD: OpenSSL names the curve by its TC26 OID without a
//     digest parameter; rekey by its CryptoPro OID with Streebog-256;
//   - XA, XB: OpenSSL keeps the CryptoPro key-exchange alias OIDs;
//   - 512-bit A and B: OpenSSL adds the Streebog-512 digest parameter,
//     which RFC 9215 §4.2 (and its example D.3) leaves out.
type opensslKey struct {
	name     string
	genArgs  []string
	md       string
	alg      SignatureAlgorithm
	sameSPKI bool
}

var opensslKeys = []opensslKey{
	{"ec-P-256", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"}, "-sha256",
		ECDSAWithSHA256, true},
	{"gost2012_256-TCA", gostGen("gost2012_256", "TCA"), "-md_gost12_256", GOST256WithStreebog256, true},
	{"gost2012_256-TCB", gostGen("gost2012_256", "TCB"), "-md_gost12_256", GOST256WithStreebog256, false},
	{"gost2012_256-TCC", gostGen("gost2012_256", "TCC"), "-md_gost12_256", GOST256WithStreebog256, false},
	{"gost2012_256-TCD", gostGen("gost2012_256", "TCD"), "-md_gost12_256", GOST256WithStreebog256, false},
	{"gost2012_256-A", gostGen("gost2012_256", "A"), "-md_gost12_256", GOST256WithStreebog256, true},
	{"gost2012_256-XA", gostGen("gost2012_256", "XA"), "-md_gost12_256", GOST256WithStreebog256, false},
	{"gost2012_256-XB", gostGen("gost2012_256", "XB"), "-md_gost12_256", GOST256WithStreebog256, false},
	{"gost2012_512-A", gostGen("gost2012_512", "A"), "-md_gost12_512", GOST512WithStreebog512, false},
	{"gost2012_512-B", gostGen("gost2012_512", "B"), "-md_gost12_512", GOST512WithStreebog512, false},
	{"gost2012_512-C", gostGen("gost2012_512", "C"), "-md_gost12_512", GOST512WithStreebog512, true},
}

func gostGen(alg, paramset string) []string {
	return []string{"-algorithm", alg, "-pkeyopt", "paramset:" + paramset}
}

// TestWeAcceptOpenSSLs: a key, self-signed CA certificate, request and CRL
// made by OpenSSL parse here and verify; the SPKI parses and, for the
// encodings RFC 9215 prescribes, re-encodes to the same bytes.
func TestWeAcceptOpenSSLs(t *testing.T) {
	o := ossltest.Require(t)
	for _, k := range opensslKeys {
		t.Run(k.name, func(t *testing.T) {
			dir := t.TempDir()
			keyPath := filepath.Join(dir, "key.pem")
			o.Run(t, nil, append(append([]string{"genpkey"}, k.genArgs...), "-out", keyPath)...)

			spki := o.Run(t, nil, "pkey", "-in", keyPath, "-pubout", "-outform", "DER")
			pub, err := ParsePKIXPublicKey(spki)
			if err != nil {
				t.Fatalf("ParsePKIXPublicKey: %v", err)
			}
			again, err := MarshalPKIXPublicKey(pub)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(spki, again) != k.sameSPKI {
				t.Errorf("SPKI re-encoded equal = %v, want %v\nOpenSSL %x\n   ours %x",
					!k.sameSPKI, k.sameSPKI, spki, again)
			}

			caDER := o.Run(t, nil, "req", "-new", "-x509", "-key", keyPath, k.md, "-days", "30",
				"-subj", "/C=RU/O=OpenSSL/CN=OpenSSL CA", "-outform", "DER",
				"-addext", "basicConstraints=critical,CA:TRUE",
				"-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
				"-addext", "subjectKeyIdentifier=hash")
			ca, err := ParseCertificate(caDER)
			if err != nil {
				t.Fatalf("ParseCertificate: %v", err)
			}
			if ca.SignatureAlgorithm != k.alg || !publicKeysEqual(ca.PublicKey, pub) {
				t.Errorf("algorithm %v, key equal %v",
					ca.SignatureAlgorithm, publicKeysEqual(ca.PublicKey, pub))
			}
			opts := VerifyOptions{Roots: []*Certificate{ca}, At: ca.NotBefore}
			if _, err := Verify(ca, opts); err != nil {
				t.Errorf("Verify: %v", err)
			}
			if err := ca.CheckSignatureFrom(ca); err != nil {
				t.Errorf("CheckSignatureFrom: %v", err)
			}

			reqDER := o.Run(t, nil, "req", "-new", "-key", keyPath, k.md,
				"-subj", "/C=RU/CN=OpenSSL request", "-outform", "DER",
				"-addext", "keyUsage=digitalSignature,nonRepudiation")
			req, err := ParseCertificateRequest(reqDER)
			if err != nil {
				t.Fatalf("ParseCertificateRequest: %v", err)
			}
			if err := req.CheckSignature(); err != nil {
				t.Errorf("request CheckSignature: %v", err)
			}
			wantKU := x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
			if req.Extensions.KeyUsage != wantKU {
				t.Errorf("request keyUsage %v", req.Extensions.KeyUsage)
			}

			crl, err := ParseCRL(opensslCRL(t, o, dir, keyPath, caDER, k.md))
			if err != nil {
				t.Fatalf("ParseCRL: %v", err)
			}
			if err := crl.CheckSignatureFrom(ca); err != nil {
				t.Errorf("CRL CheckSignatureFrom: %v", err)
			}
			e := crl.IsRevoked(big.NewInt(0x1001))
			if e == nil || e.Reason != ReasonKeyCompromise || crl.Number == nil {
				t.Errorf("CRL entry %+v, number %v", e, crl.Number)
			}
		})
	}
}

// opensslCRL has openssl ca -gencrl write a CRL with one revoked serial.
func opensslCRL(
	t *testing.T,
	o *ossltest.OpenSSL,
	dir, keyPath string,
	caDER []byte,
	md string,
) []byte {
	t.Helper()
	caPath := pemFile(t, dir, "ca.pem", "CERTIFICATE", caDER)
	revoked := time.Now().Add(-time.Hour).UTC().Format("060102150405Z")
	expires := time.Now().Add(24 * time.Hour).UTC().Format("060102150405Z")
	index := fmt.Sprintf("R\t%s\t%s,keyCompromise\t1001\tunknown\t/CN=Revoked\n", expires, revoked)
	ossltest.WriteFile(t, dir, "index.txt", []byte(index))
	ossltest.WriteFile(t, dir, "crlnumber", []byte("07\n"))
	conf := fmt.Sprintf("[ca]\ndefault_ca = ca_sect\n[ca_sect]\ndatabase = %s\ncrlnumber = %s\n"+
		"default_crl_days = 7\ncrl_extensions = crl_ext\n"+
		"[crl_ext]\nauthorityKeyIdentifier = keyid\n",
		filepath.Join(dir, "index.txt"), filepath.Join(dir, "crlnumber"))
	confPath := ossltest.WriteFile(t, dir, "ca.cnf", []byte(conf))
	out := o.Run(t, nil, "ca", "-gencrl", "-config", confPath, "-keyfile", keyPath, "-cert", caPath,
		"-md", strings.TrimPrefix(md, "-"))
	block, _ := pem.Decode(out)
	if block == nil {
		t.Fatalf("openssl ca -gencrl wrote no PEM: %q", out)
	}
	if !bytes.Contains(out, []byte("X509 CRL")) {
		t.Fatalf("not a CRL: %q", out)
	}
	return block.Bytes
}
