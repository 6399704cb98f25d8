package cmp

import (
	"bytes"
	"encoding/asn1"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Protocol versions (pvno, RFC 9810 §5.1.1).
const (
	PVNO2000 = 2 // cmp2000: RFC 4210
	PVNO2021 = 3 // cmp2021: RFC 9810, needed for hashAlg in certConf
)

// GeneralName is an X.509 GeneralName (RFC 5280 §4.2.1.6), kept as its
// DER element. The zero value stands for the NULL-DN, an empty
// directoryName, which RFC 9810 §5.1.1 uses for an unknown sender.
type GeneralName struct {
	Raw []byte
}

// General name choices (the context tag numbers of RFC 5280 §4.2.1.6).
const (
	NameOther        = 0
	NameRFC822       = 1
	NameDNS          = 2
	NameX400         = 3
	NameDirectory    = 4
	NameEDIParty     = 5
	NameURI          = 6
	NameIPAddress    = 7
	NameRegisteredID = 8
)

const (
	nameChoices       = 9
	nullDNGeneralName = "\xa4\x02\x30\x00" // [4] EXPLICIT SEQUENCE {}
)

// DirectoryName returns the GeneralName directoryName holding the DER of
// an X.509 Name (for instance pki.Certificate.RawSubject).
func DirectoryName(name []byte) GeneralName {
	b := builder{buf: make([]byte, 0, len(name)+6)}
	b.AddASN1(ctxCons(NameDirectory), func(b *builder) { b.AddBytes(name) })
	return GeneralName{Raw: b.BytesOrPanic()}
}

func (g GeneralName) raw() []byte {
	if g.Raw == nil {
		return []byte(nullDNGeneralName)
	}
	return g.Raw
}

// Choice returns the CHOICE alternative of g (NameDirectory and so on).
func (g GeneralName) Choice() int {
	return int(g.raw()[0] & 0x1f)
}

// Directory returns the DER Name of a directoryName.
func (g GeneralName) Directory() ([]byte, bool) {
	r := cryptobyte.String(g.raw())
	var in cryptobyte.String
	if !r.ReadASN1(&in, ctxCons(NameDirectory)) {
		return nil, false
	}
	return in, true
}

// IsNullDN reports whether g is the empty directoryName.
func (g GeneralName) IsNullDN() bool {
	return bytes.Equal(g.raw(), []byte(nullDNGeneralName))
}

// Equal reports whether g and o have the same encoding.
func (g GeneralName) Equal(o GeneralName) bool { return bytes.Equal(g.raw(), o.raw()) }

// readGeneralName reads a GeneralName and checks the shape of its
// choice: a directoryName holds exactly one Name SEQUENCE.
func readGeneralName(s *cryptobyte.String, g *GeneralName) bool {
	var el cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1Element(&el, &tag) {
		return false
	}
	if tag&0xc0 != 0x80 || int(tag&0x1f) >= nameChoices {
		return false
	}
	constructed := tag&0x20 != 0
	switch int(tag & 0x1f) {
	case NameOther, NameX400, NameEDIParty:
		if !constructed {
			return false
		}
	case NameDirectory:
		if !constructed {
			return false
		}
		in := cryptobyte.String(el)
		var body, name cryptobyte.String
		if !in.ReadASN1(&body, tag) || !body.ReadASN1Element(&name, cbasn1.SEQUENCE) ||
			!body.Empty() {
			return false
		}
	default:
		if constructed {
			return false
		}
	}
	g.Raw = el
	return true
}

// InfoTypeAndValue is an entry of generalInfo, genm or genp (RFC 9810
// §5.3.19). Value is the complete DER element of infoValue, nil if absent.
type InfoTypeAndValue struct {
	Type  asn1.ObjectIdentifier
	Value []byte
}

func readInfoTypeAndValues(s *cryptobyte.String, what string) ([]InfoTypeAndValue, error) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, malformed(what)
	}
	out := []InfoTypeAndValue{}
	for !seq.Empty() {
		var in cryptobyte.String
		var itv InfoTypeAndValue
		if !seq.ReadASN1(&in, cbasn1.SEQUENCE) || !in.ReadASN1ObjectIdentifier(&itv.Type) {
			return nil, malformed(what + " InfoTypeAndValue")
		}
		if !in.Empty() && (!readAnyElement(&in, &itv.Value) || !in.Empty()) {
			return nil, malformed(what + " infoValue")
		}
		out = append(out, itv)
	}
	return out, nil
}

func addInfoTypeAndValues(b *builder, itvs []InfoTypeAndValue) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		for _, itv := range itvs {
			b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
				b.AddASN1ObjectIdentifier(itv.Type)
				if itv.Value != nil {
					addRaw(b, itv.Value, "infoValue")
				}
			})
		}
	})
}

// Header is a PKIHeader (RFC 9810 §5.1.1). Optional byte fields are nil
// when absent; a present empty OCTET STRING is a non-nil empty slice.
type Header struct {
	PVNO          int // PVNO2000 or PVNO2021
	Sender        GeneralName
	Recipient     GeneralName
	MessageTime   time.Time // zero when absent
	ProtectionAlg *AlgorithmIdentifier
	SenderKID     []byte
	RecipKID      []byte
	TransactionID []byte
	SenderNonce   []byte
	RecipNonce    []byte
	FreeText      []string
	GeneralInfo   []InfoTypeAndValue

	// Raw is the header's DER as parsed or as last protected; protection
	// is computed over it. Marshal does not read it.
	Raw []byte
}

func readHeader(s *cryptobyte.String, h *Header) error {
	var raw, in cryptobyte.String
	if !s.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
		return malformed("header")
	}
	h.Raw = raw
	raw.ReadASN1(&in, cbasn1.SEQUENCE)
	var pvno int64
	if !in.ReadASN1Int64WithTag(&pvno, cbasn1.INTEGER) {
		return malformed("header pvno")
	}
	if pvno != PVNO2000 && pvno != PVNO2021 {
		return errorf(FailUnsupportedVersion, "cmp: unsupported pvno %d", pvno)
	}
	h.PVNO = int(pvno)
	if !readGeneralName(&in, &h.Sender) {
		return malformed("header sender")
	}
	if !readGeneralName(&in, &h.Recipient) {
		return malformed("header recipient")
	}
	if in.PeekASN1Tag(ctxCons(0)) {
		var t cryptobyte.String
		if !in.ReadASN1(&t, ctxCons(0)) || !readGeneralizedTime(&t, &h.MessageTime) ||
			!t.Empty() {
			return malformed("header messageTime")
		}
		if h.MessageTime.IsZero() {
			return newError(FailBadDataFormat, "cmp: header messageTime is the zero time")
		}
	}
	if in.PeekASN1Tag(ctxCons(1)) {
		var a cryptobyte.String
		h.ProtectionAlg = new(AlgorithmIdentifier)
		if !in.ReadASN1(&a, ctxCons(1)) ||
			!readAlgorithm(&a, cbasn1.SEQUENCE, h.ProtectionAlg) || !a.Empty() {
			return malformed("header protectionAlg")
		}
	}
	octets := []struct {
		tag  int
		out  *[]byte
		name string
	}{
		{2, &h.SenderKID, "senderKID"},
		{3, &h.RecipKID, "recipKID"},
		{4, &h.TransactionID, "transactionID"},
		{5, &h.SenderNonce, "senderNonce"},
		{6, &h.RecipNonce, "recipNonce"},
	}
	for _, o := range octets {
		if !readOptionalExplicitOctets(&in, ctxCons(o.tag), o.out) {
			return malformed("header " + o.name)
		}
	}
	var err error
	if in.PeekASN1Tag(ctxCons(7)) {
		var t cryptobyte.String
		in.ReadASN1(&t, ctxCons(7))
		if h.FreeText, err = readFreeText(&t, "header freeText"); err != nil {
			return err
		}
		if !t.Empty() {
			return malformed("header freeText: trailing data")
		}
	}
	if in.PeekASN1Tag(ctxCons(8)) {
		var t cryptobyte.String
		in.ReadASN1(&t, ctxCons(8))
		if h.GeneralInfo, err = readInfoTypeAndValues(&t, "header generalInfo"); err != nil {
			return err
		}
		if !t.Empty() {
			return malformed("header generalInfo: trailing data")
		}
	}
	if !in.Empty() {
		return malformed("header: unexpected field")
	}
	return nil
}

func addHeader(b *builder, h *Header) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		if h.PVNO != PVNO2000 && h.PVNO != PVNO2021 {
			b.SetError(errorf(FailUnsupportedVersion, "cmp: cannot write pvno %d", h.PVNO))
			return
		}
		b.AddASN1Int64(int64(h.PVNO))
		addRaw(b, h.Sender.raw(), "sender")
		addRaw(b, h.Recipient.raw(), "recipient")
		if !h.MessageTime.IsZero() {
			b.AddASN1(ctxCons(0), func(b *builder) {
				addGeneralizedTime(b, h.MessageTime)
			})
		}
		if h.ProtectionAlg != nil {
			b.AddASN1(ctxCons(1), func(b *builder) {
				addAlgorithm(b, cbasn1.SEQUENCE, h.ProtectionAlg)
			})
		}
		addExplicitOctets(b, ctxCons(2), h.SenderKID)
		addExplicitOctets(b, ctxCons(3), h.RecipKID)
		addExplicitOctets(b, ctxCons(4), h.TransactionID)
		addExplicitOctets(b, ctxCons(5), h.SenderNonce)
		addExplicitOctets(b, ctxCons(6), h.RecipNonce)
		if h.FreeText != nil {
			b.AddASN1(ctxCons(7), func(b *builder) { addFreeText(b, h.FreeText) })
		}
		if h.GeneralInfo != nil {
			b.AddASN1(ctxCons(8), func(b *builder) {
				addInfoTypeAndValues(b, h.GeneralInfo)
			})
		}
	})
}

// Info returns the first generalInfo entry of the given type.
func (h *Header) Info(typ asn1.ObjectIdentifier) (InfoTypeAndValue, bool) {
	for _, itv := range h.GeneralInfo {
		if itv.Type.Equal(typ) {
			return itv, true
		}
	}
	return InfoTypeAndValue{}, false
}

// ImplicitConfirm reports whether generalInfo asks for implicit
// confirmation (id-it-implicitConfirm, RFC 9810 §5.1.1.1).
func (h *Header) ImplicitConfirm() bool {
	_, ok := h.Info(OIDImplicitConfirm)
	return ok
}

// ConfirmWaitTime returns the confirmWaitTime of generalInfo (RFC 9810
// §5.1.1.2), the time until which the CA waits for certConf.
func (h *Header) ConfirmWaitTime() (time.Time, bool, error) {
	itv, ok := h.Info(OIDConfirmWaitTime)
	if !ok {
		return time.Time{}, false, nil
	}
	s := cryptobyte.String(itv.Value)
	var t time.Time
	if !readGeneralizedTime(&s, &t) || !s.Empty() {
		return time.Time{}, true, malformed("confirmWaitTime")
	}
	return t, true, nil
}
