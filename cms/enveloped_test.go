package cms

import (
	"bytes"
	"errors"
	"testing"

	"rekey/pki"
)

// longMessage crosses the key meshing and ACPKM section boundaries (1024
// bytes for GOST 28147-89 and Magma, 4096 for Kuznyechik).
var longMessage = bytes.Repeat([]byte("0123456789abcdef-"), 600)

func TestEncryptDecrypt(t *testing.T) {
	for _, p := range profiles {
		alice := testParty(t, p, "alice")
		for _, c := range ciphersFor(p) {
			for _, agree := range []bool{false, true} {
				if agree && p == pki.ProfileECDSA {
					continue
				}
				for _, msg := range [][]byte{message, longMessage, {}} {
					der, err := Encrypt(msg, []*pki.Certificate{alice.cert},
						&EncryptOptions{Cipher: c, KeyAgreement: agree})
					if err != nil {
						t.Fatalf("%s: Encrypt: %v", name(p, c, agree), err)
					}
					got, err := Decrypt(der, alice.cert, alice.key)
					if err != nil || !bytes.Equal(got, msg) {
						t.Errorf("%s: %d bytes: Decrypt: %v", name(p, c, agree), len(msg), err)
					}
				}
			}
		}
	}
}

// TestEncryptSeveral encrypts to recipients of every profile at once.
func TestEncryptSeveral(t *testing.T) {
	var certs []*pki.Certificate
	for _, p := range profiles {
		certs = append(certs, testParty(t, p, "alice").cert, testParty(t, p, "bob").cert)
	}
	for _, c := range []ContentCipher{CipherDefault, Kuznyechik, GOST28147, AES256GCM} {
		der, err := Encrypt(message, certs, &EncryptOptions{Cipher: c})
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		e, err := ParseEnvelopedData(der)
		if err != nil || len(e.Recipients) != len(certs) {
			t.Fatalf("%s: ParseEnvelopedData: %v", c, err)
		}
		if c == CipherDefault && !e.Authenticated {
			t.Errorf("default cipher with an ECDSA recipient is not AES-GCM")
		}
		for _, p := range profiles {
			for _, who := range []string{"alice", "bob"} {
				r := testParty(t, p, who)
				for _, cert := range []*pki.Certificate{r.cert, nil} {
					got, err := e.Decrypt(cert, r.key)
					if err != nil || !bytes.Equal(got, message) {
						t.Errorf("%s: %s %s (with certificate: %v): %v",
							c, p, who, cert != nil, err)
					}
				}
			}
		}
	}
}

func TestDecryptErrors(t *testing.T) {
	for _, p := range profiles {
		alice, bob := testParty(t, p, "alice"), testParty(t, p, "bob")
		c := ciphersFor(p)[0]
		der, err := Encrypt(longMessage, []*pki.Certificate{alice.cert}, &EncryptOptions{Cipher: c})
		if err != nil {
			t.Fatal(err)
		}
		e, err := ParseEnvelopedData(der)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Decrypt(bob.cert, bob.key); !errors.Is(err, ErrNotRecipient) {
			t.Errorf("%s: wrong recipient: got %v, want ErrNotRecipient", p, err)
		}
		if _, err := e.Decrypt(alice.cert, bob.key); !errors.Is(err, ErrWrongKey) {
			t.Errorf("%s: wrong key: got %v, want ErrWrongKey", p, err)
		}
		if _, err := e.Decrypt(nil, bob.key); !errors.Is(err, ErrKeyUnwrap) {
			t.Errorf("%s: wrong key without certificate: got %v, want ErrKeyUnwrap", p, err)
		}

		// Flip a bit in the encrypted key, in the middle of the
		// ciphertext, and in the MAC or tag.
		ri := e.Recipients[0]
		mid := len(longMessage) / 2
		tampered := map[string]struct {
			target []byte
			want   error
		}{
			"encrypted key": {ri.encryptedKey[8:24], ErrKeyUnwrap},
			"ciphertext":    {e.content.ciphertext[mid : mid+16], ErrAuthentication},
			"MAC":           {e.content.mac, ErrAuthentication},
		}
		for what, tt := range tampered {
			bad := bytes.Clone(der)
			i := bytes.Index(bad, tt.target)
			bad[i+len(tt.target)/2] ^= 0x10
			if _, err := Decrypt(bad, alice.cert, alice.key); !errors.Is(err, tt.want) {
				t.Errorf("%s: tampered %s: got %v, want %v", p, what, err, tt.want)
			}
		}
	}
}

func TestEncryptRefusesKeyUsage(t *testing.T) {
	ca := testParty(t, pki.ProfileGOST256, "ca") // keyCertSign, cRLSign, digitalSignature
	if _, err := Encrypt(message, []*pki.Certificate{ca.cert}, nil); err == nil {
		t.Error("Encrypt to a certificate without keyEncipherment or keyAgreement succeeded")
	}
}
