package rekeyd

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"rekey/cmp"
	"rekey/media"
	"rekey/operator"
	"rekey/pki"
	"rekey/store"
)

// Enrollment is an in-office first issuance (O6): the subscriber's
// subject, as the enroll subject file gives it, and the certificate's end.
type Enrollment struct {
	Subject *pki.Subject
	// NotAfter ends the certificate earlier than the configured lifetime;
	// zero means the lifetime.
	NotAfter time.Time
	// Actor names the operator's employee in the audit trail ("office"
	// when empty).
	Actor string

	// claim is the one-time use the issuance takes (an ir's secret):
	// operator.IssueRequest.Claim.
	claim func(ctx context.Context, tx store.Tx, serial []byte) error
}

// Enrolled is the result of an enrollment.
type Enrolled struct {
	Subscriber  *store.Subscriber
	Certificate *pki.Certificate
	// Container is the subscriber's new key container (EnrollMedia only).
	Container *media.Container
	// Warning is a warning of the key's encryption to show (EnrollMedia).
	Warning pki.Warning
}

// Register records the subscriber of subject, or returns the one already
// recorded with the same subject, and audits it.
func (op *Operator) Register(ctx context.Context, subject *pki.Subject, actor string) (
	*store.Subscriber, error) {
	if err := subject.Validate(); err != nil {
		return nil, err
	}
	der, err := subject.MarshalDN()
	if err != nil {
		return nil, err
	}
	if s, err := op.Store.SubscriberBySubject(ctx, der); err == nil {
		return s, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("rekeyd: looking up the subscriber: %w", err)
	}
	js, err := json.Marshal(subject)
	if err != nil {
		return nil, fmt.Errorf("rekeyd: internal error: encoding subject: %v", err)
	}
	s := &store.Subscriber{SubjectDER: der, SubjectJSON: js, CreatedAt: op.now().UTC(),
		Contact: op.Config.Operator.Office.RU}
	if err := op.Store.CreateSubscriber(ctx, s); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return op.Store.SubscriberBySubject(ctx, der)
		}
		return nil, fmt.Errorf("rekeyd: recording the subscriber: %w", err)
	}
	details, _ := json.Marshal(map[string]any{"subscriber_id": s.ID, "subject": subject.String()})
	if err := op.audit(ctx, op.Store, actorOr(actor), AuditEnrolled,
		"subscriber:"+itoa(s.ID), details); err != nil {
		return nil, err
	}
	return s, nil
}

func actorOr(a string) string {
	if a == "" {
		return "office"
	}
	return a
}

// ErrKeyCertified is returned when a key to certify was certified before.
var ErrKeyCertified = errors.New("rekeyd: this key was certified before: a new certificate " +
	"needs a new key")

// issueTo certifies pub for the registered subscriber s.
func (op *Operator) issueTo(ctx context.Context, s *store.Subscriber, pub crypto.PublicKey,
	e *Enrollment, hash []byte) (*operator.Issued, error) {
	iss, err := op.ca.Issue(ctx, &operator.IssueRequest{SubscriberID: s.ID,
		RawSubject: s.SubjectDER, PublicKey: pub, NotAfter: e.NotAfter, RequestHash: hash,
		Actor: actorOr(e.Actor), Claim: e.claim})
	var ce *store.ConflictError
	if errors.As(err, &ce) && ce.Key == store.KeyCertificateSPKI {
		return nil, ErrKeyCertified
	}
	if err != nil {
		return nil, err
	}
	op.metrics.issued.Inc()
	op.markCRLStale()
	return iss, nil
}

// EnrollCSR certifies the key of a PKCS#10 request (DER) for the
// subscriber of e.Subject, registering the subscriber. The request's
// signature is its proof of possession; its subject is ignored: the
// certificate carries e.Subject.
func (op *Operator) EnrollCSR(ctx context.Context, csrDER []byte, e *Enrollment) (
	*Enrolled, error) {
	if err := op.requireCA(); err != nil {
		return nil, err
	}
	csr, err := pki.ParseCertificateRequest(csrDER)
	if err != nil {
		return nil, fmt.Errorf("rekeyd: certificate request: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("rekeyd: the certificate request's signature does not "+
			"verify: %w", err)
	}
	s, err := op.Register(ctx, e.Subject, e.Actor)
	if err != nil {
		return nil, err
	}
	iss, err := op.issueTo(ctx, s, csr.PublicKey, e, sum(csrDER))
	if err != nil {
		return nil, err
	}
	return &Enrolled{Subscriber: s, Certificate: iss.Certificate}, nil
}

// MediaOptions are the key container of EnrollMedia.
type MediaOptions struct {
	// Root is the media root (a directory) the container is made in.
	Root string
	// Password encrypts the subscriber's key; required.
	Password []byte
	// Profile of the subscriber's key; the CA's profile when nil.
	Profile *pki.Profile
	// Encryption tunes the key's encryption (tests use few iterations).
	Encryption *pki.KeyEncryptionOptions
}

// EnrollMedia generates the subscriber's key in a new container on the
// media (package media's format: key, certificate, CA certificate,
// operator URL, and the office contact of the config's operator.office),
// certifies it for e.Subject and installs the certificate.
func (op *Operator) EnrollMedia(ctx context.Context, m *MediaOptions, e *Enrollment) (
	*Enrolled, error) {
	if err := op.requireCA(); err != nil {
		return nil, err
	}
	if len(m.Password) == 0 {
		return nil, media.ErrPasswordRequired
	}
	// The office contact travels with the key, so that the subscriber's
	// client can say whom to contact (S7). Checked before anything is
	// registered or generated.
	office := &media.Office{RU: op.Config.Operator.Office.RU, EN: op.Config.Operator.Office.EN}
	if _, err := office.Marshal(); err != nil {
		return nil, fmt.Errorf("rekeyd: operator.office in the config cannot go on the "+
			"media: %w", err)
	}
	s, err := op.Register(ctx, e.Subject, e.Actor)
	if err != nil {
		return nil, err
	}
	prof := m.Profile
	if prof == nil {
		prof = op.ca.Profile()
	}
	c, key, warn, err := media.Create(m.Root, &media.CreateOptions{Profile: prof,
		Password: m.Password, CA: op.CACert.Raw, OperatorURL: op.Config.URL, Office: office,
		Rand: op.rand, Encryption: m.Encryption, Now: op.now})
	if err != nil {
		return nil, err
	}
	iss, err := op.issueTo(ctx, s, key.Public(), e, nil)
	if err != nil {
		return nil, err
	}
	if err := c.InstallCertificate(iss.DER); err != nil {
		return nil, fmt.Errorf("rekeyd: installing the certificate in %s: %w", c.Dir, err)
	}
	return &Enrolled{Subscriber: s, Certificate: iss.Certificate, Container: c,
		Warning: warn}, nil
}

// Kinds of mailbox messages that hold the one-time secrets of ir.
const (
	kindSecret       = "enroll-secret"
	kindSecretIssued = "enroll-issued"
)

// DefaultSecretLifetime is how long a one-time secret may be used.
const DefaultSecretLifetime = 7 * 24 * time.Hour

// Secret is a one-time secret for a first enrollment by ir (RFC 9483
// §4.1.1): the subscriber's client sends Reference as senderKID and
// protects the ir with a MAC keyed with Value.
type Secret struct {
	Reference string
	Value     string
	Expires   time.Time
}

type secretBody struct {
	Secret  string    `json:"secret"`
	Expires time.Time `json:"expires"`
}

// IssueSecret registers the subscriber of subject and gives them a
// one-time secret for one ir. The secret waits in the subscriber's
// mailbox until used, encrypted with the directory's SecretsKeyFile
// (AES-256-GCM, bound to its reference), which a directory made before
// that file existed gets here.
func (op *Operator) IssueSecret(ctx context.Context, subject *pki.Subject, actor string) (
	*Secret, error) {
	s, err := op.Register(ctx, subject, actor)
	if err != nil {
		return nil, err
	}
	random := op.rand
	if random == nil {
		random = rand.Reader
	}
	b := make([]byte, 24)
	if _, err := io.ReadFull(random, b); err != nil {
		return nil, fmt.Errorf("rekeyd: reading random: %w", err)
	}
	sec := &Secret{Reference: itoa(s.ID) + "-" + hex.EncodeToString(b[:8]),
		Value: hex.EncodeToString(b[8:]), Expires: op.now().UTC().Add(DefaultSecretLifetime)}
	aead, err := op.secretsAEAD(true)
	if err != nil {
		return nil, err
	}
	plain, _ := json.Marshal(secretBody{Secret: sec.Value, Expires: sec.Expires})
	body, err := sealSecret(aead, random, []byte(sec.Reference), plain)
	if err != nil {
		return nil, err
	}
	if err := op.Store.PutMessage(ctx, &store.Message{SubscriberID: s.ID,
		TransactionID: []byte(sec.Reference), Kind: kindSecret, Body: body,
		CreatedAt: op.now().UTC()}); err != nil {
		return nil, fmt.Errorf("rekeyd: storing the secret: %w", err)
	}
	details, _ := json.Marshal(map[string]any{"reference": sec.Reference,
		"expires": sec.Expires})
	if err := op.audit(ctx, op.Store, actorOr(actor), AuditSecretIssued,
		"subscriber:"+itoa(s.ID), details); err != nil {
		return nil, err
	}
	return sec, nil
}

// secretUnknown is the refusal of a reference that is unknown, used or
// expired.
func secretUnknown() *cmp.Refusal {
	return cmp.Refuse(cmp.FailNotAuthorized,
		"Одноразовый пароль неизвестен, уже использован или просрочен: получите новый в офисе.",
		"The one-time secret is unknown, used or expired: get a new one in the office.")
}

// secretMessages returns the subscriber of a reference and the mailbox
// messages about it.
func (op *Operator) secretMessages(ctx context.Context, reference []byte) (
	int64, []store.Message, error) {
	idText, _, ok := strings.Cut(string(reference), "-")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id <= 0 {
		return 0, nil, nil
	}
	msgs, err := op.Store.Messages(ctx, id, reference)
	if err != nil {
		return 0, nil, fmt.Errorf("rekeyd: looking up the secret: %w", err)
	}
	return id, msgs, nil
}

// Secret returns the one-time secret of reference (cmp.SecretSource).
func (a *Authority) Secret(ctx context.Context, reference []byte) ([]byte, error) {
	_, msgs, err := a.op.secretMessages(ctx, reference)
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		if m.Kind != kindSecret {
			continue
		}
		plain := m.Body // stored before the secrets key existed
		if isSealed(m.Body) {
			aead, err := a.op.secretsAEAD(false)
			if err != nil {
				return nil, err
			}
			if plain, err = openSecret(aead, reference, m.Body); err != nil {
				return nil, err
			}
		}
		var b secretBody
		if json.Unmarshal(plain, &b) != nil || !a.op.now().Before(b.Expires) {
			break
		}
		return []byte(b.Secret), nil
	}
	return nil, secretUnknown()
}

// Enroll issues the certificate of an ir protected by a one-time secret,
// with the subject registered when the secret was issued. A secret gives
// one certificate, ever: the issuance claims the secret's use
// (store.Tx.ClaimOnce) in the transaction that reserves the serial, so
// that of two irs with one secret, sent to one replica or to two at the
// same moment, one is signed and the other refused as a used secret. A
// resent ir (the same transactionID) gets its answer from the
// transaction's row; a new ir with the same secret and key gets the
// certificate again (enrolledBefore). A crash after the claim and before
// the certificate is recorded leaves the secret used and no certificate:
// the office issues a new secret, and no secret ever yields two
// certificates.
func (a *Authority) Enroll(ctx context.Context, req *cmp.EnrollRequest) (*cmp.Decision, error) {
	op := a.op
	id, msgs, err := op.secretMessages(ctx, req.Reference)
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		if m.Kind == kindSecretIssued {
			return a.enrolledBefore(ctx, id, m.Body, req.PublicKey)
		}
	}
	s, err := op.Store.Subscriber(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("rekeyd: the secret's subscriber: %w", err)
	}
	if req.Template.Subject != nil && req.Subject != nil && !req.Subject.Equal(&pki.Subject{}) {
		registered, err := pki.ParseSubject(s.SubjectDER)
		if err != nil {
			return nil, fmt.Errorf("rekeyd: stored subject: %w", err)
		}
		if !req.Subject.Equal(registered) {
			return a.refuseEnroll(ctx, id, cmp.Refuse(cmp.FailBadCertTemplate,
				"Данные владельца в запросе отличаются от записанных в офисе.",
				"The holder's details in the request differ from those recorded in the office."),
				"subject differs")
		}
	}
	if err := op.audit(ctx, op.Store, "subscriber:"+itoa(id), AuditEnrollmentAccepted,
		"subscriber:"+itoa(id), nil); err != nil {
		return nil, err
	}
	claim := append([]byte("ir-secret:"), req.Reference...)
	iss, err := op.issueTo(ctx, s, req.PublicKey, &Enrollment{Actor: "ir",
		claim: func(ctx context.Context, tx store.Tx, serial []byte) error {
			if err := tx.ClaimOnce(ctx, claim, op.now().UTC()); err != nil {
				return err
			}
			return tx.PutMessage(ctx, &store.Message{SubscriberID: id,
				TransactionID: req.Reference, Kind: kindSecretIssued, Body: serial,
				CreatedAt: op.now().UTC()})
		}}, sum(req.MessageDER))
	var ce *store.ConflictError
	if errors.As(err, &ce) && ce.Key == store.KeyClaim {
		return a.refuseEnroll(ctx, id, secretUnknown(), "secret used")
	}
	if err != nil {
		if errors.Is(err, ErrKeyCertified) {
			return a.refuseEnroll(ctx, id, cmp.Refuse(cmp.FailBadCertTemplate,
				"Этот ключ уже был сертифицирован ранее: сформируйте новый ключ.",
				"This key was certified before: generate a new key."), "key reused")
		}
		return nil, err
	}
	return cmp.IssuedDecision(iss.DER, op.CACert.Raw), nil
}

// enrolledBefore answers an ir whose secret was used for the certificate
// serial. When that certificate is recorded, valid and of pub, the ir is
// the enrollment it was made for, sent again with a new transactionID (the
// answer was lost, or the server stopped before it recorded it): it gets
// that certificate again, and nothing is signed. Any other key, or no
// certificate (the server stopped while signing), is a used secret.
func (a *Authority) enrolledBefore(ctx context.Context, id int64, serial []byte,
	pub crypto.PublicKey) (*cmp.Decision, error) {
	op := a.op
	rec, err := op.Store.Certificate(ctx, serial)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return a.refuseEnroll(ctx, id, secretUnknown(), "secret used")
	case err != nil:
		return nil, fmt.Errorf("rekeyd: the certificate of the used secret: %w", err)
	}
	cert, err := pki.ParseCertificate(rec.DER)
	if err != nil {
		return nil, fmt.Errorf("rekeyd: the certificate of the used secret: %w", err)
	}
	same, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	if rec.Status != store.StatusValid || !ok || !same.Equal(pub) {
		return a.refuseEnroll(ctx, id, secretUnknown(), "secret used")
	}
	details, _ := json.Marshal(map[string]string{"serial": hex.EncodeToString(serial)})
	if err := op.audit(ctx, op.Store, "ir", operator.AuditIssuedAgain,
		"subscriber:"+itoa(id), details); err != nil {
		return nil, err
	}
	return cmp.IssuedDecision(rec.DER, op.CACert.Raw), nil
}

func (a *Authority) refuseEnroll(ctx context.Context, id int64, r *cmp.Refusal,
	why string) (*cmp.Decision, error) {
	details, _ := json.Marshal(map[string]string{"reason": why,
		"failure": r.Failure.String()})
	if err := a.op.audit(ctx, a.op.Store, "policy", AuditEnrollmentRefused,
		"subscriber:"+itoa(id), details); err != nil {
		return nil, err
	}
	a.op.metrics.refused(why, r.Failure)
	return cmp.RefusedDecision(r), nil
}

// retireSecret acknowledges the one-time secret of an ir transaction
// once its certificate is confirmed (accepted or not).
func (op *Operator) retireSecret(ctx context.Context, txID []byte) error {
	tx, err := NewTransactionStore(op.Store, op.now).Get(ctx, txID)
	switch {
	case errors.Is(err, cmp.ErrTransactionNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("rekeyd: retiring the secret: %w", err)
	case !tx.MAC || len(tx.Reference) == 0:
		return nil
	}
	id, msgs, err := op.secretMessages(ctx, tx.Reference)
	if err != nil {
		return err
	}
	retired := false
	for _, m := range msgs {
		if !bytes.Equal(m.TransactionID, tx.Reference) {
			continue
		}
		// The secret, and its used-for marker, which the sweep of
		// undelivered certificates then no longer finds.
		if m.Kind != kindSecret && m.Kind != kindSecretIssued {
			continue
		}
		if err := op.Store.AckMessage(ctx, id, m.ID, op.now().UTC()); err != nil &&
			!errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("rekeyd: retiring the secret: %w", err)
		}
		retired = retired || m.Kind == kindSecret
	}
	if !retired {
		return nil
	}
	return op.audit(ctx, op.Store, "subscriber:"+itoa(id), AuditSecretUsed,
		"subscriber:"+itoa(id), nil)
}
