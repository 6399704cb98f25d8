package cmp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"rekey/pki"
)

// Client is the subscriber side of CMP as a library: ir, kur, pollReq,
// certConf, rr and genm following the Lightweight CMP Profile (RFC 9483).
// Every response is checked before anything is returned: its protection
// (a signature by a certificate that chains to Roots at the clock's time,
// or the MAC of the ir's one-time secret), its transactionID and nonces,
// and for certificates, that they certify the public key and subject
// requested and chain to Roots.
//
// Issuing operations return a ClientTransaction, the state that Poll and
// Confirm continue from; the caller persists it (ClientTransaction.Marshal)
// so that a transaction survives a restart of the client.
type Client struct {
	Transport Transport
	// Roots are the trust anchors of the CA's responses: the CA
	// certificate, or its root with the CA certificate arriving in
	// extraCerts or Intermediates.
	Roots         []*pki.Certificate
	Intermediates []*pki.Certificate
	// Recipient is the CA's name (DER), the header's recipient; the
	// NULL-DN when nil.
	Recipient []byte
	// ImplicitConfirm asks the CA to skip certConf (RFC 9810 §5.1.1.1).
	ImplicitConfirm bool

	Clock func() time.Time // time.Now when nil
	Rand  io.Reader        // crypto/rand when nil
	// MAC chooses the MAC of an ir; nil picks PBMAC1 with HMAC-Streebog-512
	// for a GOST key and with HMAC-SHA-256 otherwise, 10,000 iterations.
	MAC *MACOptions
}

// Credentials protect the client's messages: a one-time secret and its
// reference (ir and its follow-ups), or a certificate and its key (all
// others). Build them with MACCredentials or SignatureCredentials.
type Credentials struct {
	Reference []byte // senderKID of the MAC
	Secret    []byte

	Certificate *pki.Certificate
	Key         crypto.Signer
	Chain       [][]byte // certificates after Certificate in extraCerts
}

// MACCredentials returns the credentials of a one-time secret.
func MACCredentials(reference, secret []byte) *Credentials {
	return &Credentials{Reference: reference, Secret: secret}
}

// SignatureCredentials returns the credentials of a certificate and its
// key, any crypto.Signer (a file key or a token's).
func SignatureCredentials(cert *pki.Certificate, key crypto.Signer,
	chain ...[]byte) *Credentials {
	return &Credentials{Certificate: cert, Key: key, Chain: chain}
}

func (c *Credentials) isMAC() bool { return c.Secret != nil }

// ServerError is a refusal by the CA: the status of an error message or of
// a response.
type ServerError struct {
	Body   BodyType // error, ip, kup, rp…
	Status StatusInfo
}

func (e *ServerError) Error() string {
	return fmt.Sprintf("cmp: the certification authority refused (%s, %s): %s",
		e.Status.Status, e.Status.FailInfo, e.Text(LangEN))
}

// Text returns the CA's explanation in lang ("ru" or "en").
func (e *ServerError) Text(lang string) string {
	return FreeTextIn(e.Status.StatusString, lang)
}

// Failure returns the failure bits.
func (e *ServerError) Failure() FailureInfo { return e.Status.FailInfo }

// Is makes a systemUnavail refusal match ErrRetryLater.
func (e *ServerError) Is(target error) bool {
	return target == ErrRetryLater && e.Status.FailInfo&FailSystemUnavail != 0
}

// ErrTooEarly is returned by Poll before the transaction's CheckAfter.
var ErrTooEarly = errors.New("cmp: too early to poll; the CA asked to wait")

func (c *Client) now() time.Time {
	if c.Clock != nil {
		return c.Clock()
	}
	return time.Now()
}

func (c *Client) rand() io.Reader {
	if c.Rand != nil {
		return c.Rand
	}
	return rand.Reader
}

func (c *Client) random(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(c.rand(), b); err != nil {
		return nil, fmt.Errorf("cmp: reading random bytes: %w", err)
	}
	return b, nil
}

// request is a message to send within a transaction.
type request struct {
	body       Body
	txID       []byte
	recipNonce []byte
	sender     GeneralName
	info       []InfoTypeAndValue
	cred       *Credentials
	macOpts    *MACOptions
}

// roundTrip protects and sends a request and checks the response: its
// protection, transactionID and recipNonce. An error body becomes a
// *ServerError.
func (c *Client) roundTrip(ctx context.Context, r *request) (*Message, []byte, error) {
	nonce, err := c.random(nonceSize)
	if err != nil {
		return nil, nil, err
	}
	m := &Message{Body: r.body, Header: Header{
		PVNO:          PVNO2000,
		Sender:        r.sender,
		Recipient:     DirectoryName(c.Recipient),
		MessageTime:   c.now().UTC().Truncate(time.Second),
		TransactionID: r.txID,
		SenderNonce:   nonce,
		RecipNonce:    r.recipNonce,
		GeneralInfo:   r.info,
	}}
	if c.Recipient == nil {
		m.Header.Recipient = GeneralName{}
	}
	if err := c.protect(m, r); err != nil {
		return nil, nil, err
	}
	der, err := m.marshalSealed()
	if err != nil {
		return nil, nil, err
	}
	if c.Transport == nil {
		return nil, nil, errors.New("cmp: Client without a Transport")
	}
	respDER, err := c.Transport.Exchange(ctx, der)
	if err != nil {
		return nil, der, err
	}
	resp, err := ParseMessage(respDER)
	if err != nil {
		return nil, der, fmt.Errorf("cmp: the CA's response: %w", err)
	}
	if err := c.checkResponse(resp, m, r.cred); err != nil {
		return nil, der, err
	}
	if resp.Body.Type == TypeError {
		return resp, der, &ServerError{Body: TypeError, Status: resp.Body.Error.StatusInfo}
	}
	return resp, der, nil
}

func (c *Client) protect(m *Message, r *request) error {
	cred := r.cred
	if cred.isMAC() {
		m.Header.SenderKID = cred.Reference
		return m.ProtectMAC(cred.Secret, r.macOpts)
	}
	if cred.Certificate == nil || cred.Key == nil {
		return errors.New("cmp: credentials without a certificate and key")
	}
	m.Header.SenderKID = cred.Certificate.Extensions.SubjectKeyID
	m.ExtraCerts = append([][]byte{cred.Certificate.Raw}, cred.Chain...)
	return m.Sign(cred.Key, c.rand())
}

// checkResponse checks what every response must satisfy.
func (c *Client) checkResponse(resp, req *Message, cred *Credentials) error {
	h := &resp.Header
	if !bytes.Equal(h.TransactionID, req.Header.TransactionID) {
		return errors.New("cmp: the response belongs to another transaction")
	}
	if !bytes.Equal(h.RecipNonce, req.Header.SenderNonce) {
		return errors.New("cmp: the response's recipNonce is not our senderNonce")
	}
	if len(h.SenderNonce) < minIDSize {
		return errors.New("cmp: the response has no senderNonce of 128 bits")
	}
	if resp.Protection == nil {
		return errors.New("cmp: the response is not protected")
	}
	if resp.IsMACProtected() {
		if !cred.isMAC() {
			return errors.New("cmp: a MAC-protected response to a signed request")
		}
		return resp.VerifyMAC(cred.Secret)
	}
	return c.checkSignedResponse(resp)
}

// checkSignedResponse verifies the CA's signature and its certificate's
// chain to Roots at the clock's time.
func (c *Client) checkSignedResponse(resp *Message) error {
	extra, err := c.certificates(resp.ExtraCerts)
	if err != nil {
		return err
	}
	resp.extra = extra
	var candidates []*pki.Certificate
	for _, cert := range append(extra, c.Roots...) {
		if matchesSender(cert, &resp.Header) {
			candidates = append(candidates, cert)
		}
	}
	if len(candidates) == 0 {
		return errors.New("cmp: no certificate for the response's protection")
	}
	signer, err := resp.VerifySignature(candidates...)
	if err != nil {
		return err
	}
	_, err = pki.Verify(signer, pki.VerifyOptions{Roots: c.Roots,
		Intermediates: append(append([]*pki.Certificate(nil), c.Intermediates...), extra...),
		At:            c.now()})
	if err != nil {
		return fmt.Errorf("cmp: the response's protection certificate is not trusted: %w", err)
	}
	return nil
}

// certificates parses the extraCerts of a response (errors as
// Message.Certificates). A certificate the Client holds as a root or an
// intermediate, such as the CA's own in every response, is taken as
// parsed then instead of being parsed again.
func (c *Client) certificates(ders [][]byte) ([]*pki.Certificate, error) {
	out := make([]*pki.Certificate, 0, len(ders))
	for i, der := range ders {
		if k := c.knownCertificate(der); k != nil {
			out = append(out, k)
			continue
		}
		cert, err := pki.ParseCertificate(der)
		if err != nil {
			return nil, wrapError(FailBadDataFormat, err, "cmp: extraCerts[%d]", i)
		}
		out = append(out, cert)
	}
	return out, nil
}

// knownCertificate returns the root or intermediate of the Client whose
// DER is der, or nil.
func (c *Client) knownCertificate(der []byte) *pki.Certificate {
	for _, r := range c.Roots {
		if bytes.Equal(r.Raw, der) {
			return r
		}
	}
	for _, r := range c.Intermediates {
		if bytes.Equal(r.Raw, der) {
			return r
		}
	}
	return nil
}

// checkCertificate checks an issued certificate against the request: the
// public key and subject requested, and a chain to Roots (at its
// notBefore when that is later than now). extra are the response's
// extraCerts, parsed by checkSignedResponse (nil for a MAC-protected
// response, whose extraCerts are parsed here).
func (c *Client) checkCertificate(der []byte, st *ClientTransaction,
	caPubs [][]byte, extra []*pki.Certificate, extraDER [][]byte) (*pki.Certificate, error) {
	cert, err := pki.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("cmp: the issued certificate: %w", err)
	}
	if !bytes.Equal(cert.RawSubjectPublicKeyInfo, st.PublicKey) {
		return nil, errors.New("cmp: the issued certificate is for another public key")
	}
	if st.Subject != nil && !bytes.Equal(cert.RawSubject, st.Subject) {
		want, err := pki.ParseSubject(st.Subject)
		if err != nil || !want.Equal(cert.Subject) {
			return nil, errors.New("cmp: the issued certificate has another subject")
		}
	}
	inter := make([]*pki.Certificate, 0, len(c.Intermediates)+len(caPubs)+len(extraDER))
	inter = append(inter, c.Intermediates...)
	for _, d := range caPubs {
		if ic := c.knownCertificate(d); ic != nil {
			inter = append(inter, ic)
		} else if ic, err := pki.ParseCertificate(d); err == nil {
			inter = append(inter, ic)
		}
	}
	if extra != nil {
		inter = append(inter, extra...)
	} else {
		for _, d := range extraDER {
			if ic, err := pki.ParseCertificate(d); err == nil {
				inter = append(inter, ic)
			}
		}
	}
	at := c.now()
	if cert.NotBefore.After(at) {
		at = cert.NotBefore
	}
	if _, err := pki.Verify(cert, pki.VerifyOptions{Roots: c.Roots, Intermediates: inter,
		At: at}); err != nil {
		return nil, fmt.Errorf("cmp: the issued certificate does not chain to the CA: %w", err)
	}
	return cert, nil
}
