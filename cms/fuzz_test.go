package cms

import (
	"bytes"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"rekey/pki"
)

// seedCorpus adds every CMS message of testdata (PEM or DER) and a few
// made by this package, and fails when it finds none.
func seedCorpus(f *testing.F) {
	f.Helper()
	var n int
	for _, pattern := range []string{"tk26/cms_*.pem", "openssl/*.der", "openssl/*.ber"} {
		files, err := filepath.Glob(filepath.Join("testdata", pattern))
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			if block, _ := pem.Decode(data); block != nil {
				data = block.Bytes
			}
			f.Add(data)
			n++
		}
	}
	alice := testParty(f, pki.ProfileGOST256, "alice")
	for _, c := range []ContentCipher{Kuznyechik, Magma, GOST28147} {
		for _, agree := range []bool{false, true} {
			opts := &EncryptOptions{Cipher: c, KeyAgreement: agree}
			der, err := Encrypt(message, []*pki.Certificate{alice.cert}, opts)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(der)
			n++
		}
	}
	der, err := Sign(message, []Signer{{alice.cert, alice.key}}, &SignOptions{SigningTime: testNow})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(der)
	if n < 10 {
		f.Fatalf("seed corpus has %d files; testdata is missing", n)
	}
}

// FuzzContentInfo checks that ParseContentInfo never panics, that what it
// accepts re-encodes to the same bytes (DER has one encoding; BER input to
// its DER form), and that the BER conversion is idempotent.
func FuzzContentInfo(f *testing.F) {
	seedCorpus(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if norm, err := toDER(data); err == nil {
			again, err := toDER(norm)
			if err != nil || !bytes.Equal(again, norm) {
				t.Fatalf("toDER is not idempotent: %v", err)
			}
		}
		ci, err := ParseContentInfo(data)
		if err != nil {
			return
		}
		_, strictErr := parseContentInfoDER(data)
		if strictErr == nil && !bytes.Equal(ci.Raw, data) {
			t.Fatal("a DER ContentInfo was changed")
		}
		again, err := marshalContentInfo(ci.ContentType, ci.Content)
		if err != nil || !bytes.Equal(again, ci.Raw) {
			t.Fatalf("ContentInfo does not round-trip: %v", err)
		}
		if dd, err := ParseDigestedData(data); err == nil {
			_ = dd.Verify(nil)
		}
	})
}

// FuzzSignedData checks that parsing and verifying never panic, and that
// a message that verifies still verifies after parsing its own Raw again.
func FuzzSignedData(f *testing.F) {
	seedCorpus(f)
	extra := []*pki.Certificate{tk26Cert(f, 256), tk26Cert(f, 512)}
	f.Fuzz(func(t *testing.T, data []byte) {
		sd, err := ParseSignedData(data)
		if err != nil {
			return
		}
		for _, si := range sd.SignerInfos {
			si.SigningTime()
		}
		_, _ = sd.Verify(&VerifyOptions{Content: []byte("Test message"), Certificates: extra})
		signers, err := sd.Verify(&VerifyOptions{Certificates: extra})
		if err != nil {
			return
		}
		ci, err := ParseContentInfo(data)
		if err != nil {
			t.Fatalf("ParseContentInfo fails on a SignedData that verifies: %v", err)
		}
		again, err := marshalContentInfo(OIDSignedData, sd.Raw)
		if err != nil || !bytes.Equal(again, ci.Raw) {
			t.Fatalf("SignedData does not round-trip: %v", err)
		}
		if len(signers) != len(sd.SignerInfos) {
			t.Fatalf("Verify returned %d signers for %d signer infos",
				len(signers), len(sd.SignerInfos))
		}
	})
}

// FuzzEnvelopedData checks that parsing and decrypting with the TC26 keys
// and a GOST 256 test key never panic.
func FuzzEnvelopedData(f *testing.F) {
	seedCorpus(f)
	alice := testParty(f, pki.ProfileGOST256, "alice")
	keys := []any{tk26Key(f, 256), tk26Key(f, 512), alice.key}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseEnvelopedData(data)
		if err != nil {
			return
		}
		for _, k := range keys {
			_, _ = e.Decrypt(nil, k)
		}
		_, _ = e.Decrypt(alice.cert, alice.key)
	})
}
