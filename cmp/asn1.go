package cmp

import (
	"encoding/asn1"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// AlgorithmIdentifier is an X.509 AlgorithmIdentifier (RFC 5280
// §4.1.1.2). Parameters is the complete DER element of the parameters, nil
// when they are absent.
type AlgorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters []byte
}

func readAlgorithm(s *cryptobyte.String, tag cbasn1.Tag, ai *AlgorithmIdentifier) bool {
	var in cryptobyte.String
	if !s.ReadASN1(&in, tag) || !in.ReadASN1ObjectIdentifier(&ai.Algorithm) {
		return false
	}
	ai.Parameters = nil
	if !in.Empty() {
		var p cryptobyte.String
		if !in.ReadASN1Element(&p, peekTag(in)) || !in.Empty() {
			return false
		}
		ai.Parameters = p
	}
	return true
}

func addAlgorithm(b *builder, tag cbasn1.Tag, ai *AlgorithmIdentifier) {
	b.AddASN1(tag, func(b *builder) {
		b.AddASN1ObjectIdentifier(ai.Algorithm)
		if ai.Parameters != nil {
			addRaw(b, ai.Parameters, "algorithm parameters")
		}
	})
}

// peekTag returns the tag of the next element, 0 when s is empty.
func peekTag(s cryptobyte.String) cbasn1.Tag {
	var tag cbasn1.Tag
	var el cryptobyte.String
	if !s.ReadAnyASN1Element(&el, &tag) {
		return 0
	}
	return tag
}

// readAnyElement reads the next element whole, whatever its tag.
func readAnyElement(s *cryptobyte.String, out *[]byte) bool {
	var el cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1Element(&el, &tag) {
		return false
	}
	*out = el
	return true
}

// present returns b, or a non-nil empty slice when b is empty, so that a
// present but empty field stays distinguishable from an absent one.
func present(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// readOptionalExplicitOctets reads [tag] EXPLICIT OCTET STRING if present.
func readOptionalExplicitOctets(s *cryptobyte.String, tag cbasn1.Tag, out *[]byte) bool {
	*out = nil
	if !s.PeekASN1Tag(tag) {
		return true
	}
	var in, v cryptobyte.String
	if !s.ReadASN1(&in, tag) || !in.ReadASN1(&v, cbasn1.OCTET_STRING) || !in.Empty() {
		return false
	}
	*out = present(v)
	return true
}

func addExplicitOctets(b *builder, tag cbasn1.Tag, v []byte) {
	if v == nil {
		return
	}
	b.AddASN1(tag, func(b *builder) { b.AddASN1OctetString(v) })
}

// ctxCons returns the context-specific constructed tag [n]: an EXPLICIT
// tag, or an IMPLICIT one on a SEQUENCE.
func ctxCons(n int) cbasn1.Tag { return cbasn1.Tag(n).ContextSpecific().Constructed() }

// ctxPrim returns the context-specific primitive tag [n], an IMPLICIT tag
// on a primitive type.
func ctxPrim(n int) cbasn1.Tag { return cbasn1.Tag(n).ContextSpecific() }

// readBitStringBytes reads a BIT STRING that holds whole bytes, such as a
// signature or a MAC value.
func readBitStringBytes(s *cryptobyte.String, tag cbasn1.Tag, out *[]byte) bool {
	var bs cryptobyte.String
	if !s.ReadASN1(&bs, tag) || len(bs) < 1 || bs[0] != 0 {
		return false
	}
	*out = present(bs[1:])
	return true
}

func addBitStringBytes(b *builder, tag cbasn1.Tag, v []byte) {
	b.AddASN1(tag, func(b *builder) {
		b.AddUint8(0)
		b.AddBytes(v)
	})
}

// DER time forms: GeneralizedTime YYYYMMDDHHMMSS[.f]Z with no trailing
// zero in the fraction, UTCTime YYMMDDHHMMSSZ (X.690 §11.7, §11.8).

func parseGeneralizedTime(v []byte) (time.Time, bool) {
	if len(v) < 15 || v[len(v)-1] != 'Z' || !allDigits(v[:14]) {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102150405", string(v[:14]))
	if err != nil {
		return time.Time{}, false
	}
	frac := v[14 : len(v)-1]
	if len(frac) == 0 {
		return t, true
	}
	digits := frac[1:]
	if frac[0] != '.' || len(digits) == 0 || len(digits) > 9 || !allDigits(digits) ||
		digits[len(digits)-1] == '0' {
		return time.Time{}, false
	}
	ns := 0
	for i := 0; i < 9; i++ {
		ns *= 10
		if i < len(digits) {
			ns += int(digits[i] - '0')
		}
	}
	return t.Add(time.Duration(ns)), true
}

// appendGeneralizedTime appends the DER GeneralizedTime form of t.
func appendGeneralizedTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	dst = t.AppendFormat(dst, "20060102150405")
	if t.Nanosecond() != 0 {
		dst = t.AppendFormat(dst, ".000000000")
		for dst[len(dst)-1] == '0' {
			dst = dst[:len(dst)-1]
		}
	}
	return append(dst, 'Z')
}

func allDigits(v []byte) bool {
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func readGeneralizedTime(s *cryptobyte.String, t *time.Time) bool {
	var v cryptobyte.String
	if !s.ReadASN1(&v, cbasn1.GeneralizedTime) {
		return false
	}
	var ok bool
	*t, ok = parseGeneralizedTime(v)
	return ok
}

func addGeneralizedTime(b *builder, t time.Time) {
	b.AddASN1(cbasn1.GeneralizedTime, func(b *builder) {
		if b.err == nil {
			b.buf = appendGeneralizedTime(b.buf, t)
		}
	})
}

// readTime reads an X.509 Time: UTCTime for the years 1950–2049 and
// GeneralizedTime without a fraction otherwise (RFC 5280 §4.1.2.5).
func readTime(s *cryptobyte.String, t *time.Time) bool {
	var v cryptobyte.String
	switch {
	case s.PeekASN1Tag(cbasn1.UTCTime):
		if !s.ReadASN1(&v, cbasn1.UTCTime) || len(v) != 13 || v[12] != 'Z' ||
			!allDigits(v[:12]) {
			return false
		}
		var err error
		*t, err = time.Parse("060102150405", string(v[:12]))
		if err != nil {
			return false
		}
		if t.Year() >= 2050 { // Go's pivot is 1969; RFC 5280's is 1950
			*t = t.AddDate(-100, 0, 0)
		}
		return true
	case s.PeekASN1Tag(cbasn1.GeneralizedTime):
		if !s.ReadASN1(&v, cbasn1.GeneralizedTime) || len(v) != 15 {
			return false
		}
		var ok bool
		*t, ok = parseGeneralizedTime(v)
		return ok && (t.Year() < 1950 || t.Year() >= 2050)
	}
	return false
}

func addTime(b *builder, t time.Time) {
	t = t.UTC().Truncate(time.Second)
	if y := t.Year(); y >= 1950 && y < 2050 {
		b.AddASN1(cbasn1.UTCTime, func(b *builder) {
			b.AddBytes([]byte(t.Format("060102150405Z")))
		})
		return
	}
	addGeneralizedTime(b, t)
}

// AttributeTypeAndValue is a CRMF control or registration-info entry
// (RFC 4211 §6, §7). Value is the complete DER element of the value.
type AttributeTypeAndValue struct {
	Type  asn1.ObjectIdentifier
	Value []byte
}

// readAttributes reads a SEQUENCE OF AttributeTypeAndValue.
func readAttributes(s *cryptobyte.String, what string) ([]AttributeTypeAndValue, error) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, malformed(what)
	}
	out := []AttributeTypeAndValue{}
	for !seq.Empty() {
		var in cryptobyte.String
		var a AttributeTypeAndValue
		if !seq.ReadASN1(&in, cbasn1.SEQUENCE) || !in.ReadASN1ObjectIdentifier(&a.Type) ||
			!readAnyElement(&in, &a.Value) || !in.Empty() {
			return nil, malformed(what + " entry")
		}
		out = append(out, a)
	}
	return out, nil
}

func addAttributes(b *builder, attrs []AttributeTypeAndValue) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		for _, a := range attrs {
			b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
				b.AddASN1ObjectIdentifier(a.Type)
				addRaw(b, a.Value, "attribute value")
			})
		}
	})
}

// readCertificates reads a SEQUENCE OF CMPCertificate, each kept as its
// DER. Only the outer SEQUENCE of a certificate is checked here.
func readCertificates(s *cryptobyte.String, what string) ([][]byte, error) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, malformed(what)
	}
	out := [][]byte{}
	for !seq.Empty() {
		var c cryptobyte.String
		if !seq.ReadASN1Element(&c, cbasn1.SEQUENCE) {
			return nil, malformed(what + " certificate")
		}
		out = append(out, c)
	}
	return out, nil
}

func addCertificates(b *builder, certs [][]byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		for _, c := range certs {
			addRaw(b, c, "certificate")
		}
	})
}

// addRaw writes el, which must be exactly one DER element; otherwise it
// sets an error on b naming what.
func addRaw(b *builder, el []byte, what string) {
	s := cryptobyte.String(el)
	var x cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1Element(&x, &tag) || !s.Empty() {
		b.SetError(errorf(FailBadDataFormat, "cmp: %s is not one DER element", what))
		return
	}
	b.AddBytes(el)
}
