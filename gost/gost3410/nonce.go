package gost3410

import (
	"crypto/sha512"
	"fmt"
	"io"
)

// nonce returns a nonce k for signing e (big-endian): 2·Size() bytes of
// SHA-512 over a counter, Size() fresh random bytes, the private key and e,
// reduced modulo q, which leaves a bias below 2^-250.
//
// The random bytes alone would do (GOST R 34.10-2012 §6.1 step 3 only asks
// for a random k); mixing in the key and the digest keeps k unpredictable
// when the random source is weak, and the fresh bytes keep k from repeating
// when it is good. The mixing uses SHA-512 rather than Streebog on purpose:
// Streebog's usual implementation, ours included, indexes tables with its
// state, and the private key must not pass through such lookups. k is a
// private value that never appears on the wire, so the choice of hash does
// not affect interoperability.
func (priv *PrivateKey) nonce(random io.Reader, e []byte) ([]byte, error) {
	c := priv.pub.curve
	n := c.Size()
	entropy := make([]byte, n)
	if _, err := io.ReadFull(random, entropy); err != nil {
		return nil, fmt.Errorf("gost3410: reading random bytes: %w", err)
	}
	wide := make([]byte, 0, 2*n)
	for ctr := byte(0); len(wide) < 2*n; ctr++ {
		// Every field has a fixed length for the curve, so the input is
		// unambiguous.
		h := sha512.New()
		h.Write([]byte{ctr})
		h.Write(entropy)
		h.Write(priv.d)
		h.Write(e)
		wide = h.Sum(wide)
	}
	return c.impl.ReduceWide(wide[:2*n]), nil
}
