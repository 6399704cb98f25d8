package cms

import (
	"bytes"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"

	"rekey/internal/ossltest"
	"rekey/pki"
)

// osslFiles writes a party's certificate, key and its CA certificate for
// OpenSSL and returns their paths.
func osslFiles(t *testing.T, dir string, p *pki.Profile, who string) (cert, key, ca string) {
	t.Helper()
	r := testParty(t, p, who)
	base := strings.ReplaceAll(p.Name, "-", "") + who
	cert = ossltest.WriteFile(t, dir, base+".pem", r.certPEM())
	key = ossltest.WriteFile(t, dir, base+".key", r.keyPEM(t))
	ca = ossltest.WriteFile(t, dir, base+"-ca.pem", testParty(t, p, "ca").certPEM())
	return cert, key, ca
}

var attime = fmt.Sprint(testNow.Unix())

// TestOpenSSLVerifies has OpenSSL verify what Sign makes, attached and
// detached, against the CA at the pinned time; the signingCertificateV2
// attribute is checked by OpenSSL 3 as well.
func TestOpenSSLVerifies(t *testing.T) {
	o := ossltest.Require(t)
	dir := t.TempDir()
	content := ossltest.WriteFile(t, dir, "content.txt", message)
	for _, p := range profiles {
		_, _, ca := osslFiles(t, dir, p, "alice")
		r := testParty(t, p, "alice")
		for _, detached := range []bool{false, true} {
			opts := &SignOptions{Detached: detached, SigningTime: testNow}
			der, err := Sign(message, []Signer{{r.cert, r.key}}, opts)
			if err != nil {
				t.Fatal(err)
			}
			in := ossltest.WriteFile(t, dir, "signed.der", der)
			args := []string{"cms", "-verify", "-binary", "-inform", "DER", "-in", in,
				"-CAfile", ca, "-attime", attime}
			if detached {
				args = append(args, "-content", content)
			}
			got, err := o.Exec(nil, args...)
			if err != nil || !bytes.Equal(got, message) {
				t.Errorf("%s: detached %v: openssl cms -verify: got %q, %v", p, detached, got, err)
			}
		}
	}
}

// TestOpenSSLSigns verifies what `openssl cms -sign` makes: attached,
// detached, and with the CAdES signingCertificateV2 attribute.
func TestOpenSSLSigns(t *testing.T) {
	o := ossltest.Require(t)
	dir := t.TempDir()
	content := ossltest.WriteFile(t, dir, "content.txt", message)
	for _, p := range profiles {
		cert, key, _ := osslFiles(t, dir, p, "alice")
		root := testParty(t, p, "ca").cert
		for _, extra := range [][]string{{"-nodetach"}, nil, {"-nodetach", "-cades"}} {
			args := append([]string{"cms", "-sign", "-binary", "-in", content, "-signer", cert,
				"-inkey", key, "-outform", "DER"}, extra...)
			der := o.Run(t, nil, args...)
			sd, err := ParseSignedData(der)
			if err != nil {
				t.Fatalf("%s %v: ParseSignedData: %v", p, extra, err)
			}
			if extra == nil && sd.Content != nil {
				t.Errorf("%s: openssl's detached signature carries content", p)
			}
			if _, err := sd.Verify(&VerifyOptions{
				Content: message, Roots: []*pki.Certificate{root}, At: testNow,
			}); err != nil {
				t.Errorf("%s %v: Verify: %v", p, extra, err)
			}
		}
	}
}

// TestOpenSSLDecrypts has `openssl cms -decrypt` open what Encrypt makes,
// for every content cipher and recipient form.
func TestOpenSSLDecrypts(t *testing.T) {
	o := ossltest.Require(t)
	dir := t.TempDir()
	for _, p := range profiles {
		cert, key, _ := osslFiles(t, dir, p, "alice")
		r := testParty(t, p, "alice")
		for _, c := range ciphersFor(p) {
			for _, agree := range []bool{false, true} {
				if agree && (p == pki.ProfileECDSA || c == GOST28147 || c == AES256GCM) {
					continue // ECDSA is always kari; gost-engine reads kari only with KExp15
				}
				opts := &EncryptOptions{Cipher: c, KeyAgreement: agree}
				der, err := Encrypt(longMessage, []*pki.Certificate{r.cert}, opts)
				if err != nil {
					t.Fatal(err)
				}
				in := ossltest.WriteFile(t, dir, "enveloped.der", der)
				got, err := o.Exec(nil, "cms", "-decrypt", "-binary", "-inform", "DER", "-in", in,
					"-inkey", key, "-recip", cert)
				if err != nil || !bytes.Equal(got, longMessage) {
					t.Errorf("%s: openssl cms -decrypt: got %d bytes, %v",
						name(p, c, agree), len(got), err)
				}
			}
		}
	}
}

// TestOpenSSLEncrypts decrypts what `openssl cms -encrypt` makes with each
// cipher option.
func TestOpenSSLEncrypts(t *testing.T) {
	o := ossltest.Require(t)
	dir := t.TempDir()
	content := ossltest.WriteFile(t, dir, "content.txt", longMessage)
	type option struct{ cipher, keyopt string }
	options := map[*pki.Profile][]option{
		pki.ProfileGOST256: {
			{"-kuznyechik-ctr-acpkm-omac", ""}, {"-magma-ctr-acpkm-omac", ""}, {"-gost89", ""},
		},
		pki.ProfileGOST512: {
			{"-kuznyechik-ctr-acpkm-omac", ""}, {"-magma-ctr-acpkm-omac", ""}, {"-gost89", ""},
		},
		pki.ProfileECDSA: {
			{"-aes-256-gcm", ""}, {"-aes256", ""}, {"-aes-256-gcm", "ecdh_kdf_md:sha256"},
		},
	}
	for _, p := range profiles {
		cert, _, _ := osslFiles(t, dir, p, "alice")
		r := testParty(t, p, "alice")
		for _, opt := range options[p] {
			args := []string{"cms", "-encrypt", "-binary", "-in", content, "-outform", "DER",
				opt.cipher, "-recip", cert}
			if opt.keyopt != "" {
				args = append(args, "-keyopt", opt.keyopt)
			}
			der := o.Run(t, nil, args...)
			got, err := Decrypt(der, r.cert, r.key)
			if err != nil || !bytes.Equal(got, longMessage) {
				t.Errorf("%s %v: Decrypt: got %d bytes, %v", p, opt, len(got), err)
			}
		}
	}
}

// TestOpenSSLKeys runs both directions of encryption with keys OpenSSL
// generated on the CryptoPro-A curve (gost-engine's paramset A), which
// pki's profiles do not make.
func TestOpenSSLKeys(t *testing.T) {
	o := ossltest.Require(t)
	dir := t.TempDir()
	keyFile := ossltest.WriteFile(t, dir, "cpa.key",
		o.Run(t, nil, "genpkey", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A"))
	certPEM := o.Run(t, nil, "req", "-x509", "-new", "-key", keyFile, "-subj", "/CN=rekey cpa",
		"-days", "30", "-md_gost12_256")
	certFile := ossltest.WriteFile(t, dir, "cpa.pem", certPEM)
	content := ossltest.WriteFile(t, dir, "content.txt", message)
	cert, err := pki.ParseCertificate(readPEMBytes(t, certPEM))
	if err != nil {
		t.Fatal(err)
	}
	key, err := pki.ParsePrivateKeyPEM(o.Run(t, nil, "pkey", "-in", keyFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []ContentCipher{Kuznyechik, Magma, GOST28147} {
		der := o.Run(t, nil, "cms", "-encrypt", "-binary", "-in", content, "-outform", "DER",
			"-"+c.String(), certFile)
		if got, err := Decrypt(der, cert, key); err != nil || !bytes.Equal(got, message) {
			t.Errorf("%s: Decrypt: %v", c, err)
		}
		der, err = Encrypt(message, []*pki.Certificate{cert}, &EncryptOptions{Cipher: c})
		if err != nil {
			t.Fatal(err)
		}
		in := ossltest.WriteFile(t, dir, "enveloped.der", der)
		got, err := o.Exec(nil, "cms", "-decrypt", "-binary", "-inform", "DER", "-in", in,
			"-inkey", keyFile, "-recip", certFile)
		if err != nil || !bytes.Equal(got, message) {
			t.Errorf("%s: openssl cms -decrypt: %v", c, err)
		}
	}
	der := o.Run(t, nil, "cms", "-sign", "-binary", "-nodetach", "-in", content,
		"-signer", certFile, "-inkey", keyFile, "-outform", "DER")
	sd, err := ParseSignedData(der)
	if err == nil {
		_, err = sd.Verify(nil)
	}
	if err != nil {
		t.Errorf("openssl signature with a CryptoPro-A key: %v", err)
	}
}

func readPEMBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatal("no PEM block")
	}
	return block.Bytes
}
