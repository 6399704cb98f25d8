package cmp

import (
	"errors"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/pki"
)

// Message is a PKIMessage (RFC 9810 §5.1).
type Message struct {
	Header     Header
	Body       Body
	Protection []byte   // the PKIProtection BIT STRING's bytes; nil if absent
	ExtraCerts [][]byte // DER certificates; nil when absent

	// Raw is the whole message as parsed. Marshal does not read it.
	Raw []byte

	// extra are the ExtraCerts parsed, once a Client checked the
	// signature of a response with them.
	extra []*pki.Certificate
}

// ParseMessage decodes one DER PKIMessage. It refuses BER (indefinite
// lengths, non-minimal lengths and integers, a BOOLEAN other than 00 or
// FF, a present DEFAULT, a non-DER time or bit string), trailing data,
// and body types it does not implement. Parsed slices alias der.
//
// Every error is an *Error; malformed input gives FailBadDataFormat.
func ParseMessage(der []byte) (*Message, error) {
	s := cryptobyte.String(der)
	var in cryptobyte.String
	if !s.ReadASN1(&in, cbasn1.SEQUENCE) {
		return nil, malformed("PKIMessage")
	}
	if !s.Empty() {
		return nil, newError(FailBadDataFormat, "cmp: trailing data after PKIMessage")
	}
	m := &Message{Raw: der}
	if err := readHeader(&in, &m.Header); err != nil {
		return nil, err
	}
	if err := readBody(&in, &m.Body); err != nil {
		return nil, err
	}
	if in.PeekASN1Tag(ctxCons(0)) {
		var t cryptobyte.String
		if !in.ReadASN1(&t, ctxCons(0)) ||
			!readBitStringBytes(&t, cbasn1.BIT_STRING, &m.Protection) || !t.Empty() {
			return nil, malformed("protection")
		}
	}
	if in.PeekASN1Tag(ctxCons(1)) {
		var t cryptobyte.String
		in.ReadASN1(&t, ctxCons(1))
		var err error
		if m.ExtraCerts, err = readCertificates(&t, "extraCerts"); err != nil {
			return nil, err
		}
		if !t.Empty() {
			return nil, malformed("extraCerts: trailing data")
		}
	}
	if !in.Empty() {
		return nil, malformed("PKIMessage: unexpected field after the body")
	}
	return m, nil
}

// Marshal encodes m in DER from its fields; the Raw fields are not read.
// For a message from ParseMessage the result equals the input.
func (m *Message) Marshal() ([]byte, error) {
	return m.marshal(false)
}

// marshalSealed encodes m like Marshal, but with the header and body
// encoded by seal (Header.Raw and Body.Raw, which Sign and ProtectMAC
// have just set from the fields) instead of encoding them a second time.
func (m *Message) marshalSealed() ([]byte, error) {
	if m.Header.Raw == nil || m.Body.Raw == nil {
		return m.marshal(false)
	}
	return m.marshal(true)
}

func (m *Message) marshal(sealed bool) ([]byte, error) {
	b := newBuilder(make([]byte, 0, m.sizeHint()))
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		if sealed {
			b.AddBytes(m.Header.Raw)
			b.AddBytes(m.Body.Raw)
		} else {
			addHeader(b, &m.Header)
			addBody(b, &m.Body)
		}
		if m.Protection != nil {
			b.AddASN1(ctxCons(0), func(b *builder) {
				addBitStringBytes(b, cbasn1.BIT_STRING, m.Protection)
			})
		}
		if m.ExtraCerts != nil {
			b.AddASN1(ctxCons(1), func(b *builder) {
				addCertificates(b, m.ExtraCerts)
			})
		}
	})
	return builderBytes(b)
}

// sizeHint is about the size of m's DER, so that encoding it grows the
// buffer once at most: a message is mostly certificates. The header and
// body count by their Raw when sealed, by estimate otherwise.
func (m *Message) sizeHint() int {
	n := 32 + len(m.Header.Raw) + len(m.Body.Raw) + len(m.Protection)
	if m.Header.Raw == nil {
		n += 512
	}
	if m.Body.Raw == nil {
		n += m.Body.sizeHint()
	}
	for _, c := range m.ExtraCerts {
		n += len(c) + 8
	}
	return n
}

// builderBytes returns the bytes of b, its error as an *Error.
func builderBytes(b *builder) ([]byte, error) {
	out, err := b.Bytes()
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			err = wrapError(FailBadDataFormat, err, "cmp: encoding")
		}
		return nil, err
	}
	return out, nil
}

// Marshal returns the DER of h.
func (h *Header) Marshal() ([]byte, error) {
	b := newBuilder(make([]byte, 0, 512))
	addHeader(b, h)
	return builderBytes(b)
}

// Marshal returns the DER of the body with its [n] tag.
func (body *Body) Marshal() ([]byte, error) {
	b := newBuilder(make([]byte, 0, body.sizeHint()))
	addBody(b, body)
	return builderBytes(b)
}

// sizeHint is about the size of the body's DER: its certificates, keys,
// names and signatures, and room for the rest.
func (body *Body) sizeHint() int {
	n := 256
	for i := range body.CertReq {
		n += body.CertReq[i].sizeHint()
	}
	if r := body.CertRep; r != nil {
		for _, c := range r.CAPubs {
			n += len(c) + 4
		}
		for i := range r.Response {
			if kp := r.Response[i].CertifiedKeyPair; kp != nil {
				n += len(kp.Certificate) + len(kp.EncryptedCert) + len(kp.PrivateKey) +
					len(kp.PublicationInfo) + 16
			}
		}
	}
	for i := range body.GenInfo {
		n += len(body.GenInfo[i].Value) + 16
	}
	return n + len(body.P10CR)
}

// sizeHint is about the size of the DER of r.
func (r *CertReqMsg) sizeHint() int {
	n := r.CertReq.sizeHint()
	if p := r.POP; p != nil {
		n += len(p.Other) + 16
		if sk := p.Signature; sk != nil {
			n += len(sk.Input) + len(sk.Algorithm.Parameters) + len(sk.Signature) + 32
		}
	}
	for _, a := range r.RegInfo {
		n += len(a.Value) + 16
	}
	return n
}

// sizeHint is about the size of the DER of r.
func (r *CertRequest) sizeHint() int {
	t := &r.Template
	n := 64 + len(t.Issuer) + len(t.Subject) + len(t.PublicKey) + len(t.IssuerUID) +
		len(t.SubjectUID)
	for _, e := range t.Extensions {
		n += len(e.Value) + 24
	}
	for _, a := range r.Controls {
		n += len(a.Value) + 16
	}
	return n
}

// ProtectedPart returns the DER of ProtectedPart {header, body} (RFC 9810
// §5.1.3), the data that protection covers: built from Header.Raw and
// Body.Raw when both are set (so a received message is checked over
// exactly the bytes received), from the fields otherwise.
func (m *Message) ProtectedPart() ([]byte, error) {
	h, body := m.Header.Raw, m.Body.Raw
	if h == nil || body == nil {
		var err error
		if h, err = m.Header.Marshal(); err != nil {
			return nil, err
		}
		if body, err = m.Body.Marshal(); err != nil {
			return nil, err
		}
	}
	b := newBuilder(make([]byte, 0, len(h)+len(body)+8))
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		b.AddBytes(h)
		b.AddBytes(body)
	})
	return builderBytes(b)
}

// Certificates parses ExtraCerts.
func (m *Message) Certificates() ([]*pki.Certificate, error) {
	out := make([]*pki.Certificate, 0, len(m.ExtraCerts))
	for i, der := range m.ExtraCerts {
		c, err := pki.ParseCertificate(der)
		if err != nil {
			return nil, wrapError(FailBadDataFormat, err, "cmp: extraCerts[%d]", i)
		}
		out = append(out, c)
	}
	return out, nil
}
