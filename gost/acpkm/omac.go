package acpkm

import (
	"crypto/cipher"
	"crypto/subtle"
	"errors"
	"hash"
	"strconv"

	"rekey/gost/omac"
)

// NewOMAC returns OMAC-ACPKM (OMAC-ACPKM-Master of RFC 8645 §6.3.6,
// R 1323565.1.017-2018) as a hash.Hash whose Sum appends the first size
// bytes of the MAC, 1 <= size <= n.
//
// The MAC is computed as in OMAC (GOST R 34.13-2015 §5.6) but in sections
// of sectionSize bytes (N), section i under its own key K^i and with the
// last block's subkey K^l_1 of the last section l, where K^i||K^i_1 are the
// successive k+n bits of ACPKM-Master(key, T*) (RFC 8645 §6.3.1): the
// CTR-ACPKM keystream under key, with the IV 1^(n/2) and sections of
// masterSectionSize bytes (T*). The CBC chaining value runs across sections.
func NewOMAC(
	newCipher NewCipherFunc,
	key []byte,
	sectionSize, masterSectionSize, size int,
) (hash.Hash, error) {
	master, err := newMaster(newCipher, key, masterSectionSize)
	if err != nil {
		return nil, err
	}
	n := master.n
	if err := checkSize("section", sectionSize, n); err != nil {
		return nil, err
	}
	if size < 1 || size > n {
		return nil, errors.New("acpkm: invalid MAC size " + strconv.Itoa(size) +
			" for a " + strconv.Itoa(n) + "-byte block")
	}
	m := &omacACPKM{master: master, n: n, section: sectionSize, size: size}
	copy(m.masterKey[:], key)
	m.master.keyStream(m.km[:KeySize+n])
	if m.b, err = newCipher(m.km[:KeySize]); err != nil {
		return nil, err
	}
	return m, nil
}

// newMaster returns the ACPKM-Master keystream: CTR-ACPKM under key with the
// IV 1^(n/2) and sections of masterSectionSize bytes (RFC 8645 §6.3.1).
func newMaster(newCipher NewCipherFunc, key []byte, masterSectionSize int) (*stream, error) {
	s, err := newStream(newCipher, key, masterSectionSize, "master section")
	if err != nil {
		return nil, err
	}
	s.masterIV()
	return s, nil
}

// masterIV sets the counter to 1^(n/2)||0^(n/2).
func (s *stream) masterIV() {
	half := s.n / 2
	for i := 0; i < half; i++ {
		s.ctr[i], s.ctr[half+i] = 0xff, 0
	}
}

type omacACPKM struct {
	master    *stream
	masterKey [KeySize]byte
	b         cipher.Block // CBC-MAC under the current section key K^i
	n         int
	section   int // N in bytes
	size      int
	km        [KeySize + maxBlock]byte // K^i||K^i_1 of the current section
	blocks    int                      // blocks processed, the buffered one not counted
	c         [maxBlock]byte           // CBC chaining value
	buf       [maxBlock]byte           // the last block, kept until more data arrives
	nbuf      int
	tmp       [maxBlock]byte // Sum's scratch; a local would escape
}

func (m *omacACPKM) Size() int      { return m.size }
func (m *omacACPKM) BlockSize() int { return m.n }

// Reset restarts the MAC and the ACPKM-Master keystream.
func (m *omacACPKM) Reset() {
	s := m.master
	copy(s.key[:], m.masterKey[:])
	s.b = setKey(s.b, s.newCipher, s.key[:])
	s.masterIV()
	s.used, s.pos, s.end = 0, 0, 0
	s.keyStream(m.km[:KeySize+m.n])
	m.b = setKey(m.b, s.newCipher, m.km[:KeySize])
	m.blocks, m.nbuf = 0, 0
	clear(m.c[:])
	clear(m.buf[:])
}

// Write adds p to the message. It never returns an error.
func (m *omacACPKM) Write(p []byte) (int, error) {
	total := len(p)
	n := m.n
	for len(p) > 0 {
		if m.nbuf == n {
			m.process(m.buf[:n])
			m.nbuf = 0
		}
		for m.nbuf == 0 && len(p) > n {
			m.process(p[:n])
			p = p[n:]
		}
		k := copy(m.buf[m.nbuf:n], p)
		m.nbuf += k
		p = p[k:]
	}
	return total, nil
}

// process MACs a block that is known not to be the last one, and moves to
// the next section's keys when the next block starts one.
func (m *omacACPKM) process(block []byte) {
	n := m.n
	subtle.XORBytes(m.c[:n], m.c[:n], block)
	m.b.Encrypt(m.c[:n], m.c[:n])
	m.blocks++
	if m.blocks*n%m.section == 0 {
		m.master.keyStream(m.km[:KeySize+n])
		m.b = setKey(m.b, m.master.newCipher, m.km[:KeySize])
	}
}

// Sum appends the MAC of the message so far to in. The last block is used
// as is with K^l_1 when complete, and padded with 1||0...0 with
// K^l_2 = K^l_1 << 1 otherwise. The state is unchanged.
func (m *omacACPKM) Sum(in []byte) []byte {
	n := m.n
	last := &m.tmp
	clear(last[:])
	if m.nbuf == n {
		copy(last[:], m.km[KeySize:KeySize+n])
	} else {
		omac.Double(last[:n], m.km[KeySize:KeySize+n])
		last[m.nbuf] ^= 0x80
	}
	subtle.XORBytes(last[:m.nbuf], last[:m.nbuf], m.buf[:m.nbuf])
	subtle.XORBytes(last[:n], last[:n], m.c[:n])
	m.b.Encrypt(last[:n], last[:n])
	return append(in, last[:m.size]...)
}
