package cmp

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// builder encodes DER like a cryptobyte.Builder, with the methods of it
// that this package uses and the same output and errors, but in one
// buffer: an element's length is written once its content is, and the
// content moved along when the length takes more than one byte. A
// cryptobyte.Builder allocates a child Builder per element: about a
// quarter of the allocations of a renewal (BenchmarkRenewal) were those.
//
// The first error sticks (SetError replaces it, as in cryptobyte); every
// write after it does nothing.
type builder struct {
	buf []byte
	err error
}

// newBuilder returns a builder appending to buf.
func newBuilder(buf []byte) *builder { return &builder{buf: buf} }

// Bytes returns the DER written, or the first error.
func (b *builder) Bytes() ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	return b.buf, nil
}

// BytesOrPanic returns the DER written and panics on an error.
func (b *builder) BytesOrPanic() []byte {
	if b.err != nil {
		panic(b.err)
	}
	return b.buf
}

// SetError sets the error of b.
func (b *builder) SetError(err error) { b.err = err }

// AddBytes appends v as it is.
func (b *builder) AddBytes(v []byte) {
	if b.err == nil {
		b.buf = append(b.buf, v...)
	}
}

// AddUint8 appends one byte.
func (b *builder) AddUint8(v uint8) {
	if b.err == nil {
		b.buf = append(b.buf, v)
	}
}

// AddASN1 appends an element with tag whose content f writes.
func (b *builder) AddASN1(tag cbasn1.Tag, f func(*builder)) {
	if b.err != nil {
		return
	}
	if tag&0x1f == 0x1f {
		b.err = fmt.Errorf("cryptobyte: high-tag number identifier octets not supported: 0x%x",
			tag)
		return
	}
	b.buf = append(b.buf, uint8(tag), 0)
	start := len(b.buf)
	f(b)
	if b.err != nil {
		return
	}
	b.endASN1(start)
}

// endASN1 writes the length of the content from start on into the byte
// before it, moving the content along for a long form (X.690 §8.1.3).
func (b *builder) endASN1(start int) {
	n := len(b.buf) - start
	if n < 0x80 {
		b.buf[start-1] = uint8(n)
		return
	}
	var extra int
	switch {
	case int64(n) > 0xfffffffe:
		b.err = errors.New("pending ASN.1 child too long")
		return
	case n > 0xffffff:
		extra = 4
	case n > 0xffff:
		extra = 3
	case n > 0xff:
		extra = 2
	default:
		extra = 1
	}
	b.buf = append(b.buf, make([]byte, extra)...)
	copy(b.buf[start+extra:], b.buf[start:start+n])
	b.buf[start-1] = 0x80 | uint8(extra)
	for i := extra - 1; i >= 0; i-- {
		b.buf[start+i] = uint8(n)
		n >>= 8
	}
}

// AddASN1OctetString appends an OCTET STRING.
func (b *builder) AddASN1OctetString(v []byte) {
	b.addPrimitive(cbasn1.OCTET_STRING, v)
}

// addPrimitive appends an element of tag holding v.
func (b *builder) addPrimitive(tag cbasn1.Tag, v []byte) {
	b.AddASN1(tag, func(b *builder) { b.AddBytes(v) })
}

// AddASN1NULL appends a NULL.
func (b *builder) AddASN1NULL() {
	if b.err == nil {
		b.buf = append(b.buf, uint8(cbasn1.NULL), 0)
	}
}

// AddASN1Boolean appends a BOOLEAN, FF for true.
func (b *builder) AddASN1Boolean(v bool) {
	var x uint8
	if v {
		x = 0xff
	}
	b.AddASN1(cbasn1.BOOLEAN, func(b *builder) { b.AddUint8(x) })
}

// AddASN1Int64 appends an INTEGER.
func (b *builder) AddASN1Int64(v int64) { b.addSigned(cbasn1.INTEGER, v) }

// AddASN1Int64WithTag appends an INTEGER with an IMPLICIT tag.
func (b *builder) AddASN1Int64WithTag(v int64, tag cbasn1.Tag) { b.addSigned(tag, v) }

// AddASN1Enum appends an ENUMERATED.
func (b *builder) AddASN1Enum(v int64) { b.addSigned(cbasn1.ENUM, v) }

// addSigned appends v in the fewest two's-complement bytes.
func (b *builder) addSigned(tag cbasn1.Tag, v int64) {
	b.AddASN1(tag, func(b *builder) {
		n := 1
		for i := v; i >= 0x80 || i < -0x80; i >>= 8 {
			n++
		}
		for ; n > 0; n-- {
			b.AddUint8(uint8(v >> uint((n-1)*8)))
		}
	})
}

// AddASN1BigInt appends an INTEGER.
func (b *builder) AddASN1BigInt(n *big.Int) {
	if b.err != nil {
		return
	}
	b.AddASN1(cbasn1.INTEGER, func(b *builder) {
		switch n.Sign() {
		case 0:
			b.AddUint8(0)
		case 1:
			v := n.Bytes()
			if v[0]&0x80 != 0 {
				b.AddUint8(0)
			}
			b.AddBytes(v)
		default:
			// Two's complement of a negative n: the bytes of -n-1
			// inverted, with a leading FF unless their top bit is set.
			m := new(big.Int).Neg(n)
			v := m.Sub(m, big.NewInt(1)).Bytes()
			for i := range v {
				v[i] ^= 0xff
			}
			if len(v) == 0 || v[0]&0x80 == 0 {
				b.AddUint8(0xff)
			}
			b.AddBytes(v)
		}
	})
}

// AddASN1ObjectIdentifier appends an OBJECT IDENTIFIER; an invalid oid
// (fewer than two arcs, a first arc over 2, a second over 39 under 0 or
// 1, a negative arc) is an error.
func (b *builder) AddASN1ObjectIdentifier(oid asn1.ObjectIdentifier) {
	b.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(b *builder) {
		if !validOID(oid) {
			b.err = fmt.Errorf("cryptobyte: invalid OID: %v", oid)
			return
		}
		b.addBase128(int64(oid[0])*40 + int64(oid[1]))
		for _, v := range oid[2:] {
			b.addBase128(int64(v))
		}
	})
}

func validOID(oid asn1.ObjectIdentifier) bool {
	if len(oid) < 2 || oid[0] > 2 || (oid[0] <= 1 && oid[1] >= 40) {
		return false
	}
	for _, v := range oid {
		if v < 0 {
			return false
		}
	}
	return true
}

// addBase128 appends n in base 128, most significant group first, the
// continuation bit on all groups but the last (X.690 §8.19.2).
func (b *builder) addBase128(n int64) {
	groups := 1
	for i := n >> 7; i > 0; i >>= 7 {
		groups++
	}
	for i := groups - 1; i >= 0; i-- {
		o := uint8(n>>uint(i*7)) & 0x7f
		if i != 0 {
			o |= 0x80
		}
		b.AddUint8(o)
	}
}
