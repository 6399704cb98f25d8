package inspect

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"rekey/internal/i18n"
	"rekey/pki"
)

// testNow is the pinned clock of the tests.
var testNow = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustInspect(t testing.TB, data []byte, opts Options) *Report {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = testNow
	}
	r, err := Inspect(data, opts)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	return r
}

// vectorFiles lists the files under testdata/vectors, MANIFEST.tsv left out.
func vectorFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("testdata/vectors", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() != "MANIFEST.tsv" {
			rel, _ := filepath.Rel("testdata/vectors", path)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no vectors in testdata/vectors")
	}
	return files
}

// vectorOutcomes are the vectors that do not inspect cleanly, with the
// problem code each gives. Every other vector must give a report with no
// problem.
var vectorOutcomes = map[string]string{
	// The legacy GOST algorithms of RFC 4491: recognized, not verified.
	"rfc4491/s4.1_gostr3410-94_cert.pem":   CodeSignatureLegacy,
	"rfc4491/s4.2_gostr3410-2001_cert.pem": CodeSignatureLegacy,
	// Self-signed with RSA and SHA-1, which pki does not verify.
	"openssl-cmp/65-test_cmp_client_data/server.crt":            CodeSignatureUnsupported,
	"openssl-cmp/65-test_cmp_msg_data/server.crt":               CodeSignatureUnsupported,
	"openssl-cmp/65-test_cmp_msg_data/pkcs10.der":               CodeSignatureUnsupported,
	"openssl-cmp/65-test_cmp_protect_data/Root_CA.crt":          CodeSignatureUnsupported,
	"openssl-cmp/65-test_cmp_protect_data/server.crt":           CodeSignatureUnsupported,
	"openssl-cmp/65-test_cmp_vfy_data/Root_CA.crt":              CodeSignatureUnsupported,
	"openssl-cmp/65-test_cmp_vfy_data/client.crt":               CodeSignatureUnsupported,
	"openssl-cmp/65-test_cmp_vfy_data/insta_ca.cert.pem":        CodeSignatureUnsupported,
	"openssl-cmp/65-test_cmp_vfy_data/server.crt":               CodeSignatureUnsupported,
	"openssl-cmp/80-test_cmp_http_data/Mock/signer_issuing.crt": CodeSignatureUnsupported,
	"openssl-cmp/81-test_cmp_cli_data/Insta/root.crt":           CodeSignatureUnsupported,
}

// vectorsPKIGaps are vectors that pki cannot parse yet: an ECDSA key on
// P-192 makes pki.ParseCertificate fail instead of leaving the key unknown.
// They must give a clear problem now and may start passing once pki reads
// them.
var vectorsPKIGaps = map[string]bool{
	"openssl-cmp/65-test_cmp_protect_data/Intermediate_CA.crt": true,
	"openssl-cmp/65-test_cmp_vfy_data/Intermediate_CA.crt":     true,
}

func TestVectors(t *testing.T) {
	for _, name := range vectorFiles(t) {
		t.Run(name, func(t *testing.T) {
			r := mustInspect(t, readFile(t, filepath.Join("testdata/vectors", name)), Options{})
			var codes []string
			for _, p := range r.Problems() {
				codes = append(codes, p.Code)
			}
			want, failing := vectorOutcomes[name]
			switch {
			case vectorsPKIGaps[name]:
				if len(codes) > 0 && codes[0] != CodeMalformed {
					t.Errorf("problems %v, want none or %s", codes, CodeMalformed)
				}
			case failing:
				if len(codes) != 1 || codes[0] != want {
					t.Errorf("problems %v, want [%s]", codes, want)
				}
			case len(codes) > 0:
				t.Errorf("problems %v, want none: %s", codes, r.Problems()[0].Text(i18n.EN))
			}
			for _, lang := range i18n.Langs() {
				var text, js bytes.Buffer
				if err := r.WriteText(&text, lang); err != nil {
					t.Fatal(err)
				}
				if err := r.WriteJSON(&js, lang); err != nil {
					t.Fatal(err)
				}
				if !json.Valid(js.Bytes()) {
					t.Fatalf("invalid JSON: %s", js.Bytes())
				}
			}
		})
	}
}

// TestVectorsInSync checks that testdata/vectors holds every file of the
// shared vectors when they are at hand (../shared beside the repository).
func TestVectorsInSync(t *testing.T) {
	shared := "../../shared/vectors/pki"
	if _, err := os.Stat(shared); err != nil {
		t.Skip("shared vectors not at hand")
	}
	var want []string
	filepath.WalkDir(shared, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(path, ".txt") && d.Name() != "MANIFEST.tsv" {
			rel, _ := filepath.Rel(shared, path)
			want = append(want, filepath.ToSlash(rel))
		}
		return nil
	})
	got := vectorFiles(t)
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("testdata/vectors is out of date:\n got %v\nwant %v", got, want)
	}
}

func TestVectorTypes(t *testing.T) {
	tests := []struct {
		file  string
		types []Type
	}{
		{"rfc9215/D1_test256/cert.pem", []Type{TypeCertificate}},
		{"rfc9215/D1_test256/req.pem", []Type{TypeCertificateRequest}},
		{"rfc9215/D1_test256/crl.pem", []Type{TypeCRL}},
		{"tk26/cms_signed_256.pem", []Type{TypeCMS}},
		{"tk26/cms_enveloped_kari_512.pem", []Type{TypeCMS}},
		{"openssl-cmp/65-test_cmp_msg_data/pkcs10.der", []Type{TypeCertificateRequest}},
		{"openssl-cmp/65-test_cmp_client_data/client.csr", []Type{TypeCertificateRequest}},
		{"openssl-cmp/65-test_cmp_client_data/client.key", []Type{TypeECPrivateKey}},
		{"openssl-cmp/65-test_cmp_client_data/server.key", []Type{TypeRSAPrivateKey}},
		{"openssl-cmp/65-test_cmp_protect_data/prot_Ed.pem", []Type{TypePrivateKey}},
		{"openssl-cmp/65-test_cmp_protect_data/IR_protected.der", []Type{TypePKIMessage}},
		{"openssl-cmp/80-test_cmp_http_data/Mock/signer.p12", []Type{TypePKCS12}},
		{"openssl-cmp/80-test_cmp_http_data/Mock/new_pass_12345.key", []Type{TypeEncryptedPrivateKey}},
		{"openssl-cmp/80-test_cmp_http_data/Mock/new_pub.key", []Type{TypePublicKey}},
		{"openssl-cmp/80-test_cmp_http_data/Mock/oldWithOld.pem", []Type{TypePrivateKey, TypeCertificate}},
		{"openssl-cmp/80-test_cmp_http_data/Mock/signer.crt",
			[]Type{TypeCertificate, TypeCertificate, TypeCertificate}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := mustInspect(t, readFile(t, filepath.Join("testdata/vectors", tt.file)), Options{})
			var got []Type
			for _, o := range r.Objects {
				got = append(got, o.Type)
			}
			if !slices.Equal(got, tt.types) {
				t.Errorf("types %v, want %v", got, tt.types)
			}
		})
	}
}

// derOf returns the DER of the first PEM block of a vector.
func derOf(t testing.TB, file string) []byte {
	t.Helper()
	b, _ := pem.Decode(readFile(t, filepath.Join("testdata/vectors", file)))
	if b == nil {
		t.Fatalf("%s: no PEM", file)
	}
	return b.Bytes
}

// TestDetect checks the structural detection on DER with no PEM label to
// help, and the formats.
func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		der  []byte
		want Type
	}{
		{"certificate v3", derOf(t, "rfc9215/D1_test256/cert.pem"), TypeCertificate},
		{"request", derOf(t, "rfc9215/D3_test512/req.pem"), TypeCertificateRequest},
		{"crl v2", derOf(t, "rfc9215/D2_tc26_256A/crl.pem"), TypeCRL},
		{"pkcs8", derOf(t, "openssl-cmp/80-test_cmp_http_data/Mock/server.key"), TypePrivateKey},
		{"encrypted pkcs8", derOf(t, "openssl-cmp/80-test_cmp_http_data/Mock/new_pass_12345.key"),
			TypeEncryptedPrivateKey},
		{"pkcs1", derOf(t, "openssl-cmp/80-test_cmp_http_data/Mock/new.key"), TypeRSAPrivateKey},
		{"sec1", derOf(t, "openssl-cmp/65-test_cmp_client_data/client.key"), TypeECPrivateKey},
		{"spki", derOf(t, "openssl-cmp/80-test_cmp_http_data/Mock/new_pub.key"), TypePublicKey},
		{"cms signed", derOf(t, "tk26/cms_signed_512.pem"), TypeCMS},
		{"cms digested", derOf(t, "tk26/cms_digested_256.pem"), TypeCMS},
		{"pkcs12", readFile(t, "testdata/vectors/openssl-cmp/80-test_cmp_http_data/Mock/signer.p12"),
			TypePKCS12},
		{"pki message", readFile(t, "testdata/vectors/openssl-cmp/65-test_cmp_vfy_data/IR_unprotected.der"),
			TypePKIMessage},
		{"empty sequence", []byte{0x30, 0x00}, ""},
		{"integer", []byte{0x02, 0x01, 0x00}, ""},
		{"truncated", []byte{0x30, 0x82, 0x01}, ""},
		{"sequence of nulls", []byte{0x30, 0x04, 0x05, 0x00, 0x05, 0x00}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := detect(tt.der); got != tt.want {
				t.Errorf("detect = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFormats(t *testing.T) {
	der := derOf(t, "rfc9215/D1_test256/cert.pem")
	b64 := pem.EncodeToMemory(&pem.Block{Type: "X", Bytes: der})
	b64 = b64[bytes.IndexByte(b64, '\n')+1 : bytes.LastIndex(b64[:len(b64)-1], []byte("\n"))]
	tests := []struct {
		name string
		data []byte
		want Format
	}{
		{"pem", readFile(t, "testdata/vectors/rfc9215/D1_test256/cert.pem"), FormatPEM},
		{"der", der, FormatDER},
		{"base64", b64, FormatBase64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustInspect(t, tt.data, Options{})
			if r.Format != tt.want || r.Objects[0].Type != TypeCertificate {
				t.Errorf("format %q type %q, want %q certificate", r.Format, r.Objects[0].Type, tt.want)
			}
		})
	}
}

func TestUnknownFormat(t *testing.T) {
	for _, data := range [][]byte{
		nil,
		[]byte("hello, world\n"),
		{0x30, 0x03, 0x02, 0x01, 0x05},
		[]byte("-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n"),
	} {
		_, err := Inspect(data, Options{Now: testNow})
		if !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("Inspect(%q) error %v, want ErrUnknownFormat", data, err)
		}
	}
	if _, err := Inspect([]byte{0x30, 0}, Options{}); err == nil {
		t.Error("Inspect without Now did not fail")
	}
}

func TestLoadCertificate(t *testing.T) {
	c, err := LoadCertificate(readFile(t, "testdata/vectors/openssl-cmp/80-test_cmp_http_data/Mock/oldWithOld.pem"))
	if err != nil || c.Subject.CommonName != "Root CA" {
		t.Fatalf("LoadCertificate = %v, %v; want the Root CA certificate after the key", c, err)
	}
	if _, err := LoadCertificate(readFile(t, "testdata/vectors/rfc9215/D1_test256/req.pem")); err == nil {
		t.Error("LoadCertificate accepted a request")
	}
}

// mustCert parses a PEM certificate vector.
func mustCert(t testing.TB, file string) *pki.Certificate {
	t.Helper()
	c, err := pki.ParseCertificate(derOf(t, file))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDamagedBlocks(t *testing.T) {
	damaged := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0x03, 0x02, 0x01, 0x01}})
	other := pem.EncodeToMemory(&pem.Block{Type: "WEIRD THING", Bytes: []byte{1, 2, 3}})
	legacy := []byte("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n" +
		"DEK-Info: AES-128-CBC,00000000000000000000000000000000\n\nAAAA\n-----END RSA PRIVATE KEY-----\n")
	good := readFile(t, "testdata/vectors/rfc9215/D1_test256/cert.pem")
	tests := []struct {
		name  string
		data  []byte
		types []Type
		codes []string
	}{
		{"damaged certificate", damaged, []Type{TypeCertificate}, []string{CodeMalformed}},
		{"unknown block beside a certificate", append(bytes.Clone(good), other...),
			[]Type{TypeCertificate, TypeUnknown}, []string{CodeMalformed}},
		{"legacy PEM encryption", legacy, []Type{TypeRSAPrivateKey}, []string{CodeLegacyPEMEncryption}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustInspect(t, tt.data, Options{})
			var types []Type
			for _, o := range r.Objects {
				types = append(types, o.Type)
			}
			var codes []string
			for _, p := range r.Problems() {
				codes = append(codes, p.Code)
			}
			if !slices.Equal(types, tt.types) || !slices.Equal(codes, tt.codes) || r.OK() {
				t.Errorf("types %v problems %v OK %v; want %v %v false", types, codes, r.OK(), tt.types, tt.codes)
			}
		})
	}
}
