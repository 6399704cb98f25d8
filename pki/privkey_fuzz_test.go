package pki

import (
	"encoding/pem"
	"path/filepath"
	"testing"
)

// Fuzz targets of the keys-at-rest parsers. The seed corpus is the OpenSSL
// files under testdata/keys (testdata/SOURCES-keys.md) plus files we write;
// the targets fail when it is empty. The encrypted files use the password
// keyFixturePassword and few PBKDF2 iterations, so that fuzzing reaches the
// plaintext parsers.

// keyFixtureSeeds returns the DER of every fixture matching pattern,
// PEM-decoded when it is PEM.
func keyFixtureSeeds(f *testing.F, pattern string) [][]byte {
	f.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "keys", pattern))
	if err != nil {
		f.Fatal(err)
	}
	var seeds [][]byte
	for _, n := range names {
		data := readKeyFixture(f, filepath.Base(n))
		if block, _ := pem.Decode(data); block != nil {
			data = block.Bytes
		}
		seeds = append(seeds, data)
	}
	if len(seeds) == 0 {
		f.Fatalf("no seed files match testdata/keys/%s", pattern)
	}
	return seeds
}

// limitIterations lowers the PBKDF2 bound for the duration of a fuzz run,
// so that inputs with huge iteration counts fail fast.
func limitIterations(f *testing.F, n int) {
	old := maxIterations
	maxIterations = n
	f.Cleanup(func() { maxIterations = old })
}

func FuzzParsePKCS8PrivateKey(f *testing.F) {
	for _, s := range keyFixtureSeeds(f, "*-plain.pem") {
		f.Add(s)
	}
	for _, nk := range privKeyTestKeys(f) {
		der, err := MarshalPKCS8PrivateKey(nk.key)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		k, err := ParsePKCS8PrivateKey(der)
		if err != nil {
			return
		}
		again, err := MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatalf("marshaling a parsed key: %v", err)
		}
		k2, err := ParsePKCS8PrivateKey(again)
		if err != nil || !samePrivKey(k, k2) {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}

func FuzzParseEncryptedPKCS8PrivateKey(f *testing.F) {
	limitIterations(f, 1000)
	for _, s := range keyFixtureSeeds(f, "*-*-*.pem") {
		f.Add(s)
	}
	for _, nk := range privKeyTestKeys(f)[:2] {
		der, _, err := MarshalEncryptedPKCS8PrivateKey(nk.key, keyFixturePassword, fastKeyOpts(PBES2Default))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		k, err := ParseEncryptedPKCS8PrivateKey(der, keyFixturePassword)
		if err != nil {
			return
		}
		enc, _, err := MarshalEncryptedPKCS8PrivateKey(k, keyFixturePassword, fastKeyOpts(PBES2Default))
		if err != nil {
			t.Fatalf("re-encrypting a parsed key: %v", err)
		}
		k2, err := ParseEncryptedPKCS8PrivateKey(enc, keyFixturePassword)
		if err != nil || !samePrivKey(k, k2) {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}

func FuzzParsePKCS12(f *testing.F) {
	limitIterations(f, 2048)
	for _, s := range keyFixtureSeeds(f, "*.p12") {
		f.Add(s)
	}
	key, err := ParsePrivateKeyPEM(readKeyFixture(f, "gost256-cpa-plain.pem"), nil)
	if err != nil {
		f.Fatal(err)
	}
	ours, err := MarshalPKCS12(key, [][]byte{keyFixtureCert(f, "gost256-cpa-cert.pem")}, keyFixturePassword,
		&PKCS12Options{KeyEncryptionOptions: *fastKeyOpts(PBES2Default)})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ours)
	f.Fuzz(func(t *testing.T, data []byte) {
		k, certs, err := ParsePKCS12(data, keyFixturePassword)
		if err != nil {
			return
		}
		out, err := MarshalPKCS12(k, certs, keyFixturePassword,
			&PKCS12Options{KeyEncryptionOptions: *fastKeyOpts(PBES2Default)})
		if err != nil {
			t.Fatalf("re-exporting a parsed file: %v", err)
		}
		if _, _, err := ParsePKCS12(out, keyFixturePassword); err != nil {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}
