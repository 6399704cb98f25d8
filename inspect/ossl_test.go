package inspect

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"rekey/internal/i18n"
	"rekey/internal/ossltest"
)

// TestOpenSSLObjects inspects what OpenSSL with the GOST engine makes for
// each profile: a self-signed certificate with a Russian subject, a
// request, a CRL, an encrypted PKCS#8 key, a PKCS#12 file and a signed CMS
// message. Each must be detected, parse, and verify where it can.
func TestOpenSSLObjects(t *testing.T) {
	o := ossltest.Require(t)
	profiles := []struct {
		name    string
		genkey  []string
		md      string
		pkcs8   []string
		keyAlgo string
	}{
		{"gost2012-256", []string{"-algorithm", "gost2012_256", "-pkeyopt", "paramset:A"},
			"md_gost12_256", []string{"-v2", "kuznyechik-ctr-acpkm", "-v2prf", "1.2.643.7.1.1.4.2"},
			"GOST R 34.10-2012 256-bit"},
		{"gost2012-512", []string{"-algorithm", "gost2012_512", "-pkeyopt", "paramset:A"},
			"md_gost12_512", []string{"-v2", "kuznyechik-ctr-acpkm", "-v2prf", "1.2.643.7.1.1.4.2"},
			"GOST R 34.10-2012 512-bit"},
		{"ecdsa-p256", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"},
			"sha256", []string{"-v2", "aes-256-cbc"}, "ECDSA"},
	}
	for _, p := range profiles {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := func(name string) string { return filepath.Join(dir, name) }
			o.Run(t, nil, append(append([]string{"genpkey"}, p.genkey...), "-out", path("key.pem"))...)
			subj := "/C=RU/O=Тест/CN=rekey inspect " + p.name + "/INN=500100732259/SNILS=11223344595"
			o.Run(t, nil, "req", "-new", "-x509", "-utf8", "-key", path("key.pem"), "-subj", subj,
				"-days", "30", "-"+p.md, "-out", path("ca.pem"))
			o.Run(t, nil, "req", "-new", "-utf8", "-key", path("key.pem"), "-subj", subj,
				"-"+p.md, "-out", path("req.pem"))
			makeCRL(t, o, dir, p.md)
			o.Run(t, nil, append(append([]string{"pkcs8", "-topk8", "-in", path("key.pem"),
				"-passout", "pass:secret", "-iter", "16"}, p.pkcs8...), "-out", path("enc.pem"))...)
			o.Run(t, nil, "pkcs12", "-export", "-inkey", path("key.pem"), "-in", path("ca.pem"),
				"-passout", "pass:secret", "-iter", "16", "-out", path("key.p12"))
			ossltest.WriteFile(t, dir, "msg.txt", []byte("Отчёт за квартал"))
			o.Run(t, nil, "cms", "-sign", "-binary", "-nodetach", "-in", path("msg.txt"),
				"-signer", path("ca.pem"), "-inkey", path("key.pem"), "-md", p.md,
				"-outform", "PEM", "-out", path("signed.pem"))

			ca := mustInspect(t, readFile(t, path("ca.pem")), Options{}).Objects[0]
			checkOK(t, "certificate", ca, TypeCertificate, true)
			if *ca.PublicKeyAlgorithm != p.keyAlgo || ca.Subject.Subject.INN != "500100732259" ||
				ca.Subject.Subject.Organization != "Тест" {
				t.Errorf("certificate: key %q, subject %v", *ca.PublicKeyAlgorithm, ca.Subject.Subject)
			}
			checkOK(t, "request", mustInspect(t, readFile(t, path("req.pem")), Options{}).Objects[0],
				TypeCertificateRequest, true)
			issuer, err := LoadCertificate(readFile(t, path("ca.pem")))
			if err != nil {
				t.Fatal(err)
			}
			crl := mustInspect(t, readFile(t, path("crl.pem")), Options{Issuer: issuer}).Objects[0]
			checkOK(t, "crl", crl, TypeCRL, true)
			if len(crl.CRL.Revoked) != 1 || crl.CRL.Revoked[0].Reason != "keyCompromise" {
				t.Errorf("crl revoked %+v", crl.CRL.Revoked)
			}

			enc := mustInspect(t, readFile(t, path("enc.pem")), Options{}).Objects[0]
			checkOK(t, "encrypted key", enc, TypeEncryptedPrivateKey, false)
			if enc.Encryption.Scheme != "PBES2" || enc.Encryption.Iterations != 16 {
				t.Errorf("encryption %+v", enc.Encryption)
			}
			enc = mustInspect(t, readFile(t, path("enc.pem")), Options{Password: []byte("secret")}).Objects[0]
			checkOK(t, "decrypted key", enc, TypeEncryptedPrivateKey, false)
			if enc.PublicKey == nil || enc.PublicKey.Algorithm != p.keyAlgo {
				t.Errorf("decrypted key: %+v", enc.PublicKey)
			}

			p12 := mustInspect(t, readFile(t, path("key.p12")), Options{Password: []byte("secret")}).Objects[0]
			checkOK(t, "pkcs12", p12, TypePKCS12, false)
			if !p12.PKCS12.Decrypted || len(p12.PKCS12.Certificates) != 1 ||
				p12.PKCS12.KeyMatchesCertificate == nil || !*p12.PKCS12.KeyMatchesCertificate {
				t.Errorf("pkcs12: %+v", p12.PKCS12)
			}

			cms := mustInspect(t, readFile(t, path("signed.pem")), Options{}).Objects[0]
			checkOK(t, "cms", cms, TypeCMS, false)
			if c := cms.CMS; c.ContentType != "signedData" || len(c.Signers) != 1 ||
				len(c.Certificates) != 1 || *c.ContentSize != len("Отчёт за квартал") {
				t.Errorf("cms: %+v", c)
			}
			for _, f := range []string{"ca.pem", "req.pem", "crl.pem", "enc.pem", "key.p12", "signed.pem"} {
				r := mustInspect(t, readFile(t, path(f)), Options{})
				if got := text(t, r, i18n.RU); len(got) == 0 {
					t.Errorf("%s: no text", f)
				}
			}
		})
	}
}

func checkOK(t *testing.T, what string, o *Object, typ Type, signed bool) {
	t.Helper()
	if o.Type != typ {
		t.Errorf("%s: type %q, want %q", what, o.Type, typ)
	}
	for _, p := range o.Problems {
		t.Errorf("%s: problem %s: %s", what, p.Code, p.Text(i18n.EN))
	}
	if signed && (o.SignatureValid == nil || !*o.SignatureValid) {
		t.Errorf("%s: signature_valid %v, want true", what, deref(o.SignatureValid))
	}
}

// makeCRL has openssl ca -gencrl sign a CRL revoking one serial with the
// key of ca.pem, into crl.pem.
func makeCRL(t *testing.T, o *ossltest.OpenSSL, dir, md string) {
	t.Helper()
	// The CRL is made with the real clock, as openssl ca has no other.
	revoked := time.Now().Add(-time.Hour).UTC().Format("060102150405Z")
	index := fmt.Sprintf("R\t301231000000Z\t%s,keyCompromise\t0A\tunknown\t/CN=Revoked\n", revoked)
	ossltest.WriteFile(t, dir, "index.txt", []byte(index))
	ossltest.WriteFile(t, dir, "crlnumber", []byte("01\n"))
	conf := fmt.Sprintf("[ca]\ndefault_ca = c\n[c]\ndatabase = %s\ncrlnumber = %s\ndefault_crl_days = 7\n",
		filepath.Join(dir, "index.txt"), filepath.Join(dir, "crlnumber"))
	ossltest.WriteFile(t, dir, "ca.cnf", []byte(conf))
	out := o.Run(t, nil, "ca", "-gencrl", "-config", filepath.Join(dir, "ca.cnf"),
		"-keyfile", filepath.Join(dir, "key.pem"), "-cert", filepath.Join(dir, "ca.pem"), "-md", md)
	if err := os.WriteFile(filepath.Join(dir, "crl.pem"), out, 0o600); err != nil {
		t.Fatal(err)
	}
}
