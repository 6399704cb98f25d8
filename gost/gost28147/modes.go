package gost28147

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
)

var errIVSize = errors.New("gost28147: IV must be 8 bytes")

// The constants C2 and C1 of the counter mode (RFC 5830 §6.1), added to
// N3 and N4 for each block.
const (
	cntC2 = 0x01010101
	cntC1 = 0x01010104
)

// stream is the state the CFB and CNT streams share: a private copy of the
// key (meshing changes it), the gamma block and the meshing counter.
type stream struct {
	c     Cipher
	gamma [BlockSize]byte
	used  int  // bytes of gamma consumed; BlockSize when a new one is due
	count int  // bytes processed under the current key, at most meshLimit
	mesh  bool // CryptoPro key meshing (RFC 4357 §2.3.2)
}

func newStream(key []byte, sbox *SBox, iv []byte, mesh bool) (*stream, error) {
	c, err := newCipher(key, sbox)
	if err != nil {
		return nil, err
	}
	if len(iv) != BlockSize {
		return nil, errIVSize
	}
	return &stream{c: *c, used: BlockSize, mesh: mesh}, nil
}

// meshDue reports whether key meshing must run before the next block, and
// counts that block.
func (s *stream) meshDue() bool {
	due := s.mesh && s.count == meshLimit
	if due {
		s.count = 0
	}
	s.count += BlockSize
	return due
}

func checkLengths(dst, src []byte) {
	if len(dst) < len(src) {
		panic("gost28147: output smaller than input")
	}
}

// cfb is GOST 28147-89 CFB (RFC 5830 §7): the gamma is the encryption of
// the previous ciphertext block, the first time of the IV.
type cfb struct {
	stream
	reg     [BlockSize]byte // the IV or the last ciphertext block
	decrypt bool
}

// NewCFBEncrypter returns a stream that encrypts in GOST 28147-89 CFB mode
// (RFC 5830 §7) with the 32-byte key, the parameter set sbox and the 8-byte
// IV, with CryptoPro key meshing (RFC 4357 §2.3.2) when mesh is true. At a
// meshing step the register (the last ciphertext block) is encrypted under
// the new key before it gives the next gamma, as OpenSSL's gost89 and
// CryptoPro CSP do. Dst and src of XORKeyStream may overlap entirely or not
// at all.
func NewCFBEncrypter(key []byte, sbox *SBox, iv []byte, mesh bool) (cipher.Stream, error) {
	return newCFB(key, sbox, iv, mesh, false)
}

// NewCFBDecrypter returns a stream that decrypts what NewCFBEncrypter with
// the same arguments encrypts.
func NewCFBDecrypter(key []byte, sbox *SBox, iv []byte, mesh bool) (cipher.Stream, error) {
	return newCFB(key, sbox, iv, mesh, true)
}

func newCFB(key []byte, sbox *SBox, iv []byte, mesh, decrypt bool) (*cfb, error) {
	s, err := newStream(key, sbox, iv, mesh)
	if err != nil {
		return nil, err
	}
	x := &cfb{stream: *s, decrypt: decrypt}
	copy(x.reg[:], iv)
	return x, nil
}

func (x *cfb) XORKeyStream(dst, src []byte) {
	checkLengths(dst, src)
	for len(src) > 0 {
		if x.used == BlockSize {
			if x.meshDue() {
				x.c.mesh(&x.reg)
			}
			x.c.Encrypt(x.gamma[:], x.reg[:])
			x.used = 0
		}
		n := min(BlockSize-x.used, len(src))
		for i, in := range src[:n] {
			out := in ^ x.gamma[x.used+i]
			dst[i] = out
			if x.decrypt {
				x.reg[x.used+i] = in
			} else {
				x.reg[x.used+i] = out
			}
		}
		x.used += n
		dst, src = dst[n:], src[n:]
	}
}

// cnt is the GOST 28147-89 counter mode (RFC 5830 §6).
type cnt struct {
	stream
	n3, n4  uint32 // the counter registers N3 (bytes 0..3) and N4 (4..7)
	started bool
	iv      [BlockSize]byte
}

// NewCNT returns a stream that encrypts and decrypts in the GOST 28147-89
// counter mode (RFC 5830 §6, OpenSSL's gost89-cnt) with the 32-byte key, the
// parameter set sbox and the 8-byte IV (the synchro S), with CryptoPro key
// meshing when mesh is true. The registers start as the encryption of the
// IV; each block adds C2 to N3 modulo 2^32 and C1 to N4 modulo 2^32-1 (with
// an end-around carry, so N4 may hold 2^32-1 as in OpenSSL and CryptoPro),
// and the gamma is the encryption of N3||N4. At a meshing step the registers
// are encrypted under the new key before the addition. Dst and src of
// XORKeyStream may overlap entirely or not at all.
func NewCNT(key []byte, sbox *SBox, iv []byte, mesh bool) (cipher.Stream, error) {
	s, err := newStream(key, sbox, iv, mesh)
	if err != nil {
		return nil, err
	}
	x := &cnt{stream: *s}
	copy(x.iv[:], iv)
	return x, nil
}

func (x *cnt) XORKeyStream(dst, src []byte) {
	checkLengths(dst, src)
	for len(src) > 0 {
		if x.used == BlockSize {
			x.next()
		}
		n := min(BlockSize-x.used, len(src))
		for i, in := range src[:n] {
			dst[i] = in ^ x.gamma[x.used+i]
		}
		x.used += n
		dst, src = dst[n:], src[n:]
	}
}

// next advances the counter and computes the next gamma block.
func (x *cnt) next() {
	var b [BlockSize]byte
	switch {
	case !x.started:
		x.c.Encrypt(b[:], x.iv[:])
		x.n3, x.n4 = load(b[:])
		x.started = true
		x.count = BlockSize
	case x.meshDue():
		store(b[:], x.n3, x.n4)
		x.c.mesh(&b)
		x.n3, x.n4 = load(b[:])
	}
	x.n3 += cntC2
	sum := x.n4 + cntC1
	if sum < x.n4 {
		sum++ // end-around carry: addition modulo 2^32-1
	}
	x.n4 = sum
	binary.LittleEndian.PutUint32(b[:], x.n3)
	binary.LittleEndian.PutUint32(b[4:], x.n4)
	x.c.Encrypt(x.gamma[:], b[:])
	x.used = 0
}
