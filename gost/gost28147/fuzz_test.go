package gost28147

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzUnwrap feeds arbitrary bytes to Unwrap and UnwrapCryptoPro under a
// fixed key encryption key. They must not panic, must fail only with
// ErrUnwrap, and must accept only what the matching wrap produces: an
// accepted input wraps back to itself.
func FuzzUnwrap(f *testing.F) {
	kek := bytes.Repeat([]byte{0x5a}, KeySize)
	ukm := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	cek := bytes.Repeat([]byte{0xc3}, KeySize)
	seeds := 0
	for _, w := range wraps {
		for _, sbox := range []*SBox{CryptoProA, TC26Z} {
			wrapped, err := w.wrap(kek, ukm, cek, sbox)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(wrapped)
			seeds++
		}
	}
	f.Add([]byte{})
	f.Add(make([]byte, WrappedKeySize))
	f.Add(make([]byte, WrappedKeySize+1))
	if seeds == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, w := range wraps {
			for _, sbox := range []*SBox{CryptoProA, TC26Z} {
				got, err := w.unwrap(kek, data, sbox)
				if err != nil {
					if !errors.Is(err, ErrUnwrap) || got != nil {
						t.Fatalf("%s: got %x, %v, want nil, ErrUnwrap", w.name, got, err)
					}
					continue
				}
				again, err := w.wrap(kek, data[:UKMSize], got, sbox)
				if err != nil || !bytes.Equal(again, data) {
					t.Fatalf("%s: accepted %x, which wraps back to %x, %v",
						w.name, data, again, err)
				}
			}
		}
	})
}
