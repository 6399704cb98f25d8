package subscriber

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"rekey/cmp"
	"rekey/pki"
)

// CMP is the Exchanger over package cmp's Client, speaking to the
// operator over HTTP (RFC 9811) or any cmp.Transport.
//
// cmp.Client.UpdateKey builds and sends a kur in one call, while Renew
// must queue a request signed with the current key that Sync sends later.
// CMP bridges the two: KeyUpdate runs UpdateKey against a transport that
// keeps the request instead of sending it, which checks that the current
// key signs and records the new key's proof of possession (a signature
// over the certificate request, which holds no time or nonce); Send runs
// UpdateKey again with the recorded proof and the current key, so the
// new key's password is not needed at sync time.
//
// KeyUpdate also fixes the kur's transactionID, and every Send of the
// queued request uses it: when an answer is lost on the way, the next
// sync sends the request again under the same transactionID, and the
// operator answers with that transaction's state (still waiting, or the
// certificate) instead of seeing a second request for the same key.
type CMP struct {
	// Transport returns the transport to an operator's URL; nil means
	// cmp.HTTPTransport.
	Transport func(operator string) cmp.Transport
	// Clock is the clock of the CMP messages; nil means time.Now.
	Clock func() time.Time
	// ImplicitConfirm asks the operator to skip certConf.
	ImplicitConfirm bool
}

var _ Exchanger = (*CMP)(nil)

// cmpState is what CMP keeps in the outbox item's transaction.
type cmpState struct {
	Version      int    `json:"version"`
	Current      []byte `json:"current"` // the current certificate, DER
	CA           []byte `json:"ca"`      // the CA certificate: the trust anchor
	NewKey       []byte `json:"new_key"` // SubjectPublicKeyInfo
	POPDigest    []byte `json:"pop_digest"`
	POPSignature []byte `json:"pop_signature"`
	// TransactionID is the kur's, fixed when it is queued; absent in
	// states queued before it was kept (a random one is used then).
	TransactionID []byte          `json:"transaction_id,omitempty"`
	Transaction   json.RawMessage `json:"transaction,omitempty"` // cmp.ClientTransaction
}

var errKept = errors.New("subscriber: request kept, not sent")

// keepTransport keeps the request instead of sending it.
type keepTransport struct{ request []byte }

func (t *keepTransport) Exchange(ctx context.Context, request []byte) ([]byte, error) {
	t.request = request
	return nil, errKept
}

// recordingSigner signs with the new key and records the proof of
// possession.
type recordingSigner struct {
	crypto.Signer
	digest, sig []byte
}

func (r *recordingSigner) Sign(rnd io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	sig, err := r.Signer.Sign(rnd, digest, opts)
	if err == nil {
		r.digest, r.sig = bytes.Clone(digest), bytes.Clone(sig)
	}
	return sig, err
}

// replaySigner gives the recorded proof of possession for the same
// digest, and refuses any other.
type replaySigner struct {
	pub         crypto.PublicKey
	digest, sig []byte
}

func (r *replaySigner) Public() crypto.PublicKey { return r.pub }

func (r *replaySigner) Sign(_ io.Reader, digest []byte, _ crypto.SignerOpts) ([]byte, error) {
	if !bytes.Equal(digest, r.digest) {
		return nil, errors.New("subscriber: the renewal request changed since it was queued; " +
			"renew the key again")
	}
	return bytes.Clone(r.sig), nil
}

func (x *CMP) client(operator string, ca *pki.Certificate, tr cmp.Transport) *cmp.Client {
	if tr == nil {
		if x.Transport != nil {
			tr = x.Transport(operator)
		} else {
			tr = &cmp.HTTPTransport{URL: operator}
		}
	}
	return &cmp.Client{Transport: tr, Roots: []*pki.Certificate{ca}, Clock: x.Clock,
		ImplicitConfirm: x.ImplicitConfirm}
}

// KeyUpdate builds and signs the kur without sending it.
func (x *CMP) KeyUpdate(ctx context.Context, req *KeyUpdateRequest) ([]byte, error) {
	spki, err := pki.MarshalPKIXPublicKey(req.NewKey.Public())
	if err != nil {
		return nil, err
	}
	keep := &keepTransport{}
	rec := &recordingSigner{Signer: req.NewKey}
	_, err = x.client(req.Operator, req.CA, keep).UpdateKey(ctx, &cmp.KeyUpdateOptions{
		Current: req.Current, CurrentKey: req.Signer, NewKey: rec})
	if !errors.Is(err, errKept) {
		if err == nil {
			err = errors.New("the request was sent")
		}
		return nil, err
	}
	if keep.request == nil || rec.sig == nil {
		return nil, errors.New("subscriber: the renewal request was not built")
	}
	txID := make([]byte, 16)
	if _, err := rand.Read(txID); err != nil {
		return nil, fmt.Errorf("subscriber: %w", err)
	}
	return json.Marshal(&cmpState{Version: 1, Current: req.Current.Raw, CA: req.CA.Raw,
		NewKey: spki, POPDigest: rec.digest, POPSignature: rec.sig, TransactionID: txID})
}

func parseCMPState(data []byte) (*cmpState, *pki.Certificate, *pki.Certificate, error) {
	var st cmpState
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil || st.Version != 1 {
		return nil, nil, nil, fmt.Errorf("subscriber: the stored CMP state cannot be read: %v", err)
	}
	cur, err := pki.ParseCertificate(st.Current)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("subscriber: the stored CMP state: %v", err)
	}
	ca, err := pki.ParseCertificate(st.CA)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("subscriber: the stored CMP state: %v", err)
	}
	return &st, cur, ca, nil
}

// Send sends the queued kur: built again, protected with the current key
// now, with the proof of possession recorded by KeyUpdate.
func (x *CMP) Send(ctx context.Context, operator string, state []byte,
	signer crypto.Signer) (*Reply, error) {
	st, cur, ca, err := parseCMPState(state)
	if err != nil {
		return nil, err
	}
	if st.Transaction != nil {
		return x.Poll(ctx, operator, state, signer)
	}
	pub, err := pki.ParsePKIXPublicKey(st.NewKey)
	if err != nil {
		return nil, fmt.Errorf("subscriber: the stored CMP state: %v", err)
	}
	res, err := x.client(operator, ca, nil).UpdateKey(ctx, &cmp.KeyUpdateOptions{
		Current: cur, CurrentKey: signer,
		NewKey:        &replaySigner{pub: pub, digest: st.POPDigest, sig: st.POPSignature},
		TransactionID: st.TransactionID})
	return x.reply(st, res, err)
}

// Poll asks for the certificate of a waiting kur (pollReq).
func (x *CMP) Poll(ctx context.Context, operator string, state []byte,
	signer crypto.Signer) (*Reply, error) {
	st, cur, ca, err := parseCMPState(state)
	if err != nil {
		return nil, err
	}
	tx, err := cmp.ParseClientTransaction(st.Transaction)
	if err != nil {
		return nil, err
	}
	res, err := x.client(operator, ca, nil).Poll(ctx, tx, cmp.SignatureCredentials(cur, signer))
	if errors.Is(err, cmp.ErrTooEarly) {
		res, err = &cmp.Result{State: tx}, nil
	}
	return x.reply(st, res, err)
}

// Confirm sends certConf for the certificate received.
func (x *CMP) Confirm(ctx context.Context, operator string, state []byte,
	signer crypto.Signer) ([]byte, error) {
	st, cur, ca, err := parseCMPState(state)
	if err != nil {
		return nil, err
	}
	tx, err := cmp.ParseClientTransaction(st.Transaction)
	if err != nil {
		return nil, err
	}
	err = x.client(operator, ca, nil).Confirm(ctx, tx, cmp.SignatureCredentials(cur, signer), true)
	if err != nil {
		return nil, err
	}
	return x.store(st, tx)
}

func (x *CMP) store(st *cmpState, tx *cmp.ClientTransaction) ([]byte, error) {
	raw, err := tx.Marshal()
	if err != nil {
		return nil, err
	}
	st.Transaction = raw
	return json.Marshal(st)
}

// reply turns UpdateKey's or Poll's outcome into a Reply: a refusal by
// the operator is a Reply; anything else that failed is an error (the
// item stays queued).
func (x *CMP) reply(st *cmpState, res *cmp.Result, err error) (*Reply, error) {
	var se *cmp.ServerError
	switch {
	case errors.As(err, &se) && !errors.Is(err, cmp.ErrRetryLater):
		return &Reply{Status: Refused, Failure: se.Failure().String(),
			RU: se.Text(cmp.LangRU), EN: se.Text(cmp.LangEN)}, nil
	case err != nil:
		return nil, err
	}
	state, err := x.store(st, res.State)
	if err != nil {
		return nil, err
	}
	if res.Certificate != nil {
		return &Reply{Status: Issued, State: state, Certificate: res.Certificate.Raw}, nil
	}
	now := time.Now()
	if x.Clock != nil {
		now = x.Clock()
	}
	return &Reply{Status: Waiting, State: state, CheckAfter: max(res.State.CheckAfter.Sub(now), 0),
		RU: cmp.FreeTextIn(res.State.WaitReason, cmp.LangRU),
		EN: cmp.FreeTextIn(res.State.WaitReason, cmp.LangEN)}, nil
}
