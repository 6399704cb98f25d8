package gost3410_test

import (
	"crypto/rand"
	"fmt"

	"rekey/gost/gost3410"
	"rekey/gost/streebog"
)

func Example() {
	key, err := gost3410.GenerateKey(gost3410.TC26256A, rand.Reader)
	if err != nil {
		panic(err)
	}
	// The digest is Streebog-256 for a 256-bit curve, as the hash outputs it.
	digest := streebog.Sum256([]byte("message"))
	sig, err := key.Sign(rand.Reader, digest[:], nil)
	if err != nil {
		panic(err)
	}
	// A verifier gets the raw public key LE(X)||LE(Y), e.g. from a
	// certificate's SubjectPublicKeyInfo.
	pub, err := gost3410.NewPublicKey(gost3410.TC26256A, key.PublicKey().Raw())
	if err != nil {
		panic(err)
	}
	fmt.Println(len(sig), gost3410.Verify(pub, digest[:], sig))
	// Output: 64 true
}
