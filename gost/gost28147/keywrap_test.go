package gost28147

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// tk26Recipient is one recipient of testdata/tk26.json, taken from TC26's
// CMS EnvelopedData examples (see the file's comment).
type tk26Recipient struct {
	PeerPub string `json:"peer_pub"`
	KEK     string `json:"kek"`
	UKM     string `json:"ukm"`
	CEKEnc  string `json:"cek_enc"`
	CEKMAC  string `json:"cek_mac"`
	IV      string `json:"iv"`
	CT      string `json:"ct"`
	PTASCII string `json:"pt_ascii"`
	Repeat  int    `json:"repeat"`
}

func loadTK26(t *testing.T) (kari, ktri tk26Recipient) {
	t.Helper()
	data, err := os.ReadFile("testdata/tk26.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Kari tk26Recipient `json:"kari"`
		Ktri tk26Recipient `json:"ktri"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	return file.Kari, file.Ktri
}

func (r *tk26Recipient) wrapped(t *testing.T) []byte {
	return bytes.Join([][]byte{unhex(t, r.UKM), unhex(t, r.CEKEnc), unhex(t, r.CEKMAC)}, nil)
}

// decrypt decrypts the content with cek: CFB, key meshing, param-Z.
func (r *tk26Recipient) decrypt(t *testing.T, cek []byte) {
	t.Helper()
	ct := unhex(t, r.CT)
	pt := make([]byte, len(ct))
	must(t)(NewCFBDecrypter(cek, TC26Z, unhex(t, r.IV), true)).XORKeyStream(pt, ct)
	want := bytes.Repeat([]byte(r.PTASCII), max(r.Repeat, 1))
	if !bytes.Equal(pt, want) {
		t.Errorf("content: got %q, want %q", pt, want)
	}
}

// TestTK26 unwraps the content encryption keys of TC26's EnvelopedData
// examples and decrypts their content: the key agreement recipient uses the
// GOST 28147-89 key wrap, the key transport recipient the CryptoPro key
// wrap, and the 2200-byte key transport content crosses two key meshings.
// The KEKs in testdata/tk26.json are VKO results (see the file's comment).
func TestTK26(t *testing.T) {
	kari, ktri := loadTK26(t)

	cek, err := Unwrap(unhex(t, kari.KEK), kari.wrapped(t), TC26Z)
	if err != nil {
		t.Fatalf("kari: Unwrap: %v", err)
	}
	kari.decrypt(t, cek)
	rewrapped, err := Wrap(unhex(t, kari.KEK), unhex(t, kari.UKM), cek, TC26Z)
	if err != nil || !bytes.Equal(rewrapped, kari.wrapped(t)) {
		t.Errorf("kari: Wrap: got %x, %v, want %x", rewrapped, err, kari.wrapped(t))
	}

	cek, err = UnwrapCryptoPro(unhex(t, ktri.KEK), ktri.wrapped(t), TC26Z)
	if err != nil {
		t.Fatalf("ktri: UnwrapCryptoPro: %v", err)
	}
	ktri.decrypt(t, cek)
	rewrapped, err = WrapCryptoPro(unhex(t, ktri.KEK), unhex(t, ktri.UKM), cek, TC26Z)
	if err != nil || !bytes.Equal(rewrapped, ktri.wrapped(t)) {
		t.Errorf("ktri: WrapCryptoPro: got %x, %v, want %x", rewrapped, err, ktri.wrapped(t))
	}
}

type wrapFuncs struct {
	name   string
	wrap   func(kek, ukm, cek []byte, sbox *SBox) ([]byte, error)
	unwrap func(kek, wrapped []byte, sbox *SBox) ([]byte, error)
}

var wraps = []wrapFuncs{
	{"GOST", Wrap, Unwrap},
	{"CryptoPro", WrapCryptoPro, UnwrapCryptoPro},
}

// TestUnwrapRejects checks that unwrap returns ErrUnwrap for every
// single-bit change of a wrapped key, a wrong KEK, a wrong S-box and wrong
// lengths.
func TestUnwrapRejects(t *testing.T) {
	kek, ukm, cek := randomBytes(KeySize), randomBytes(UKMSize), randomBytes(KeySize)
	for _, w := range wraps {
		wrapped, err := w.wrap(kek, ukm, cek, CryptoProA)
		if err != nil {
			t.Fatal(err)
		}
		got, err := w.unwrap(kek, wrapped, CryptoProA)
		if err != nil || !bytes.Equal(got, cek) {
			t.Fatalf("%s: round trip: got %x, %v, want %x", w.name, got, err, cek)
		}
		for i := range len(wrapped) * 8 {
			bad := bytes.Clone(wrapped)
			bad[i/8] ^= 1 << (i % 8)
			if _, err := w.unwrap(kek, bad, CryptoProA); !errors.Is(err, ErrUnwrap) {
				t.Fatalf("%s: bit %d flipped: got %v, want ErrUnwrap", w.name, i, err)
			}
		}
		cases := map[string]error{
			"wrong KEK":   second(w.unwrap(randomBytes(KeySize), wrapped, CryptoProA)),
			"wrong S-box": second(w.unwrap(kek, wrapped, CryptoProB)),
			"short":       second(w.unwrap(kek, wrapped[:43], CryptoProA)),
			"long":        second(w.unwrap(kek, append(wrapped, 0), CryptoProA)),
			"empty":       second(w.unwrap(kek, nil, CryptoProA)),
		}
		for name, err := range cases {
			if !errors.Is(err, ErrUnwrap) {
				t.Errorf("%s: %s: got %v, want ErrUnwrap", w.name, name, err)
			}
		}
	}
}

// TestDiversifyCryptoPro checks that WrapCryptoPro is Wrap under the key
// DiversifyCryptoPro returns (RFC 4357 §6.3) and that the input KEK is not
// modified. TestTK26 checks the diversification against published data.
func TestDiversifyCryptoPro(t *testing.T) {
	kek, ukm, cek := randomBytes(KeySize), randomBytes(UKMSize), randomBytes(KeySize)
	kekCopy := bytes.Clone(kek)
	k, err := DiversifyCryptoPro(kek, ukm, TC26Z)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(kek, kekCopy) || bytes.Equal(k, kek) {
		t.Fatal("DiversifyCryptoPro: modified its input or returned it unchanged")
	}
	a, _ := WrapCryptoPro(kek, ukm, cek, TC26Z)
	b, _ := Wrap(k, ukm, cek, TC26Z)
	if !bytes.Equal(a, b) {
		t.Errorf("WrapCryptoPro: got %x, want Wrap under KEK(UKM) %x", a, b)
	}
}
