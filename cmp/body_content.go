package cmp

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Readers and writers of the body contents other than CRMF requests.

func readCertRep(s *cryptobyte.String, r *CertRepMessage) error {
	var in cryptobyte.String
	if !s.ReadASN1(&in, cbasn1.SEQUENCE) {
		return malformed("CertRepMessage")
	}
	if in.PeekASN1Tag(ctxCons(1)) {
		var t cryptobyte.String
		in.ReadASN1(&t, ctxCons(1))
		var err error
		if r.CAPubs, err = readCertificates(&t, "caPubs"); err != nil {
			return err
		}
		if !t.Empty() {
			return malformed("caPubs: trailing data")
		}
	}
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return malformed("CertRepMessage response")
	}
	r.Response = []CertResponse{}
	for !seq.Empty() {
		var cr CertResponse
		if err := readCertResponse(&seq, &cr); err != nil {
			return err
		}
		r.Response = append(r.Response, cr)
	}
	return nil
}

func readCertResponse(s *cryptobyte.String, r *CertResponse) error {
	var in cryptobyte.String
	if !s.ReadASN1(&in, cbasn1.SEQUENCE) ||
		!in.ReadASN1Int64WithTag(&r.CertReqID, cbasn1.INTEGER) {
		return malformed("CertResponse")
	}
	if err := readStatusInfo(&in, &r.Status, "CertResponse status"); err != nil {
		return err
	}
	if in.PeekASN1Tag(cbasn1.SEQUENCE) {
		r.CertifiedKeyPair = new(CertifiedKeyPair)
		if !readCertifiedKeyPair(&in, r.CertifiedKeyPair) {
			return malformed("certifiedKeyPair")
		}
	}
	if in.PeekASN1Tag(cbasn1.OCTET_STRING) {
		var v cryptobyte.String
		in.ReadASN1(&v, cbasn1.OCTET_STRING)
		r.RspInfo = present(v)
	}
	if !in.Empty() {
		return malformed("CertResponse: trailing data")
	}
	return nil
}

func readCertifiedKeyPair(s *cryptobyte.String, k *CertifiedKeyPair) bool {
	var in cryptobyte.String
	if !s.ReadASN1(&in, cbasn1.SEQUENCE) {
		return false
	}
	switch {
	case in.PeekASN1Tag(ctxCons(0)):
		var t, c cryptobyte.String
		if !in.ReadASN1(&t, ctxCons(0)) || !t.ReadASN1Element(&c, cbasn1.SEQUENCE) ||
			!t.Empty() {
			return false
		}
		k.Certificate = c
	case in.PeekASN1Tag(ctxCons(1)):
		if !readAnyElement(&in, &k.EncryptedCert) {
			return false
		}
	default:
		return false
	}
	if in.PeekASN1Tag(ctxCons(0)) && !readAnyElement(&in, &k.PrivateKey) {
		return false
	}
	if in.PeekASN1Tag(ctxCons(1)) && !readAnyElement(&in, &k.PublicationInfo) {
		return false
	}
	return in.Empty()
}

func addCertRep(b *builder, r *CertRepMessage) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		if r.CAPubs != nil {
			b.AddASN1(ctxCons(1), func(b *builder) { addCertificates(b, r.CAPubs) })
		}
		b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
			for i := range r.Response {
				addCertResponse(b, &r.Response[i])
			}
		})
	})
}

func addCertResponse(b *builder, r *CertResponse) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		b.AddASN1Int64(r.CertReqID)
		addStatusInfo(b, &r.Status)
		if k := r.CertifiedKeyPair; k != nil {
			b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
				switch {
				case k.Certificate != nil:
					b.AddASN1(ctxCons(0), func(b *builder) {
						addRaw(b, k.Certificate, "certificate")
					})
				case k.EncryptedCert != nil:
					addRaw(b, k.EncryptedCert, "encryptedCert")
				default:
					b.SetError(newError(FailBadDataFormat,
						"cmp: certifiedKeyPair without a certificate"))
				}
				if k.PrivateKey != nil {
					addRaw(b, k.PrivateKey, "privateKey")
				}
				if k.PublicationInfo != nil {
					addRaw(b, k.PublicationInfo, "publicationInfo")
				}
			})
		}
		if r.RspInfo != nil {
			b.AddASN1OctetString(r.RspInfo)
		}
	})
}

func readCertConf(s *cryptobyte.String) ([]CertStatus, error) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, malformed("certConf")
	}
	out := []CertStatus{}
	for !seq.Empty() {
		var in, hash cryptobyte.String
		var cs CertStatus
		if !seq.ReadASN1(&in, cbasn1.SEQUENCE) || !in.ReadASN1(&hash, cbasn1.OCTET_STRING) ||
			!in.ReadASN1Int64WithTag(&cs.CertReqID, cbasn1.INTEGER) {
			return nil, malformed("certConf CertStatus")
		}
		cs.CertHash = present(hash)
		if in.PeekASN1Tag(cbasn1.SEQUENCE) {
			cs.StatusInfo = new(StatusInfo)
			if err := readStatusInfo(&in, cs.StatusInfo, "certConf statusInfo"); err != nil {
				return nil, err
			}
		}
		if in.PeekASN1Tag(ctxCons(0)) {
			var t cryptobyte.String
			cs.HashAlg = new(AlgorithmIdentifier)
			if !in.ReadASN1(&t, ctxCons(0)) ||
				!readAlgorithm(&t, cbasn1.SEQUENCE, cs.HashAlg) || !t.Empty() {
				return nil, malformed("certConf hashAlg")
			}
		}
		if !in.Empty() {
			return nil, malformed("certConf CertStatus: trailing data")
		}
		out = append(out, cs)
	}
	return out, nil
}

func addCertConf(b *builder, list []CertStatus) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		for i := range list {
			cs := &list[i]
			b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
				b.AddASN1OctetString(cs.CertHash)
				b.AddASN1Int64(cs.CertReqID)
				if cs.StatusInfo != nil {
					addStatusInfo(b, cs.StatusInfo)
				}
				if cs.HashAlg != nil {
					b.AddASN1(ctxCons(0), func(b *builder) {
						addAlgorithm(b, cbasn1.SEQUENCE, cs.HashAlg)
					})
				}
			})
		}
	})
}

func readPollReq(s *cryptobyte.String) ([]int64, error) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, malformed("pollReq")
	}
	out := []int64{}
	for !seq.Empty() {
		var in cryptobyte.String
		var id int64
		if !seq.ReadASN1(&in, cbasn1.SEQUENCE) || !in.ReadASN1Int64WithTag(&id, cbasn1.INTEGER) ||
			!in.Empty() {
			return nil, malformed("pollReq entry")
		}
		out = append(out, id)
	}
	return out, nil
}

func addPollReq(b *builder, ids []int64) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		for _, id := range ids {
			b.AddASN1(cbasn1.SEQUENCE, func(b *builder) { b.AddASN1Int64(id) })
		}
	})
}

func readPollRep(s *cryptobyte.String) ([]PollRep, error) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, malformed("pollRep")
	}
	out := []PollRep{}
	for !seq.Empty() {
		var in cryptobyte.String
		var p PollRep
		if !seq.ReadASN1(&in, cbasn1.SEQUENCE) ||
			!in.ReadASN1Int64WithTag(&p.CertReqID, cbasn1.INTEGER) ||
			!in.ReadASN1Int64WithTag(&p.CheckAfter, cbasn1.INTEGER) {
			return nil, malformed("pollRep entry")
		}
		if p.CheckAfter < 0 {
			return nil, newError(FailBadDataFormat, "cmp: pollRep checkAfter is negative")
		}
		if !in.Empty() {
			var err error
			if p.Reason, err = readFreeText(&in, "pollRep reason"); err != nil {
				return nil, err
			}
			if !in.Empty() {
				return nil, malformed("pollRep entry: trailing data")
			}
		}
		out = append(out, p)
	}
	return out, nil
}

func addPollRep(b *builder, list []PollRep) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		for _, p := range list {
			b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
				b.AddASN1Int64(p.CertReqID)
				b.AddASN1Int64(p.CheckAfter)
				addFreeText(b, p.Reason)
			})
		}
	})
}

// OIDExtCRLReason is the reason code CRL entry extension (RFC 5280
// §5.3.1), the usual crlEntryDetails of rr.
var OIDExtCRLReason = asn1.ObjectIdentifier{2, 5, 29, 21}

// NewRevDetails returns a revocation request for the certificate of the
// given issuer Name (DER) and serial number, with a reason code unless
// reason is negative.
func NewRevDetails(issuer []byte, serial *big.Int, reason int) RevDetails {
	rd := RevDetails{CertDetails: CertTemplate{Issuer: issuer, SerialNumber: serial}}
	if reason >= 0 {
		var b builder
		b.AddASN1Enum(int64(reason))
		rd.CRLEntryDetails = []pkix.Extension{{Id: OIDExtCRLReason, Value: b.BytesOrPanic()}}
	}
	return rd
}

// Reason returns the reason code of crlEntryDetails.
func (rd *RevDetails) Reason() (int, bool, error) {
	for _, e := range rd.CRLEntryDetails {
		if !e.Id.Equal(OIDExtCRLReason) {
			continue
		}
		s := cryptobyte.String(e.Value)
		var r int
		if !s.ReadASN1Enum(&r) || !s.Empty() || r < 0 || r > 10 {
			return 0, true, malformed("crlEntryDetails reason code")
		}
		return r, true, nil
	}
	return 0, false, nil
}

func readRevReq(s *cryptobyte.String) ([]RevDetails, error) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, malformed("rr")
	}
	out := []RevDetails{}
	for !seq.Empty() {
		var in cryptobyte.String
		var rd RevDetails
		if !seq.ReadASN1(&in, cbasn1.SEQUENCE) {
			return nil, malformed("rr RevDetails")
		}
		if err := readCertTemplate(&in, &rd.CertDetails, "rr certDetails"); err != nil {
			return nil, err
		}
		if !in.Empty() {
			var err error
			rd.CRLEntryDetails, err = readExtensions(&in, cbasn1.SEQUENCE, "rr crlEntryDetails")
			if err != nil {
				return nil, err
			}
			if !in.Empty() {
				return nil, malformed("rr RevDetails: trailing data")
			}
		}
		out = append(out, rd)
	}
	return out, nil
}

func addRevReq(b *builder, list []RevDetails) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		for i := range list {
			rd := &list[i]
			b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
				addCertTemplate(b, &rd.CertDetails)
				if rd.CRLEntryDetails != nil {
					addExtensions(b, cbasn1.SEQUENCE, rd.CRLEntryDetails)
				}
			})
		}
	})
}

func readRevRep(s *cryptobyte.String, r *RevRepContent) error {
	var in, seq cryptobyte.String
	if !s.ReadASN1(&in, cbasn1.SEQUENCE) || !in.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return malformed("rp")
	}
	r.Status = []StatusInfo{}
	for !seq.Empty() {
		var si StatusInfo
		if err := readStatusInfo(&seq, &si, "rp status"); err != nil {
			return err
		}
		r.Status = append(r.Status, si)
	}
	if in.PeekASN1Tag(ctxCons(0)) {
		var t, ids cryptobyte.String
		if !in.ReadASN1(&t, ctxCons(0)) || !t.ReadASN1(&ids, cbasn1.SEQUENCE) || !t.Empty() {
			return malformed("rp revCerts")
		}
		r.RevCerts = []CertID{}
		for !ids.Empty() {
			id, err := readCertID(&ids)
			if err != nil {
				return err
			}
			r.RevCerts = append(r.RevCerts, *id)
		}
	}
	if in.PeekASN1Tag(ctxCons(1)) {
		var t cryptobyte.String
		in.ReadASN1(&t, ctxCons(1))
		var err error
		if r.CRLs, err = readCertificates(&t, "rp crls"); err != nil {
			return err
		}
		if !t.Empty() {
			return malformed("rp crls: trailing data")
		}
	}
	if !in.Empty() {
		return malformed("rp: trailing data")
	}
	return nil
}

func addRevRep(b *builder, r *RevRepContent) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
			for i := range r.Status {
				addStatusInfo(b, &r.Status[i])
			}
		})
		if r.RevCerts != nil {
			b.AddASN1(ctxCons(0), func(b *builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
					for i := range r.RevCerts {
						addCertID(b, &r.RevCerts[i])
					}
				})
			})
		}
		if r.CRLs != nil {
			b.AddASN1(ctxCons(1), func(b *builder) { addCertificates(b, r.CRLs) })
		}
	})
}

func readErrorContent(s *cryptobyte.String, e *ErrorMsgContent) error {
	var in cryptobyte.String
	if !s.ReadASN1(&in, cbasn1.SEQUENCE) {
		return malformed("error body")
	}
	if err := readStatusInfo(&in, &e.StatusInfo, "error pKIStatusInfo"); err != nil {
		return err
	}
	if in.PeekASN1Tag(cbasn1.INTEGER) {
		e.ErrorCode = new(int64)
		if !in.ReadASN1Int64WithTag(e.ErrorCode, cbasn1.INTEGER) {
			return malformed("error errorCode")
		}
	}
	if in.PeekASN1Tag(cbasn1.SEQUENCE) {
		var err error
		if e.ErrorDetails, err = readFreeText(&in, "error errorDetails"); err != nil {
			return err
		}
	}
	if !in.Empty() {
		return malformed("error body: trailing data")
	}
	return nil
}

func addErrorContent(b *builder, e *ErrorMsgContent) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		addStatusInfo(b, &e.StatusInfo)
		if e.ErrorCode != nil {
			b.AddASN1Int64(*e.ErrorCode)
		}
		addFreeText(b, e.ErrorDetails)
	})
}
