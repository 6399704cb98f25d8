package token

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/miekg/pkcs11"

	"rekey/gost/gost3410"
	"rekey/media"
	"rekey/pki"
)

// The TC26 vendor-defined PKCS#11 values for GOST R 34.10-2012 512-bit
// keys (the "PKCS#11 extensions" of TC26, as Rutoken defines them).
const (
	vendorRU                      = 0xD4321000
	ckkGOSTR3410_512              = vendorRU | 0x003
	ckmGOSTR3410_512_KEY_PAIR_GEN = vendorRU | 0x005
	ckmGOSTR3410_512              = vendorRU | 0x006
)

// GenerateOptions describe a key to generate on a token.
type GenerateOptions struct {
	// Profile of the key; nil means pki.ProfileECDSA (the profile every
	// PKCS#11 token has).
	Profile *pki.Profile
	// CA is the issuing CA's certificate (DER), required.
	CA []byte
	// OperatorURL is the operator's CMP address, required.
	OperatorURL string
	// Office, when not nil, is whom the subscriber contacts in the
	// operator's office; it is kept in the key's record.
	Office *media.Office
	// Replaces is the id of the key being renewed, if any.
	Replaces string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// mechanisms of a profile: key-pair generation, signing, key type.
func mechanisms(p *pki.Profile) (gen, sign, keyType uint) {
	switch p.Name {
	case pki.ProfileECDSA.Name:
		return pkcs11.CKM_EC_KEY_PAIR_GEN, pkcs11.CKM_ECDSA, pkcs11.CKK_EC
	case pki.ProfileGOST512.Name:
		return ckmGOSTR3410_512_KEY_PAIR_GEN, ckmGOSTR3410_512, ckkGOSTR3410_512
	}
	return pkcs11.CKM_GOSTR3410_KEY_PAIR_GEN, pkcs11.CKM_GOSTR3410, pkcs11.CKK_GOSTR3410
}

// Supports reports whether the token can generate and sign with keys of
// the profile; the error (wrapping media.ErrUnsupported) says which
// mechanism is missing.
func (t *Token) Supports(p *pki.Profile) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.supports(p)
}

func (t *Token) supports(p *pki.Profile) error {
	list, err := t.mod.ctx.GetMechanismList(t.info.Slot)
	if err != nil {
		return t.fail("listing mechanisms", err)
	}
	gen, sign, _ := mechanisms(p)
	have := map[uint]bool{}
	for _, m := range list {
		have[m.Mechanism] = true
	}
	if !have[gen] || !have[sign] {
		return fmt.Errorf("%w: token %q (%s) has no %s key generation and signing "+
			"(mechanisms 0x%X, 0x%X); choose another profile or media",
			media.ErrUnsupported, t.info.Label, t.info.Model, p.Name, gen, sign)
	}
	return nil
}

// Generate makes a new key pair of the profile on the token, pending.
// The private key is made with CKA_SENSITIVE true and CKA_EXTRACTABLE
// false: it never leaves the token. The user must be logged in. The key
// gets CKA_ID = its id's bytes, and a data object (CKA_APPLICATION
// "rekey") records its state. It returns the key's listing entry and a
// signer for its proof of possession.
func (t *Token) Generate(opts *GenerateOptions) (media.Key, crypto.Signer, error) {
	prof := opts.Profile
	if prof == nil {
		prof = pki.ProfileECDSA
	}
	ca, err := pki.ParseCertificate(opts.CA)
	if err != nil {
		return media.Key{}, nil, fmt.Errorf("media: CA certificate: %v", err)
	}
	u := opts.OperatorURL
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return media.Key{}, nil, fmt.Errorf("media: operator URL %q is not an http(s) URL", u)
	}
	if opts.Office != nil {
		if _, err := opts.Office.Marshal(); err != nil { // validates, checks the size
			return media.Key{}, nil, err
		}
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.login {
		return media.Key{}, nil, fmt.Errorf("media: token %q: log in before generating a key",
			t.info.Label)
	}
	if err := t.supports(prof); err != nil {
		return media.Key{}, nil, err
	}

	// 1. Generate under a temporary id.
	tmp := make([]byte, 10)
	if _, err := io.ReadFull(rand.Reader, tmp); err != nil {
		return media.Key{}, nil, err
	}
	pubH, privH, err := t.generate(prof, tmp)
	if err != nil {
		return media.Key{}, nil, err
	}
	pub, err := t.publicKey(pubH, prof)
	if err != nil {
		return media.Key{}, nil, err
	}

	// 2. Name both halves by the key's id.
	spki, err := pki.MarshalPKIXPublicKey(pub)
	if err != nil {
		return media.Key{}, nil, err
	}
	id, _ := media.KeyID(pub)
	idb, _ := hex.DecodeString(id)
	for _, h := range []pkcs11.ObjectHandle{pubH, privH} {
		err := t.mod.ctx.SetAttributeValue(t.sess, h, []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_ID, idb),
			pkcs11.NewAttribute(pkcs11.CKA_LABEL, recordLabel(id)),
		})
		if err != nil {
			return media.Key{}, nil, t.fail("naming the new key", err)
		}
	}

	// 3. Record it, pending. A key pair without a record is a generation
	// that did not finish; it is not listed.
	r := &record{
		Manifest: media.Manifest{
			Format: media.FormatVersion, ID: id, Profile: prof.Name, State: media.StatePending,
			Created: now().UTC().Truncate(time.Second), PublicKey: spki, Replaces: opts.Replaces,
		},
		CA:       ca.Raw,
		Operator: opts.OperatorURL,
		Office:   opts.Office,
	}
	if err := t.writeRecord(r); err != nil {
		return media.Key{}, nil, err
	}
	s := &signer{tok: t, priv: privH, pub: pub, prof: prof}
	return t.key(r, nil), s, nil
}

func (t *Token) generate(
	prof *pki.Profile,
	id []byte,
) (pub, priv pkcs11.ObjectHandle, err error) {
	gen, _, keyType := mechanisms(prof)
	pubT := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PUBLIC_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, keyType),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false),
		pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true),
		pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, "rekey new key"),
	}
	privT := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, keyType),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, false),
		pkcs11.NewAttribute(pkcs11.CKA_SIGN, true),
		pkcs11.NewAttribute(pkcs11.CKA_DERIVE, true),
		pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, "rekey new key"),
	}
	if prof.Curve == nil {
		params, _ := asn1.Marshal(pki.OIDCurveP256)
		pubT = append(pubT, pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, params))
	} else {
		curve, _ := asn1.Marshal(prof.Curve.OID())
		digest := pki.OIDDigestStreebog256
		if prof.Name == pki.ProfileGOST512.Name {
			digest = pki.OIDDigestStreebog512
		}
		hash, _ := asn1.Marshal(digest)
		pubT = append(pubT,
			pkcs11.NewAttribute(pkcs11.CKA_GOSTR3410_PARAMS, curve),
			pkcs11.NewAttribute(pkcs11.CKA_GOSTR3411_PARAMS, hash))
		privT = append(privT,
			pkcs11.NewAttribute(pkcs11.CKA_GOSTR3410_PARAMS, curve),
			pkcs11.NewAttribute(pkcs11.CKA_GOSTR3411_PARAMS, hash))
	}
	pubH, privH, err := t.mod.ctx.GenerateKeyPair(t.sess,
		[]*pkcs11.Mechanism{pkcs11.NewMechanism(gen, nil)}, pubT, privT)
	if err != nil {
		return 0, 0, t.fail("generating a "+prof.Name+" key pair", err)
	}
	return pubH, privH, nil
}

// publicKey reads a public key object: CKA_EC_POINT (a DER OCTET STRING
// holding the uncompressed point, or the bare point from older tokens)
// for ECDSA, CKA_VALUE (LE(X)||LE(Y)) for GOST.
func (t *Token) publicKey(h pkcs11.ObjectHandle, prof *pki.Profile) (crypto.PublicKey, error) {
	if prof.Curve != nil {
		raw, err := t.attr(h, pkcs11.CKA_VALUE)
		if err != nil {
			return nil, err
		}
		pub, err := gost3410.NewPublicKey(prof.Curve, raw)
		if err != nil {
			return nil, fmt.Errorf("media: token %q: public key: %v", t.info.Label, err)
		}
		return pub, nil
	}
	point, err := t.attr(h, pkcs11.CKA_EC_POINT)
	if err != nil {
		return nil, err
	}
	var inner []byte
	if rest, err := asn1.Unmarshal(point, &inner); err == nil && len(rest) == 0 {
		point = inner
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	if err != nil {
		return nil, fmt.Errorf("media: token %q: public key: %v", t.info.Label, err)
	}
	return pub, nil
}

func (t *Token) attr(h pkcs11.ObjectHandle, typ uint) ([]byte, error) {
	a, err := t.mod.ctx.GetAttributeValue(t.sess, h,
		[]*pkcs11.Attribute{pkcs11.NewAttribute(typ, nil)})
	if err != nil {
		return nil, t.fail("reading an attribute", err)
	}
	return a[0].Value, nil
}

func (t *Token) find(tmpl []*pkcs11.Attribute) ([]pkcs11.ObjectHandle, error) {
	ctx := t.mod.ctx
	if err := ctx.FindObjectsInit(t.sess, tmpl); err != nil {
		return nil, t.fail("searching objects", err)
	}
	var all []pkcs11.ObjectHandle
	for {
		hs, _, err := ctx.FindObjects(t.sess, 64)
		if err != nil {
			ctx.FindObjectsFinal(t.sess)
			return nil, t.fail("searching objects", err)
		}
		if len(hs) == 0 {
			break
		}
		all = append(all, hs...)
	}
	if err := ctx.FindObjectsFinal(t.sess); err != nil {
		return nil, t.fail("searching objects", err)
	}
	return all, nil
}

// certificates reads every X.509 certificate object on the token.
func (t *Token) certificates() ([]*pki.Certificate, error) {
	hs, err := t.find([]*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE),
		pkcs11.NewAttribute(pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKC_X_509),
	})
	if err != nil {
		return nil, err
	}
	var certs []*pki.Certificate
	for _, h := range hs {
		v, err := t.attr(h, pkcs11.CKA_VALUE)
		if err != nil {
			return nil, err
		}
		if c, err := pki.ParseCertificate(v); err == nil {
			certs = append(certs, c)
		}
	}
	return certs, nil
}

func certFor(certs []*pki.Certificate, pub crypto.PublicKey) *pki.Certificate {
	eq, ok := pub.(interface{ Equal(crypto.PublicKey) bool })
	if !ok {
		return nil
	}
	for _, c := range certs {
		if c.PublicKey != nil && eq.Equal(c.PublicKey) {
			return c
		}
	}
	return nil
}

func (t *Token) key(r *record, cert *pki.Certificate) media.Key {
	k := media.Key{
		ID: r.ID, Kind: media.KindToken, Media: t.info.Label, TokenSerial: t.info.Serial,
		Location: t.location(), State: r.State, Profile: r.Profile, Created: r.Created,
		Replaces: r.Replaces, Successor: r.Successor, Operator: r.Operator, Office: r.Office,
		Encrypted: true,
	}
	k.CA, _ = pki.ParseCertificate(r.CA)
	if cert != nil && r.State != media.StatePending {
		k.Certificate = cert
		k.KeyExpires = cert.KeyExpires()
	}
	return k
}

// Keys lists the keys on the token: those rekey made (with their records)
// and any other key with a certificate on the token (listed as active).
// Listing needs no login: records and certificates are public objects.
func (t *Token) Keys() ([]media.Key, []error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	rs, errs := t.records()
	certs, err := t.certificates()
	if err != nil {
		return nil, append(errs, err)
	}
	var keys []media.Key
	used := map[*pki.Certificate]bool{}
	for _, r := range rs {
		pub, _ := pki.ParsePKIXPublicKey(r.PublicKey)
		c := certFor(certs, pub)
		used[c] = true
		keys = append(keys, t.key(r, c))
	}
	for _, c := range certs {
		if used[c] || c.PublicKey == nil {
			continue
		}
		id, err := media.KeyID(c.PublicKey)
		prof, perr := pki.ProfileOf(c.PublicKey)
		bc := c.Extensions.BasicConstraints
		if err != nil || perr != nil || bc != nil && bc.IsCA {
			continue
		}
		keys = append(keys, media.Key{
			ID: id, Kind: media.KindToken, Media: t.info.Label, TokenSerial: t.info.Serial,
			Location: t.location(), State: media.StateActive, Profile: prof.Name, Certificate: c,
			KeyExpires: c.KeyExpires(), Encrypted: true,
		})
	}
	return keys, errs
}

func idBytes(id string) ([]byte, error) {
	b, err := hex.DecodeString(id)
	if err != nil || len(id) != 20 {
		return nil, fmt.Errorf("media: %q is not a key id", id)
	}
	return b, nil
}

// privateKey finds the private key object of id (by CKA_ID).
func (t *Token) privateKey(id string) (pkcs11.ObjectHandle, error) {
	idb, err := idBytes(id)
	if err != nil {
		return 0, err
	}
	hs, err := t.find([]*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_ID, idb),
	})
	if err != nil {
		return 0, err
	}
	if len(hs) == 0 {
		if !t.login {
			return 0, fmt.Errorf("media: token %q: log in to use key %s", t.info.Label, id)
		}
		return 0, fmt.Errorf("%w: no private key %s on token %q",
			media.ErrNotFound, id, t.info.Label)
	}
	return hs[0], nil
}

// Signer returns a signer backed by the token for key id (C_Sign on the
// token; the key never leaves it). The user must be logged in. An
// archived key gives media.ErrArchived.
func (t *Token) Signer(id string) (crypto.Signer, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, err := t.record(id)
	if err != nil {
		return nil, err
	}
	if r.State == media.StateArchived {
		return nil, fmt.Errorf("%w (key %s)", media.ErrArchived, id)
	}
	h, err := t.privateKey(id)
	if err != nil {
		return nil, err
	}
	prof, _ := pki.ProfileByName(r.Profile)
	pub, _ := pki.ParsePKIXPublicKey(r.PublicKey)
	return &signer{tok: t, priv: h, pub: pub, prof: prof}, nil
}

// InstallCertificate stores the certificate (DER) of pending key id on
// the token (a CKO_CERTIFICATE with the key's CKA_ID) and makes the key
// active. The certificate must certify the key (media.ErrKeyMismatch)
// and be issued by the record's CA (media.ErrWrongIssuer). Two steps, like
// a file container: the certificate object, then the record; re-running
// after a crash finds the certificate there and finishes.
func (t *Token) InstallCertificate(id string, der []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, err := t.record(id)
	if err != nil {
		return err
	}
	cert, err := pki.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("media: certificate: %v", strings.TrimPrefix(err.Error(), "pki: "))
	}
	pub, _ := pki.ParsePKIXPublicKey(r.PublicKey)
	if certFor([]*pki.Certificate{cert}, pub) == nil {
		return media.ErrKeyMismatch
	}
	ca, err := pki.ParseCertificate(r.CA)
	if err != nil || !bytes.Equal(cert.RawIssuer, ca.RawSubject) ||
		cert.CheckSignatureFrom(ca) != nil {
		return fmt.Errorf("%w (issuer %s)", media.ErrWrongIssuer, cert.Issuer)
	}
	certs, err := t.certificates()
	if err != nil {
		return err
	}
	have := false
	for _, c := range certs {
		have = have || bytes.Equal(c.Raw, cert.Raw)
	}
	switch {
	case r.State == media.StateActive && have:
		return nil
	case r.State != media.StatePending:
		return fmt.Errorf("%w: key %s is %s", media.ErrState, id, r.State)
	}
	if !have {
		if err := t.storeCertificate(id, cert); err != nil {
			return err
		}
	}
	r.State = media.StateActive
	r.Installed = time.Now().UTC().Truncate(time.Second)
	return t.writeRecord(r)
}

func (t *Token) storeCertificate(id string, cert *pki.Certificate) error {
	idb, _ := idBytes(id)
	serial, _ := asn1.Marshal(cert.SerialNumber)
	_, err := t.mod.ctx.CreateObject(t.sess, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE),
		pkcs11.NewAttribute(pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKC_X_509),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false),
		pkcs11.NewAttribute(pkcs11.CKA_ID, idb),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, recordLabel(id)),
		pkcs11.NewAttribute(pkcs11.CKA_SUBJECT, cert.RawSubject),
		pkcs11.NewAttribute(pkcs11.CKA_ISSUER, cert.RawIssuer),
		pkcs11.NewAttribute(pkcs11.CKA_SERIAL_NUMBER, serial),
		pkcs11.NewAttribute(pkcs11.CKA_VALUE, cert.Raw),
	})
	if err != nil {
		return t.fail("storing the certificate", err)
	}
	return nil
}

// Archive marks active key id archived, with successor as the key that
// replaced it: the record first (rekey's signers refuse it from then
// on), then the private key's CKA_SIGN is cleared and its label says
// "archived", so that other software will not sign with it either; the
// key keeps CKA_DERIVE to decrypt. The user must be logged in. Re-running
// it redoes the second step.
func (t *Token) Archive(id, successor string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, err := t.record(id)
	if err != nil {
		return err
	}
	switch {
	case r.State == media.StateArchived && r.Successor == successor:
	case r.State != media.StateActive:
		return fmt.Errorf("%w: key %s is %s", media.ErrState, id, r.State)
	default:
		r.State, r.Successor = media.StateArchived, successor
		r.Archived = time.Now().UTC().Truncate(time.Second)
		if err := t.writeRecord(r); err != nil {
			return err
		}
	}
	h, err := t.privateKey(id)
	if err != nil {
		return err
	}
	err = t.mod.ctx.SetAttributeValue(t.sess, h, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, "rekey archived "+id),
		pkcs11.NewAttribute(pkcs11.CKA_SIGN, false),
	})
	if err != nil && !isCode(err, pkcs11.CKR_ATTRIBUTE_READ_ONLY) &&
		!isCode(err, pkcs11.CKR_ACTION_PROHIBITED) {
		return t.fail("marking the key archived", err)
	}
	return nil
}

// Backup explains why a token key cannot be backed up: it was generated
// on the token as sensitive and not extractable, so no copy of it exists
// or can be made, by rekey or by anything else. The error wraps
// media.ErrNotExtractable; its text is meant for the person (S18).
func (t *Token) Backup(id string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, err := t.record(id); err != nil {
		return err
	}
	return fmt.Errorf("%w: key %s was generated on token %q and marked non-extractable; "+
		"no copy of it can be made, which is what protects it. Keep the token safe; "+
		"if it is lost or broken, the key is replaced in the operator's office. "+
		"The certificate on the token is public and may be exported with any PKCS#11 tool",
		media.ErrNotExtractable, id, t.info.Label)
}
