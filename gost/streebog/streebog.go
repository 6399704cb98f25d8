// Package streebog implements the hash function of GOST R 34.11-2012
// ("Streebog"), with 256-bit and 512-bit output, as described in RFC 6986.
//
// Scope: the two hash functions of the standard as [hash.Hash] values and
// one-shot functions. The code follows RFC 6986: the parameters of §5, the
// transformations of §6, the compression function g_N of §7 and the
// three-stage procedure of §8; the examples of §10 are among the tests,
// and the output is compared with OpenSSL's gost-engine. HMAC, the KDFs
// and PBKDF2 built on Streebog live in package rekey/gost/kdf; HMAC is the
// standard library's [crypto/hmac] over [New256] or [New512].
//
// Byte order: RFC 6986 and the standard write vectors as numbers, most
// significant byte first, so the RFC's examples read byte-reversed. This
// package, like OpenSSL's gost-engine (openssl dgst -md_gost12_256), takes
// the message as bytes in memory order and returns the digest in the same
// order: byte 0 of the output is the least significant byte of the RFC's
// vector. The 256-bit digest is the most significant half of the final
// 512-bit state (RFC 6986 §8.3, MSB_256), which is bytes 32..63 of it.
//
// The hashes implement [encoding.BinaryMarshaler],
// [encoding.BinaryAppender], [encoding.BinaryUnmarshaler] and
// [hash.Cloner], so that a state can be saved and resumed; crypto/hmac uses
// this to precompute the keyed pads. The marshaled form is specific to this
// package.
//
// Known issue: the compression function is table driven (eight combined
// LPS tables of 256 words, RFC 6986 §6), and the table indices depend on
// the message and the chaining state. Like every mainstream software
// implementation of Streebog, it is therefore not constant-time with
// respect to cache timing: an attacker who shares the CPU cache may learn
// something about secret input, such as an HMAC key or a password.
package streebog

import (
	"encoding/binary"
	"errors"
	"hash"
)

const (
	// Size256 is the size in bytes of a GOST R 34.11-2012 256-bit digest.
	Size256 = 32
	// Size512 is the size in bytes of a GOST R 34.11-2012 512-bit digest.
	Size512 = 64
	// BlockSize is the block size of both hash functions in bytes.
	BlockSize = 64
)

// iv256 is the initialization vector of the 256-bit function, 0x01 in
// every byte (RFC 6986 §5.1); the 512-bit function starts from zero.
const iv256 = 0x0101010101010101

// digest is the state of RFC 6986 §8: the chaining value h, the processed
// length N in bits and the checksum Σ, plus the unprocessed tail of the
// message.
type digest struct {
	h, n, sigma [8]uint64
	buf         [BlockSize]byte
	nbuf        int
	size        int // Size256 or Size512
}

// New256 returns a new hash.Hash computing the GOST R 34.11-2012 256-bit
// digest. It is variable-time in the data (see the package's Known issue).
func New256() hash.Hash {
	d := &digest{size: Size256}
	d.Reset()
	return d
}

// New512 returns a new hash.Hash computing the GOST R 34.11-2012 512-bit
// digest. It is variable-time in the data (see the package's Known issue).
func New512() hash.Hash {
	d := &digest{size: Size512}
	d.Reset()
	return d
}

// Sum256 returns the GOST R 34.11-2012 256-bit digest of data. It is
// variable-time in the data, like New256.
func Sum256(data []byte) [Size256]byte {
	d := digest{size: Size256}
	d.Reset()
	d.Write(data)
	var out [Size512]byte
	d.finish(&out)
	return [Size256]byte(out[Size512-Size256:])
}

// Sum512 returns the GOST R 34.11-2012 512-bit digest of data. It is
// variable-time in the data, like New512.
func Sum512(data []byte) [Size512]byte {
	d := digest{size: Size512}
	d.Reset()
	d.Write(data)
	var out [Size512]byte
	d.finish(&out)
	return out
}

// Reset sets the state to stage 1 of RFC 6986 §8.1.
func (d *digest) Reset() {
	var iv uint64
	if d.size == Size256 {
		iv = iv256
	}
	for i := range d.h {
		d.h[i] = iv
	}
	d.n = [8]uint64{}
	d.sigma = [8]uint64{}
	d.nbuf = 0
}

// Size returns the digest size in bytes.
func (d *digest) Size() int { return d.size }

// BlockSize returns the block size in bytes.
func (d *digest) BlockSize() int { return BlockSize }

// Write absorbs p. It never returns an error.
func (d *digest) Write(p []byte) (int, error) {
	n := len(p)
	if d.nbuf > 0 {
		c := copy(d.buf[d.nbuf:], p)
		d.nbuf += c
		p = p[c:]
		if d.nbuf < BlockSize {
			return n, nil
		}
		d.block(&d.buf)
		d.nbuf = 0
	}
	for len(p) >= BlockSize {
		d.block((*[BlockSize]byte)(p))
		p = p[BlockSize:]
	}
	d.nbuf = copy(d.buf[:], p)
	return n, nil
}

// block is one step of stage 2 (RFC 6986 §8.2) on a full 64-byte block:
// h = g_N(h, m), N = N ⊞ 512, Σ = Σ ⊞ m.
func (d *digest) block(p *[BlockSize]byte) {
	var m [8]uint64
	load(&m, p)
	compress(&d.h, &d.n, &m)
	addBits(&d.n, 512)
	add512(&d.sigma, &m)
}

// Sum appends the digest of the data written so far to b. It does not
// change the state.
func (d *digest) Sum(b []byte) []byte {
	d0 := *d
	var out [Size512]byte
	d0.finish(&out)
	return append(b, out[Size512-d.size:]...)
}

// finish is stage 3 (RFC 6986 §8.3). It pads the tail M to
// m = 0^(511-|M|) || 1 || M, which in memory order is M, 0x01, zeros, and
// writes the final 512-bit h to out.
func (d *digest) finish(out *[Size512]byte) {
	var pad [BlockSize]byte
	copy(pad[:], d.buf[:d.nbuf])
	pad[d.nbuf] = 1
	var m [8]uint64
	load(&m, &pad)
	compress(&d.h, &d.n, &m)
	addBits(&d.n, uint64(d.nbuf)*8)
	add512(&d.sigma, &m)

	var zero [8]uint64
	compress(&d.h, &zero, &d.n)
	compress(&d.h, &zero, &d.sigma)
	for i, w := range d.h {
		binary.LittleEndian.PutUint64(out[8*i:], w)
	}
}

func load(m *[8]uint64, p *[BlockSize]byte) {
	for i := range m {
		m[i] = binary.LittleEndian.Uint64(p[8*i:])
	}
}

// Clone returns an independent copy of the hash state.
func (d *digest) Clone() (hash.Cloner, error) {
	d0 := *d
	return &d0, nil
}

const (
	magic256      = "streebog256\x01"
	magic512      = "streebog512\x01"
	marshaledSize = len(magic256) + 3*64 + BlockSize + 1
)

// MarshalBinary returns the hash state in a form UnmarshalBinary accepts.
func (d *digest) MarshalBinary() ([]byte, error) {
	return d.AppendBinary(make([]byte, 0, marshaledSize))
}

// AppendBinary appends the marshaled hash state to b.
func (d *digest) AppendBinary(b []byte) ([]byte, error) {
	if d.size == Size256 {
		b = append(b, magic256...)
	} else {
		b = append(b, magic512...)
	}
	for _, v := range [...]*[8]uint64{&d.h, &d.n, &d.sigma} {
		for _, w := range v {
			b = binary.LittleEndian.AppendUint64(b, w)
		}
	}
	b = append(b, d.buf[:]...)
	return append(b, byte(d.nbuf)), nil
}

// UnmarshalBinary restores a state saved by MarshalBinary of a hash of the
// same size. On error the state is unchanged.
func (d *digest) UnmarshalBinary(b []byte) error {
	magic := magic512
	if d.size == Size256 {
		magic = magic256
	}
	if len(b) < len(magic) || string(b[:len(magic)]) != magic {
		return errors.New("streebog: invalid hash state identifier")
	}
	if len(b) != marshaledSize {
		return errors.New("streebog: invalid hash state size")
	}
	nbuf := int(b[marshaledSize-1])
	if nbuf >= BlockSize {
		return errors.New("streebog: invalid hash state buffer length")
	}
	b = b[len(magic):]
	for _, v := range [...]*[8]uint64{&d.h, &d.n, &d.sigma} {
		for i := range v {
			v[i] = binary.LittleEndian.Uint64(b)
			b = b[8:]
		}
	}
	copy(d.buf[:], b)
	d.nbuf = nbuf
	return nil
}
