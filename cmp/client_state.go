package cmp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"rekey/pki"
)

// ClientState says where a client transaction stands.
type ClientState string

const (
	// ClientWaiting: the CA answered waiting; Poll after CheckAfter.
	ClientWaiting ClientState = "waiting"
	// ClientIssued: the certificate came; Confirm before ConfirmBy.
	ClientIssued ClientState = "issued"
	// ClientDone: confirmed (or implicitly confirmed); nothing to send.
	ClientDone ClientState = "done"
)

// clientStateVersion is the Version of the JSON form written now.
const clientStateVersion = 1

// ClientTransaction is the client's state of an issuing transaction (ir or
// kur), small and serialisable: what Poll and Confirm need to continue
// after a restart of the client process. It holds no secret and no
// private key: the caller passes the Credentials again, and NewKeyRef
// names the new key for the caller (a container path, a token label).
//
// Its JSON form (Marshal, ParseClientTransaction) is stable: fields are
// added, never renamed; byte strings are Base64.
type ClientTransaction struct {
	Version       int         `json:"version"`
	Kind          string      `json:"kind"` // "ir" or "kur"
	State         ClientState `json:"state"`
	TransactionID []byte      `json:"transaction_id"`
	// RecipNonce is the CA's last senderNonce, the recipNonce of the next
	// request.
	RecipNonce []byte `json:"recip_nonce"`
	CertReqID  int64  `json:"cert_req_id"`
	// RequestHash is the SHA-256 of the DER request that opened the
	// transaction, to match it with the outbox and the CA's audit.
	RequestHash []byte `json:"request_hash"`
	PublicKey   []byte `json:"public_key"` // DER SubjectPublicKeyInfo requested
	Subject     []byte `json:"subject"`    // DER Name requested
	NewKeyRef   string `json:"new_key_ref,omitempty"`
	// MAC says the transaction is protected by the one-time secret
	// (ir); SenderKID is its reference or the signing key's identifier.
	MAC       bool   `json:"mac"`
	SenderKID []byte `json:"sender_kid,omitempty"`
	Sender    []byte `json:"sender,omitempty"` // DER GeneralName

	// CheckAfter is the earliest time of the next Poll (waiting).
	CheckAfter time.Time `json:"check_after,omitzero"`
	// WaitReason is the CA's explanation of waiting, as sent.
	WaitReason []string `json:"wait_reason,omitempty"`

	Certificate []byte    `json:"certificate,omitempty"` // DER, once issued
	CAPubs      [][]byte  `json:"ca_pubs,omitempty"`
	Implicit    bool      `json:"implicit_confirm,omitempty"`
	ConfirmBy   time.Time `json:"confirm_by,omitzero"`

	// cert is Certificate parsed, when this process checked it: Confirm
	// takes it instead of parsing Certificate again if the two agree.
	cert *pki.Certificate
}

// certificate returns Certificate parsed.
func (t *ClientTransaction) certificate() (*pki.Certificate, error) {
	if t.cert != nil && bytes.Equal(t.cert.Raw, t.Certificate) {
		return t.cert, nil
	}
	return pki.ParseCertificate(t.Certificate)
}

// Marshal returns the JSON form of t.
func (t *ClientTransaction) Marshal() ([]byte, error) {
	return json.Marshal(t)
}

// ParseClientTransaction reads the JSON form of a ClientTransaction.
func ParseClientTransaction(data []byte) (*ClientTransaction, error) {
	var t ClientTransaction
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("cmp: reading the transaction state: %w", err)
	}
	if t.Version < 1 || t.Version > clientStateVersion {
		return nil, fmt.Errorf("cmp: transaction state version %d not supported", t.Version)
	}
	switch {
	case t.Kind != "ir" && t.Kind != "kur":
		return nil, fmt.Errorf("cmp: transaction state of kind %q", t.Kind)
	case t.State != ClientWaiting && t.State != ClientIssued && t.State != ClientDone:
		return nil, fmt.Errorf("cmp: transaction state %q", t.State)
	case len(t.TransactionID) < minIDSize || len(t.PublicKey) == 0:
		return nil, errors.New("cmp: incomplete transaction state")
	}
	return &t, nil
}

func (t *ClientTransaction) sender() GeneralName { return GeneralName{Raw: t.Sender} }
