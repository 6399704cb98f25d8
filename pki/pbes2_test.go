package pki

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

func TestPBES2PaddingLen(t *testing.T) {
	block := func(tail ...byte) []byte {
		return append(bytes.Repeat([]byte{0xaa}, 16-len(tail)), tail...)
	}
	for _, tc := range []struct {
		name  string
		in    []byte
		n, ok int
	}{
		{"one", block(1), 1, 1},
		{"two", block(2, 2), 2, 1},
		{"full block", bytes.Repeat([]byte{16}, 16), 16, 1},
		{"two blocks, full pad", append(block(), bytes.Repeat([]byte{16}, 16)...), 16, 1},
		{"zero", block(0), 0, 0},
		{"too long", block(17), 0, 0},
		{"inconsistent", block(1, 2), 0, 0},
		{"inconsistent far", append([]byte{15}, bytes.Repeat([]byte{16}, 15)...), 0, 0},
		{"short", []byte{1}, 0, 0},
	} {
		n, ok := pkcs7PaddingLen(tc.in, 16)
		if n != tc.n || ok != tc.ok {
			t.Errorf("%s: got (%d, %d), want (%d, %d)", tc.name, n, ok, tc.n, tc.ok)
		}
	}
}

// pbes2AlgDER builds a PBES2 AlgorithmIdentifier from its parts, each
// already DER.
func pbes2AlgDER(kdfOID asn1.ObjectIdentifier, kdfParams, enc []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidPBES2)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(kdfOID)
				b.AddBytes(kdfParams)
			})
			b.AddBytes(enc)
		})
	})
	return b.BytesOrPanic()
}

func pbkdf2ParamsDER(salt []byte, iter int64, keyLen int64, prf asn1.ObjectIdentifier) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1OctetString(salt)
		b.AddASN1Int64(iter)
		if keyLen != 0 {
			b.AddASN1Int64(keyLen)
		}
		if prf != nil {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(prf)
				b.AddASN1NULL()
			})
		}
	})
	return b.BytesOrPanic()
}

func aesSchemeDER(oid asn1.ObjectIdentifier, iv []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1OctetString(iv)
	})
	return b.BytesOrPanic()
}

func TestPBES2ParamErrors(t *testing.T) {
	salt, iv := make([]byte, 16), make([]byte, 16)
	aes256 := aesSchemeDER(oidAES256CBC, iv)
	for _, tc := range []struct {
		name        string
		der         []byte
		unsupported bool
		want        string
	}{
		{"ok", pbes2AlgDER(oidPBKDF2, pbkdf2ParamsDER(salt, 10, 32, oidHMACWithSHA256), aes256),
			false, ""},
		{"default PRF", pbes2AlgDER(oidPBKDF2, pbkdf2ParamsDER(salt, 10, 0, nil), aes256), false, ""},
		{"scrypt KDF", pbes2AlgDER(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11},
			pbkdf2ParamsDER(salt, 10, 0, nil), aes256), true, "key derivation function"},
		{"MD5 PRF", pbes2AlgDER(oidPBKDF2, pbkdf2ParamsDER(salt, 10, 0,
			asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}), aes256), true, "pseudorandom"},
		{"DES", pbes2AlgDER(oidPBKDF2, pbkdf2ParamsDER(salt, 10, 0, nil),
			aesSchemeDER(asn1.ObjectIdentifier{1, 3, 14, 3, 2, 7}, iv[:8])), true, "encryption scheme"},
		{"OMAC", pbes2AlgDER(oidPBKDF2, pbkdf2ParamsDER(salt, 10, 0, nil),
			aesSchemeDER(oidKuznyechikCTRACPKMOMAC, iv)), true, "OMAC"},
		{"zero iterations", pbes2AlgDER(oidPBKDF2, pbkdf2ParamsDER(salt, 0, 0, nil), aes256),
			false, "iteration count"},
		{"huge iterations", pbes2AlgDER(oidPBKDF2, pbkdf2ParamsDER(salt, 1<<40, 0, nil), aes256),
			false, "iteration count"},
		{"empty salt", pbes2AlgDER(oidPBKDF2, pbkdf2ParamsDER(nil, 10, 0, nil), aes256),
			false, "salt"},
		{"key length", pbes2AlgDER(oidPBKDF2, pbkdf2ParamsDER(salt, 10, 16, nil), aes256),
			false, "key length"},
		{"short IV", pbes2AlgDER(oidPBKDF2, pbkdf2ParamsDER(salt, 10, 0, nil),
			aesSchemeDER(oidAES256CBC, iv[:8])), false, "hold 8 bytes"},
	} {
		in := cryptobyte.String(tc.der)
		var alg cryptobyte.String
		if !in.ReadASN1(&alg, cbasn1.SEQUENCE) {
			t.Fatalf("%s: bad test DER", tc.name)
		}
		_, err := parsePBES2Algorithm(alg)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want an error about %q", tc.name, err, tc.want)
		case err != nil && errors.Is(err, ErrUnsupportedAlgorithm) != tc.unsupported:
			t.Errorf("%s: errors.Is(ErrUnsupportedAlgorithm) = %v", tc.name, !tc.unsupported)
		}
	}
}

func TestPBES2Options(t *testing.T) {
	k := privKeyTestKeys(t)[0].key
	for _, opts := range []*KeyEncryptionOptions{
		{Scheme: 99},
		{Iterations: -1},
		{Iterations: maxIterations + 1},
		{Iterations: 1, Rand: bytes.NewReader(nil)},
	} {
		if _, _, err := MarshalEncryptedPKCS8PrivateKey(k, []byte("pw"), opts); err == nil {
			t.Errorf("options %+v accepted", *opts)
		}
	}
}

// TestPBES2GOST89InPlace decrypts across the key meshing boundary with
// dst and src aliased; the meshing itself is checked against OpenSSL by
// the gost256-cpa-openssl-gost89.p12 fixture.
func TestPBES2GOST89InPlace(t *testing.T) {
	key, iv := bytes.Repeat([]byte{7}, 32), bytes.Repeat([]byte{9}, 8)
	src := bytes.Repeat([]byte{0x5a}, 2100)
	whole := make([]byte, len(src))
	if err := gost89CFBDecrypt(key, iv, whole, src); err != nil {
		t.Fatal(err)
	}
	inPlace := bytes.Clone(src)
	if err := gost89CFBDecrypt(key, iv, inPlace, inPlace); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(inPlace, whole) {
		t.Error("in-place decryption differs")
	}
}
