package cmp

import (
	"bytes"
	"encoding/asn1"
	"math/big"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// derWriter is what a test program writes with: a builder or, as the
// reference, a cryptobyte.Builder.
type derWriter interface {
	element(tag cbasn1.Tag, f func(derWriter))
	write(op int, n int64, arg []byte)
}

// adder is what builder and cryptobyte.Builder share besides AddASN1.
type adder interface {
	AddBytes([]byte)
	AddASN1Int64(int64)
	AddASN1Enum(int64)
	AddASN1Int64WithTag(int64, cbasn1.Tag)
	AddASN1BigInt(*big.Int)
	AddASN1ObjectIdentifier(asn1.ObjectIdentifier)
	AddASN1Boolean(bool)
	AddASN1NULL()
	AddASN1OctetString([]byte)
	AddUint8(uint8)
	SetError(error)
}

type ourWriter struct{ b *builder }

func (w ourWriter) element(tag cbasn1.Tag, f func(derWriter)) {
	w.b.AddASN1(tag, func(b *builder) { f(ourWriter{b}) })
}

func (w ourWriter) write(op int, n int64, arg []byte) { writeOp(w.b, op, n, arg) }

type refWriter struct{ b *cryptobyte.Builder }

func (w refWriter) element(tag cbasn1.Tag, f func(derWriter)) {
	w.b.AddASN1(tag, func(b *cryptobyte.Builder) { f(refWriter{b}) })
}

func (w refWriter) write(op int, n int64, arg []byte) { writeOp(w.b, op, n, arg) }

// writeOp is write number op of a test program, with n and arg, on b.
func writeOp(b adder, op int, n int64, arg []byte) {
	switch op {
	case 1:
		b.AddBytes(arg)
	case 2:
		b.AddASN1Int64(n)
	case 3:
		b.AddASN1Enum(n)
	case 4:
		b.AddASN1Int64WithTag(n, ctxPrim(int(n&7)))
	case 5:
		b.AddASN1BigInt(new(big.Int).SetBytes(arg).Mul(new(big.Int).SetBytes(arg), big.NewInt(n)))
	case 6:
		b.AddASN1ObjectIdentifier(testOID(n, arg))
	case 7:
		b.AddASN1Boolean(n&1 == 1)
	case 8:
		b.AddASN1NULL()
	case 9:
		b.AddASN1OctetString(arg)
	case 10:
		b.AddUint8(uint8(n))
	case 11:
		b.SetError(errorf(FailBadDataFormat, "cmp: test error %d", n))
	}
}

// testOID makes an OID, valid or not, of a number and some bytes.
func testOID(n int64, arg []byte) asn1.ObjectIdentifier {
	oid := asn1.ObjectIdentifier{int(n & 3), int(n>>2) % 64}
	for _, c := range arg {
		oid = append(oid, int(c)<<(c%29))
	}
	if n < 0 {
		oid = append(oid, int(n))
	}
	return oid
}

// play runs a program on w: a byte chooses the write and the next the
// number; an element takes the program up to a 0xff byte as its content;
// a byte string is a run of up to 16 KiB, so that long lengths are
// written too.
func play(p []byte, w derWriter) {
	for len(p) >= 2 {
		op, x := int(p[0]%13), p[1]
		p = p[2:]
		n := int64(int8(x)) << (x % 61)
		switch op {
		case 0, 12:
			end := bytes.IndexByte(p, 0xff)
			if end < 0 {
				end = len(p)
			}
			inner := p[:end]
			w.element(cbasn1.Tag(x), func(w derWriter) { play(inner, w) })
			p = p[min(end+1, len(p)):]
		case 1:
			w.write(op, n, bytes.Repeat([]byte{x}, int(x)*int(x)/4))
		default:
			k := min(int(x%8), len(p))
			w.write(op, n, p[:k])
			p = p[k:]
		}
	}
}

func checkBuilder(t *testing.T, prog []byte) {
	b := newBuilder(nil)
	play(prog, ourWriter{b})
	var c cryptobyte.Builder
	play(prog, refWriter{&c})
	got, err := b.Bytes()
	want, wantErr := c.Bytes()
	if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("program %x: error %v, cryptobyte's %v", prog, err, wantErr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("program %x:\n got %x\nwant %x", prog, got, want)
	}
}

var builderSeeds = [][]byte{
	{},
	{0, 0x30, 1, 200, 0xff, 2, 0x7f}, // SEQUENCE of 10,000 bytes, an INTEGER
	{0, 0x30, 0, 0xa0, 1, 255, 1, 180, 2, 0x80}, // nested long lengths
	{2, 0, 2, 0x7f, 2, 0x80, 2, 0x81, 3, 0x40, 4, 0x33, 10, 7},
	{5, 0x85, 1, 2, 3, 4, 5, 5, 0x01, 0xff, 5, 0x00, 5, 0x80, 0x80},
	{6, 0x05, 1, 2, 6, 0x1c, 0, 6, 0x02, 0x7f, 0x80, 6, 0x80},
	{7, 1, 7, 0, 8, 0, 9, 3, 1, 2, 3, 0, 0x04, 9, 0, 0xff, 10, 0x30},
	{0, 0x30, 11, 5, 2, 3, 0xff, 2, 4, 11, 6},
	{0, 0x1f, 2, 1},
	{1, 0x10, 0, 0x31, 1, 0x11},
}

// TestBuilder compares builder with cryptobyte.Builder: the same bytes
// and the same error for every program.
func TestBuilder(t *testing.T) {
	for _, p := range builderSeeds {
		checkBuilder(t, p)
	}
}

func FuzzBuilder(f *testing.F) {
	for _, p := range builderSeeds {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, prog []byte) {
		if len(prog) > 512 {
			return
		}
		checkBuilder(t, prog)
	})
}
