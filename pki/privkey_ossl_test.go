package pki

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rekey/gost/gost3410"
	"rekey/internal/ossltest"
)

// Interop of keys at rest with OpenSSL 3 and gost-engine, both directions.

const keyOsslPassword = "Ключ-пароль 1"

func TestPKCS8OpenSSLReadsOurs(t *testing.T) {
	o := ossltest.Require(t)
	dir := t.TempDir()
	for _, nk := range privKeyTestKeys(t) {
		for _, s := range []PBES2Scheme{PBES2Default, PBES2Kuznyechik, PBES2AES256CBC} {
			p, _, err := MarshalPrivateKeyPEM(nk.key, []byte(keyOsslPassword), fastKeyOpts(s))
			if err != nil {
				t.Fatal(err)
			}
			f := ossltest.WriteFile(t, dir, "k.pem", p)
			out := o.Run(t, nil, "pkey", "-in", f, "-passin", "pass:"+keyOsslPassword)
			got, err := ParsePrivateKeyPEM(out, nil)
			if err != nil {
				t.Fatalf("%s scheme %d: OpenSSL's output: %v", nk.name, s, err)
			}
			if !samePrivKey(got, nk.key) {
				t.Errorf("%s scheme %d: OpenSSL decrypted a different key", nk.name, s)
			}
			if _, err := o.Exec(nil, "pkey", "-in", f, "-passin", "pass:wrong"); err == nil {
				t.Errorf("%s scheme %d: OpenSSL accepted a wrong password", nk.name, s)
			}
		}
		// The unencrypted form.
		p, _, err := MarshalPrivateKeyPEM(nk.key, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		out := o.Run(t, nil, "pkey", "-in", ossltest.WriteFile(t, dir, "p.pem", p))
		if got, err := ParsePrivateKeyPEM(out, nil); err != nil || !samePrivKey(got, nk.key) {
			t.Errorf("%s plain: OpenSSL's output differs (err %v)", nk.name, err)
		}
	}
}

func TestPKCS8WeReadOpenSSL(t *testing.T) {
	o := ossltest.Require(t)
	dir := t.TempDir()
	gost256 := []string{"-algorithm", "gost2012_256", "-pkeyopt"}
	gost512 := []string{"-algorithm", "gost2012_512", "-pkeyopt"}
	for _, tc := range []struct {
		name   string
		genkey []string
		topk8  []string
	}{
		{"gost256-TCA", append(gost256, "paramset:TCA"), []string{"-v2", "kuznyechik-ctr-acpkm",
			"-v2prf", "1.2.643.7.1.1.4.2"}},
		{"gost256-TCB-alias", append(gost256, "paramset:TCB"), []string{"-v2", "kuznyechik-ctr-acpkm",
			"-v2prf", "1.2.643.7.1.1.4.2"}},
		{"gost256-A", append(gost256, "paramset:A"), []string{"-v2", "magma-ctr-acpkm",
			"-v2prf", "1.2.643.7.1.1.4.2"}},
		{"gost512-A", append(gost512, "paramset:A"), []string{"-v2", "kuznyechik-ctr-acpkm",
			"-v2prf", "1.2.643.7.1.1.4.2"}},
		{"gost512-C", append(gost512, "paramset:C"), []string{"-v2", "kuznyechik-ctr-acpkm"}},
		{"ecdsa-p256", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"},
			[]string{"-v2", "aes-256-cbc"}},
	} {
		plainPEM := o.Run(t, nil, append([]string{"genpkey"}, tc.genkey...)...)
		want, err := ParsePrivateKeyPEM(plainPEM, nil)
		if err != nil {
			t.Fatalf("%s: OpenSSL's plain key: %v", tc.name, err)
		}
		plain := ossltest.WriteFile(t, dir, "plain.pem", plainPEM)
		args := append([]string{"pkcs8", "-topk8", "-in", plain, "-iter", "20",
			"-passout", "pass:" + keyOsslPassword}, tc.topk8...)
		enc := o.Run(t, nil, args...)
		got, err := ParsePrivateKeyPEM(enc, []byte(keyOsslPassword))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !samePrivKey(got, want) {
			t.Errorf("%s: decrypted key differs", tc.name)
		}
	}
}

// TestPKCS8RFC9215Keys builds PKCS#8 from the private keys of RFC 9215
// Appendix D and checks that OpenSSL derives the public key of the
// matching certificate.
func TestPKCS8RFC9215Keys(t *testing.T) {
	o := ossltest.Require(t)
	dirs, err := filepath.Glob("../../shared/vectors/pki/rfc9215/*/private_key.txt")
	if err != nil || len(dirs) == 0 {
		t.Skipf("RFC 9215 vectors not found next to the repository (%v)", err)
	}
	tmp := t.TempDir()
	for _, path := range dirs {
		dir := filepath.Dir(path)
		curveOID, d := readRFC9215Key(t, path)
		c := gost3410.CurveByOID(curveOID)
		if c == nil {
			t.Fatalf("%s: unknown curve", dir)
		}
		raw := make([]byte, c.Size())
		copy(raw[c.Size()-len(d):], d)
		reverseKeyBytes(raw)
		key, err := gost3410.NewPrivateKey(c, raw)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		p, _, err := MarshalPrivateKeyPEM(key, []byte(keyOsslPassword), fastKeyOpts(PBES2Default))
		if err != nil {
			t.Fatal(err)
		}
		f := ossltest.WriteFile(t, tmp, "k.pem", p)
		fromKey := o.Run(t, nil, "pkey", "-in", f, "-passin", "pass:"+keyOsslPassword, "-pubout")
		fromCert := o.Run(t, nil, "x509", "-in", filepath.Join(dir, "cert.pem"), "-pubkey", "-noout")
		if !bytes.Equal(fromKey, fromCert) {
			t.Errorf("%s: OpenSSL's public key from our PKCS#8:\n%s\nfrom the certificate:\n%s",
				filepath.Base(dir), fromKey, fromCert)
		}
	}
}

// readRFC9215Key reads the curve OID and the big-endian d of a
// private_key.txt.
func readRFC9215Key(t *testing.T, path string) ([]int, []byte) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var oid []int
	var d []byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "curve:"):
			for _, field := range strings.Fields(line) {
				if strings.HasPrefix(field, "1.2.643.") {
					for _, part := range strings.Split(field, ".") {
						var n int
						for _, ch := range part {
							n = 10*n + int(ch-'0')
						}
						oid = append(oid, n)
					}
				}
			}
		case strings.HasPrefix(line, "d:"):
			if d, err = hex.DecodeString(strings.TrimSpace(line[2:])); err != nil {
				t.Fatal(err)
			}
		}
	}
	if oid == nil || d == nil {
		t.Fatalf("%s: no curve or d", path)
	}
	return oid, d
}

// keyOsslCert makes a self-signed certificate for a PEM key with OpenSSL.
func keyOsslCert(t *testing.T, o *ossltest.OpenSSL, dir string, keyPEM []byte) []byte {
	t.Helper()
	f := ossltest.WriteFile(t, dir, "cert-key.pem", keyPEM)
	key, err := ParsePrivateKeyPEM(keyPEM, nil)
	if err != nil {
		t.Fatal(err)
	}
	md := "-sha256"
	if k, ok := key.(*gost3410.PrivateKey); ok {
		md = map[int]string{32: "-md_gost12_256", 64: "-md_gost12_512"}[k.Curve().Size()]
	}
	out := o.Run(t, nil, "req", "-new", "-x509", "-key", f, "-subj", "/CN=rekey interop",
		"-days", "30", md)
	block, _ := pem.Decode(out)
	if block == nil {
		t.Fatalf("no certificate from openssl req:\n%s", out)
	}
	return block.Bytes
}

func TestPKCS12OpenSSLReadsOurs(t *testing.T) {
	o := ossltest.Require(t)
	dir := t.TempDir()
	for _, nk := range privKeyTestKeys(t) {
		plain, _, err := MarshalPrivateKeyPEM(nk.key, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		cert := keyOsslCert(t, o, dir, plain)
		opts := &PKCS12Options{KeyEncryptionOptions: *fastKeyOpts(PBES2Default), FriendlyName: "ключ"}
		pfx, err := MarshalPKCS12(nk.key, [][]byte{cert}, []byte(keyOsslPassword), opts)
		if err != nil {
			t.Fatal(err)
		}
		f := ossltest.WriteFile(t, dir, "k.p12", pfx)
		out := o.Run(t, nil, "pkcs12", "-in", f, "-passin", "pass:"+keyOsslPassword, "-nodes")
		got, err := ParsePrivateKeyPEM(out, nil)
		if err != nil || !samePrivKey(got, nk.key) {
			t.Errorf("%s: key from openssl pkcs12 differs (err %v)", nk.name, err)
		}
		var block *pem.Block
		if i := bytes.Index(out, []byte("-----BEGIN CERTIFICATE")); i >= 0 {
			block, _ = pem.Decode(out[i:])
		}
		if block == nil || !bytes.Equal(block.Bytes, cert) {
			t.Errorf("%s: certificate from openssl pkcs12 differs", nk.name)
		}
		if _, err := o.Exec(nil, "pkcs12", "-in", f, "-passin", "pass:wrong", "-nodes"); err == nil {
			t.Errorf("%s: OpenSSL accepted a wrong password", nk.name)
		}
	}
}

func TestPKCS12WeReadOpenSSL(t *testing.T) {
	o := ossltest.Require(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		genkey []string
		export []string
	}{
		{"gost256-kuznyechik", []string{"-algorithm", "gost2012_256", "-pkeyopt", "paramset:TCA"},
			[]string{"-keypbe", "kuznyechik-ctr-acpkm", "-certpbe", "kuznyechik-ctr-acpkm",
				"-macalg", "md_gost12_512"}},
		{"gost512-magma", []string{"-algorithm", "gost2012_512", "-pkeyopt", "paramset:B"},
			[]string{"-keypbe", "magma-ctr-acpkm", "-certpbe", "magma-ctr-acpkm",
				"-macalg", "md_gost12_256"}},
		{"ecdsa-p256", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"}, nil},
	} {
		keyPEM := o.Run(t, nil, append([]string{"genpkey"}, tc.genkey...)...)
		want, err := ParsePrivateKeyPEM(keyPEM, nil)
		if err != nil {
			t.Fatal(err)
		}
		cert := keyOsslCert(t, o, dir, keyPEM)
		kf := ossltest.WriteFile(t, dir, "key.pem", keyPEM)
		cf := ossltest.WriteFile(t, dir, "cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE",
			Bytes: cert}))
		args := append([]string{"pkcs12", "-export", "-inkey", kf, "-in", cf, "-iter", "20",
			"-passout", "pass:" + keyOsslPassword}, tc.export...)
		pfx := o.Run(t, nil, args...)
		key, certs, err := ParsePKCS12(pfx, []byte(keyOsslPassword))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !samePrivKey(key, want) {
			t.Errorf("%s: key differs", tc.name)
		}
		if len(certs) != 1 || !bytes.Equal(certs[0], cert) {
			t.Errorf("%s: got %d certificates, want the one exported", tc.name, len(certs))
		}
	}
}
