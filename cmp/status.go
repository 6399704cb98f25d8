package cmp

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Status is a PKIStatus (RFC 9810 §5.2.3).
type Status int

const (
	StatusAccepted               Status = 0
	StatusGrantedWithMods        Status = 1
	StatusRejection              Status = 2
	StatusWaiting                Status = 3
	StatusRevocationWarning      Status = 4
	StatusRevocationNotification Status = 5
	StatusKeyUpdateWarning       Status = 6
)

var statusNames = [...]string{
	"accepted", "grantedWithMods", "rejection", "waiting",
	"revocationWarning", "revocationNotification", "keyUpdateWarning",
}

// String returns the ASN.1 name of s, such as "waiting".
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown status"
}

// FailureInfo is a PKIFailureInfo (RFC 9810 §5.2.3): a set of failure bits.
// Bit n of the ASN.1 BIT STRING is 1<<n here.
type FailureInfo uint32

// The named bits of PKIFailureInfo, in the order of RFC 9810 §5.2.3.
const (
	FailBadAlg FailureInfo = 1 << iota
	FailBadMessageCheck
	FailBadRequest
	FailBadTime
	FailBadCertID
	FailBadDataFormat
	FailWrongAuthority
	FailIncorrectData
	FailMissingTimeStamp
	FailBadPOP
	FailCertRevoked
	FailCertConfirmed
	FailWrongIntegrity
	FailBadRecipientNonce
	FailTimeNotAvailable
	FailUnacceptedPolicy
	FailUnacceptedExtension
	FailAddInfoNotAvailable
	FailBadSenderNonce
	FailBadCertTemplate
	FailSignerNotTrusted
	FailTransactionIDInUse
	FailUnsupportedVersion
	FailNotAuthorized
	FailSystemUnavail
	FailSystemFailure
	FailDuplicateCertReq

	failBits = iota // the number of named bits
)

var failureNames = [failBits]string{
	"badAlg", "badMessageCheck", "badRequest", "badTime", "badCertId",
	"badDataFormat", "wrongAuthority", "incorrectData", "missingTimeStamp",
	"badPOP", "certRevoked", "certConfirmed", "wrongIntegrity",
	"badRecipientNonce", "timeNotAvailable", "unacceptedPolicy",
	"unacceptedExtension", "addInfoNotAvailable", "badSenderNonce",
	"badCertTemplate", "signerNotTrusted", "transactionIdInUse",
	"unsupportedVersion", "notAuthorized", "systemUnavail", "systemFailure",
	"duplicateCertReq",
}

// String lists the names of the bits set, separated by commas, such as
// "badMessageCheck,badTime"; bits beyond the named ones print as "bitN".
func (f FailureInfo) String() string {
	var names []string
	for i := 0; i < 32; i++ {
		if f&(1<<i) == 0 {
			continue
		}
		if i < failBits {
			names = append(names, failureNames[i])
		} else {
			names = append(names, "bit"+strconv.Itoa(i))
		}
	}
	return strings.Join(names, ",")
}

// StatusInfo is a PKIStatusInfo (RFC 9810 §5.2.3). FailInfo 0 means the
// field is absent; a present failInfo with no bit set is not accepted.
type StatusInfo struct {
	Status       Status
	StatusString []string // PKIFreeText; nil when absent
	FailInfo     FailureInfo
}

func readStatusInfo(s *cryptobyte.String, si *StatusInfo, what string) error {
	var in cryptobyte.String
	if !s.ReadASN1(&in, cbasn1.SEQUENCE) {
		return malformed(what)
	}
	var st int64
	if !in.ReadASN1Int64WithTag(&st, cbasn1.INTEGER) || st < 0 || st > 1<<20 {
		return malformed(what + " status")
	}
	si.Status = Status(st)
	var err error
	if in.PeekASN1Tag(cbasn1.SEQUENCE) {
		if si.StatusString, err = readFreeText(&in, what+" statusString"); err != nil {
			return err
		}
	}
	if in.PeekASN1Tag(cbasn1.BIT_STRING) {
		if si.FailInfo, err = readFailureInfo(&in); err != nil {
			return err
		}
	}
	if !in.Empty() {
		return malformed(what + ": trailing data")
	}
	return nil
}

func addStatusInfo(b *builder, si *StatusInfo) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		b.AddASN1Int64(int64(si.Status))
		addFreeText(b, si.StatusString)
		if si.FailInfo != 0 {
			addFailureInfo(b, si.FailInfo)
		}
	})
}

// readFailureInfo reads a PKIFailureInfo in DER: no trailing zero bits
// (X.690 §11.2.2), at most 32 bits, at least one bit set.
func readFailureInfo(s *cryptobyte.String) (FailureInfo, error) {
	var bs cryptobyte.String
	if !s.ReadASN1(&bs, cbasn1.BIT_STRING) || len(bs) < 1 || bs[0] > 7 {
		return 0, malformed("failInfo")
	}
	unused, data := int(bs[0]), bs[1:]
	if len(data) == 0 {
		if unused != 0 {
			return 0, malformed("failInfo")
		}
		return 0, newError(FailBadDataFormat, "cmp: failInfo present with no bit set")
	}
	if len(data) > 4 {
		return 0, newError(FailBadDataFormat, "cmp: failInfo longer than 32 bits")
	}
	last := data[len(data)-1]
	// DER: the unused bits are zero and the last used bit is set.
	if last&(1<<unused-1) != 0 || last&(1<<unused) == 0 {
		return 0, newError(FailBadDataFormat, "cmp: failInfo is not in DER")
	}
	var f FailureInfo
	for i, c := range data {
		for j := 0; j < 8; j++ {
			if c&(0x80>>j) != 0 {
				f |= 1 << (8*i + j)
			}
		}
	}
	return f, nil
}

func addFailureInfo(b *builder, f FailureInfo) {
	n := 0 // number of bits up to the highest set
	for i := 0; i < 32; i++ {
		if f&(1<<i) != 0 {
			n = i + 1
		}
	}
	data := make([]byte, 1+(n+7)/8)
	data[0] = byte((8 - n%8) % 8)
	for i := 0; i < n; i++ {
		if f&(1<<i) != 0 {
			data[1+i/8] |= 0x80 >> (i % 8)
		}
	}
	b.AddASN1(cbasn1.BIT_STRING, func(b *builder) { b.AddBytes(data) })
}

// readFreeText reads a PKIFreeText, a SEQUENCE OF UTF8String. An empty
// sequence is returned as a non-nil empty slice so that it re-encodes.
func readFreeText(s *cryptobyte.String, what string) ([]string, error) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, malformed(what)
	}
	out := []string{}
	for !seq.Empty() {
		var u cryptobyte.String
		if !seq.ReadASN1(&u, cbasn1.UTF8String) {
			return nil, malformed(what + " string")
		}
		if !utf8.Valid(u) {
			return nil, errorf(FailBadDataFormat, "cmp: %s is not valid UTF-8", what)
		}
		out = append(out, string(u))
	}
	return out, nil
}

// addFreeText writes text as a PKIFreeText unless it is nil.
func addFreeText(b *builder, text []string) {
	if text == nil {
		return
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		for _, t := range text {
			b.AddASN1(cbasn1.UTF8String, func(b *builder) {
				b.AddBytes([]byte(t))
			})
		}
	})
}
