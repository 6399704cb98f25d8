package rekeyd

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"

	"rekey/pki"
)

// DefaultPKCS11Module is the module used when a pkcs11: URI names none:
// Debian's SoftHSM2.
const DefaultPKCS11Module = "/usr/lib/softhsm/libsofthsm2.so"

// ErrWrongPIN is returned when the HSM refuses the PIN.
var ErrWrongPIN = errors.New("rekeyd: wrong PIN")

// PKCS11URI is the part of a PKCS#11 URI (RFC 7512) that names the CA
// key: the token label, the key's object label, the module and where the
// PIN comes from.
type PKCS11URI struct {
	Token     string // token=
	Object    string // object=
	Module    string // module-path=, DefaultPKCS11Module when absent
	PINSource string // pin-source=file:PATH, optional
}

// ParsePKCS11URI reads "pkcs11:token=T;object=O?module-path=M&pin-source=file:P".
// A pin-value attribute is refused: a PIN does not belong in a config
// file or on a command line.
func ParsePKCS11URI(s string) (*PKCS11URI, error) {
	rest, ok := strings.CutPrefix(s, "pkcs11:")
	if !ok {
		return nil, errors.New("a PKCS#11 URI starts with pkcs11:")
	}
	path, query, _ := strings.Cut(rest, "?")
	u := &PKCS11URI{Module: DefaultPKCS11Module}
	for _, attr := range strings.Split(path, ";") {
		if attr == "" {
			continue
		}
		k, v, _ := strings.Cut(attr, "=")
		v, err := url.PathUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("PKCS#11 URI attribute %q: %v", k, err)
		}
		switch k {
		case "token":
			u.Token = v
		case "object":
			u.Object = v
		case "type", "manufacturer", "model", "serial", "library-description",
			"library-manufacturer", "library-version", "slot-description", "slot-id",
			"slot-manufacturer", "id":
			// Accepted and ignored: the token and object labels name the key.
		default:
			return nil, fmt.Errorf("PKCS#11 URI attribute %q is not supported", k)
		}
	}
	for _, attr := range strings.Split(query, "&") {
		if attr == "" {
			continue
		}
		k, v, _ := strings.Cut(attr, "=")
		v, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("PKCS#11 URI attribute %q: %v", k, err)
		}
		switch k {
		case "module-path":
			u.Module = v
		case "pin-source":
			if !strings.HasPrefix(v, "file:") {
				return nil, errors.New("PKCS#11 URI pin-source must be file:PATH")
			}
			u.PINSource = strings.TrimPrefix(v, "file:")
		case "pin-value":
			return nil, errors.New("PKCS#11 URI pin-value is refused: give the PIN " +
				"through pin-source, --ca-password-file or REKEYD_CA_PASSWORD")
		default:
			return nil, fmt.Errorf("PKCS#11 URI attribute %q is not supported", k)
		}
	}
	if u.Token == "" || u.Object == "" {
		return nil, errors.New("a PKCS#11 URI of the CA key needs token= and object=")
	}
	return u, nil
}

// pin returns the PIN: from pin-source when the URI has one, else from
// the password source.
func (u *PKCS11URI) pin(password func() ([]byte, error)) ([]byte, error) {
	if u.PINSource != "" {
		data, err := os.ReadFile(u.PINSource)
		if err != nil {
			return nil, fmt.Errorf("rekeyd: reading the PIN: %w", err)
		}
		line, _, _ := strings.Cut(string(data), "\n")
		return []byte(strings.TrimSuffix(line, "\r")), nil
	}
	if password == nil {
		return nil, errors.New("rekeyd: the HSM needs a PIN and none was given")
	}
	return password()
}

// hsmKey is the CA key in a PKCS#11 token: an ECDSA P-256 private key
// that never leaves it. It is a crypto.Signer; one session, one signature
// at a time.
type hsmKey struct {
	mu   sync.Mutex
	ctx  *pkcs11.Ctx
	sess pkcs11.SessionHandle
	priv pkcs11.ObjectHandle
	pub  *ecdsa.PublicKey
}

// openHSM loads the module, finds the token by label and logs in.
func openHSM(u *PKCS11URI, pin []byte) (*hsmKey, error) {
	ctx := pkcs11.New(u.Module)
	if ctx == nil {
		return nil, fmt.Errorf("rekeyd: cannot load the PKCS#11 module %s: check "+
			"module-path in the pkcs11: URI", u.Module)
	}
	if err := ctx.Initialize(); err != nil && !isPKCS11(err, pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		ctx.Destroy()
		return nil, fmt.Errorf("rekeyd: initializing the PKCS#11 module %s: %v", u.Module, err)
	}
	k := &hsmKey{ctx: ctx}
	if err := k.login(u, pin); err != nil {
		k.Close()
		return nil, err
	}
	return k, nil
}

func (k *hsmKey) login(u *PKCS11URI, pin []byte) error {
	slots, err := k.ctx.GetSlotList(true)
	if err != nil {
		return fmt.Errorf("rekeyd: listing PKCS#11 slots: %v", err)
	}
	for _, slot := range slots {
		info, err := k.ctx.GetTokenInfo(slot)
		if err != nil || strings.TrimRight(info.Label, " \x00") != u.Token {
			continue
		}
		k.sess, err = k.ctx.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
		if err != nil {
			return fmt.Errorf("rekeyd: opening a session with token %q: %v", u.Token, err)
		}
		err = k.ctx.Login(k.sess, pkcs11.CKU_USER, string(pin))
		if err != nil && !isPKCS11(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN) {
			if isPKCS11(err, pkcs11.CKR_PIN_INCORRECT) {
				return fmt.Errorf("%w of token %q", ErrWrongPIN, u.Token)
			}
			return fmt.Errorf("rekeyd: logging in to token %q: %v", u.Token, err)
		}
		return nil
	}
	return fmt.Errorf("rekeyd: no PKCS#11 token labelled %q in %s: check token= in the "+
		"pkcs11: URI", u.Token, u.Module)
}

// generateHSMKey makes an ECDSA P-256 key pair labelled u.Object on the
// token: sensitive, not extractable, for signing only.
func generateHSMKey(u *PKCS11URI, pin []byte) (*hsmKey, error) {
	k, err := openHSM(u, pin)
	if err != nil {
		return nil, err
	}
	if hs, err := k.find(pkcs11.CKO_PRIVATE_KEY, u.Object); err != nil || len(hs) > 0 {
		k.Close()
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("rekeyd: token %q already holds a key labelled %q: "+
			"choose another object= in the pkcs11: URI", u.Token, u.Object)
	}
	params, _ := asn1.Marshal(pki.OIDCurveP256)
	label := []byte(u.Object)
	pubT := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PUBLIC_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_EC),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
		pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, params),
	}
	privT := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_EC),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, false),
		pkcs11.NewAttribute(pkcs11.CKA_SIGN, true),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
	}
	_, _, err = k.ctx.GenerateKeyPair(k.sess,
		[]*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_EC_KEY_PAIR_GEN, nil)}, pubT, privT)
	if err != nil {
		k.Close()
		return nil, fmt.Errorf("rekeyd: generating the CA key on token %q: %v", u.Token, err)
	}
	if err := k.load(u); err != nil {
		k.Close()
		return nil, err
	}
	return k, nil
}

// loadHSMKey opens the CA key u names.
func loadHSMKey(u *PKCS11URI, pin []byte) (*hsmKey, error) {
	k, err := openHSM(u, pin)
	if err != nil {
		return nil, err
	}
	if err := k.load(u); err != nil {
		k.Close()
		return nil, err
	}
	return k, nil
}

func (k *hsmKey) load(u *PKCS11URI) error {
	privs, err := k.find(pkcs11.CKO_PRIVATE_KEY, u.Object)
	if err != nil {
		return err
	}
	pubs, err := k.find(pkcs11.CKO_PUBLIC_KEY, u.Object)
	if err != nil {
		return err
	}
	if len(privs) != 1 || len(pubs) != 1 {
		return fmt.Errorf("rekeyd: token %q holds %d private and %d public keys labelled %q, "+
			"want one of each", u.Token, len(privs), len(pubs), u.Object)
	}
	attrs, err := k.ctx.GetAttributeValue(k.sess, pubs[0],
		[]*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_EC_POINT, nil)})
	if err != nil || len(attrs) != 1 {
		return fmt.Errorf("rekeyd: reading the CA public key from token %q: %v", u.Token, err)
	}
	point := attrs[0].Value
	var inner []byte
	if rest, err := asn1.Unmarshal(point, &inner); err == nil && len(rest) == 0 {
		point = inner
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	if err != nil {
		return fmt.Errorf("rekeyd: the CA public key on token %q: %v (only ECDSA P-256 "+
			"keys are supported in an HSM)", u.Token, err)
	}
	k.priv, k.pub = privs[0], pub
	return nil
}

func (k *hsmKey) find(class uint, label string) ([]pkcs11.ObjectHandle, error) {
	tmpl := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, class),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, []byte(label)),
	}
	if err := k.ctx.FindObjectsInit(k.sess, tmpl); err != nil {
		return nil, fmt.Errorf("rekeyd: searching the token: %v", err)
	}
	defer k.ctx.FindObjectsFinal(k.sess)
	hs, _, err := k.ctx.FindObjects(k.sess, 16)
	if err != nil {
		return nil, fmt.Errorf("rekeyd: searching the token: %v", err)
	}
	return hs, nil
}

// Public returns the CA public key.
func (k *hsmKey) Public() crypto.PublicKey { return k.pub }

// Sign signs a SHA-256 digest with CKM_ECDSA and returns the signature in
// the ASN.1 form of crypto/ecdsa.
func (k *hsmKey) Sign(_ io.Reader, digest []byte, _ crypto.SignerOpts) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ctx == nil {
		return nil, errors.New("rekeyd: the HSM session is closed")
	}
	m := []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_ECDSA, nil)}
	if err := k.ctx.SignInit(k.sess, m, k.priv); err != nil {
		return nil, fmt.Errorf("rekeyd: HSM: starting to sign: %v", err)
	}
	raw, err := k.ctx.Sign(k.sess, digest)
	if err != nil {
		return nil, fmt.Errorf("rekeyd: HSM: signing: %v", err)
	}
	if len(raw) == 0 || len(raw)%2 != 0 {
		return nil, fmt.Errorf("rekeyd: HSM gave an ECDSA signature of %d bytes", len(raw))
	}
	n := len(raw) / 2
	return asn1.Marshal(struct{ R, S *big.Int }{
		new(big.Int).SetBytes(raw[:n]), new(big.Int).SetBytes(raw[n:]),
	})
}

// Close logs out and closes the session. The module stays initialized:
// another part of the process may use it.
func (k *hsmKey) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ctx == nil {
		return nil
	}
	if k.sess != 0 {
		_ = k.ctx.Logout(k.sess)
		_ = k.ctx.CloseSession(k.sess)
	}
	k.ctx = nil
	return nil
}

func isPKCS11(err error, code uint) bool {
	var e pkcs11.Error
	return errors.As(err, &e) && uint(e) == code
}
