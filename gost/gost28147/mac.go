package gost28147

import (
	"errors"
	"hash"
)

// MACSize is the usual size of the GOST 28147-89 MAC in bytes (32 bits).
const MACSize = 4

// mac is the GOST 28147-89 MAC ("imitovstavka", RFC 5830 §8).
type mac struct {
	c       Cipher          // a private copy: meshing changes the key
	iv      [BlockSize]byte // the initial state
	state   [BlockSize]byte
	part    [BlockSize]byte // pending input, n bytes
	n       int
	blocks  int // blocks processed, to tell a one-block message
	count   int // bytes processed under the current key
	mesh    bool
	size    int
	initKey [8]uint32
}

// NewMAC returns a hash.Hash that computes the GOST 28147-89 MAC (RFC 5830
// §8) with the 32-byte key and the parameter set sbox: each 8-byte block is
// added to the state, which the 16-round function then transforms; the
// state starts at zero. Sum appends the first size bytes (1 to 8; MACSize is
// usual) of the final state N1||N2. With mesh, CryptoPro key meshing (RFC
// 4357 §2.3.2) changes the key, but not the state, after every 1024 bytes.
//
// Padding follows OpenSSL and CryptoPro CSP: a final partial block is
// padded with zero bytes; a message of one block or less is followed by an
// all-zero block, so that at least two blocks are processed; the MAC of the
// empty message is all zero.
func NewMAC(key []byte, sbox *SBox, size int, mesh bool) (hash.Hash, error) {
	if size < 1 || size > BlockSize {
		return nil, errors.New("gost28147: MAC size must be 1 to 8 bytes")
	}
	return newMAC(key, sbox, nil, size, mesh)
}

// newMAC returns the MAC with the initial state iv (zero when nil), as the
// key wraps of RFC 4357 §6 use it.
func newMAC(key []byte, sbox *SBox, iv []byte, size int, mesh bool) (*mac, error) {
	c, err := newCipher(key, sbox)
	if err != nil {
		return nil, err
	}
	m := &mac{c: *c, mesh: mesh, size: size, initKey: c.k}
	copy(m.iv[:], iv)
	m.state = m.iv
	return m, nil
}

func (m *mac) Size() int      { return m.size }
func (m *mac) BlockSize() int { return BlockSize }

// Reset returns the MAC to its initial state and key.
func (m *mac) Reset() {
	m.c.k = m.initKey
	m.state = m.iv
	m.n, m.blocks, m.count = 0, 0, 0
}

func (m *mac) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		k := copy(m.part[m.n:], p)
		m.n += k
		p = p[k:]
		if m.n == BlockSize {
			m.block(&m.part)
			m.n = 0
		}
	}
	return total, nil
}

// block processes one 8-byte block, meshing the key first when due.
func (m *mac) block(b *[BlockSize]byte) {
	if m.mesh && m.count == meshLimit {
		m.c.mesh(nil)
		m.count = 0
	}
	m.count += BlockSize
	for i := range m.state {
		m.state[i] ^= b[i]
	}
	m.c.mac16(&m.state)
	m.blocks++
}

// Sum appends the MAC of the data written so far to b. It does not change
// the MAC's state.
func (m *mac) Sum(b []byte) []byte {
	t := *m
	if t.n > 0 {
		clear(t.part[t.n:])
		t.block(&t.part)
	}
	if t.blocks == 1 {
		var zero [BlockSize]byte
		t.block(&zero)
	}
	return append(b, t.state[:t.size]...)
}
