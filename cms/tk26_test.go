package cms

import (
	"bytes"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"rekey/gost/gost3410"
	"rekey/pki"
)

// readPEM returns the DER of the first PEM block of a testdata file.
func readPEM(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	return block.Bytes
}

// tk26Key returns the private key of TC26's examples (testdata/tk26/keys.txt):
// d is given big-endian there; gost3410 takes it little-endian.
func tk26Key(t testing.TB, bits int) *gost3410.PrivateKey {
	t.Helper()
	hexD := map[int]string{
		256: "BFCF1D623E5CDD3032A7C6EABB4A923C46E43D640FFEAAF2C3ED39A8FA399924",
		512: "3FC01CDCD4EC5F972EB482774C41E66DB7F380528DFE9E67992BA05AEE462435" +
			"757530E641077CE587B976C8EEB48C48FD33FD175F0C7DE6A44E014E6BCB074B",
	}[bits]
	curve := map[int]*gost3410.Curve{256: gost3410.CryptoProA, 512: gost3410.TC26512B}[bits]
	d, err := hex.DecodeString(hexD)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(d)-1; i < j; i, j = i+1, j-1 {
		d[i], d[j] = d[j], d[i]
	}
	k, err := gost3410.NewPrivateKey(curve, d)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func tk26Cert(t testing.TB, bits int) *pki.Certificate {
	t.Helper()
	name := map[int]string{256: "tk26/iok_cert_256.pem", 512: "tk26/iok_cert_512.pem"}[bits]
	c, err := pki.ParseCertificate(readPEM(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTK26Signed verifies TC26's SignedData examples: no signed attributes
// and no certificates, signed by the key of the IOK example certificate.
func TestTK26Signed(t *testing.T) {
	for _, bits := range []int{256, 512} {
		der := readPEM(t, fmt.Sprintf("tk26/cms_signed_%d.pem", bits))
		sd, err := ParseSignedData(der)
		if err != nil {
			t.Fatalf("%d: ParseSignedData: %v", bits, err)
		}
		if string(sd.Content) != "Test message" {
			t.Errorf("%d: content: got %q", bits, sd.Content)
		}
		cert := tk26Cert(t, bits)
		if !cert.PublicKey.(*gost3410.PublicKey).Equal(tk26Key(t, bits).PublicKey()) {
			t.Fatalf("%d: keys.txt does not match the IOK certificate", bits)
		}
		signers, err := sd.Verify(&VerifyOptions{Certificates: []*pki.Certificate{cert}})
		if err != nil || len(signers) != 1 || signers[0] != cert {
			t.Errorf("%d: Verify: got %v, %v", bits, signers, err)
		}
		if _, err := sd.Verify(nil); err == nil {
			t.Errorf("%d: Verify without the certificate succeeded", bits)
		}

		bad := bytes.Clone(der)
		i := bytes.Index(bad, []byte("Test message"))
		bad[i] ^= 1
		sd, err = ParseSignedData(bad)
		if err != nil {
			t.Fatal(err)
		}
		_, err = sd.Verify(&VerifyOptions{Certificates: []*pki.Certificate{cert}})
		if !errors.Is(err, ErrSignature) {
			t.Errorf("%d: modified content: got %v, want ErrSignature", bits, err)
		}
	}
}

func TestTK26Digested(t *testing.T) {
	for _, name := range []string{"tk26/cms_digested_256.pem", "tk26/cms_digested_512.pem"} {
		der := readPEM(t, name)
		dd, err := ParseDigestedData(der)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := dd.Verify(nil); err != nil {
			t.Errorf("%s: Verify: %v", name, err)
		}
		again, err := Digest(dd.Content, dd.DigestAlgorithm)
		if err != nil || !bytes.Equal(again, der) {
			t.Errorf("%s: Digest does not reproduce the example: %v", name, err)
		}
		dd.Content[0] ^= 1
		if err := dd.Verify(nil); !errors.Is(err, ErrContentModified) {
			t.Errorf("%s: modified: got %v, want ErrContentModified", name, err)
		}
	}
}

// TestTK26Enveloped decrypts TC26's EnvelopedData examples with the keys of
// keys.txt. They come without recipient certificates, so Decrypt runs
// with a nil certificate.
func TestTK26Enveloped(t *testing.T) {
	tests := []struct {
		name string
		bits int
		want []byte
	}{
		{"tk26/cms_enveloped_ktri_256.pem", 256,
			bytes.Repeat([]byte("Test data to encrypt.\n"), 100)},
		{"tk26/cms_enveloped_ktri_512.pem", 512, []byte("Test message")},
		{"tk26/cms_enveloped_kari_256.pem", 256, []byte("Test message")},
		{"tk26/cms_enveloped_kari_512.pem", 512, []byte("Test message")},
	}
	for _, tt := range tests {
		der := readPEM(t, tt.name)
		e, err := ParseEnvelopedData(der)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got, err := e.Decrypt(nil, tk26Key(t, tt.bits))
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("%s: Decrypt: got %q, %v", tt.name, got, err)
		}
		other := tk26Key(t, 768-tt.bits)
		_, err = e.Decrypt(nil, other)
		if !errors.Is(err, ErrKeyUnwrap) && !errors.Is(err, ErrNotRecipient) {
			t.Errorf("%s: the other key: got %v, want ErrKeyUnwrap or ErrNotRecipient",
				tt.name, err)
		}
	}
}
