package token

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/miekg/pkcs11"

	"rekey/media"
)

// application is the CKA_APPLICATION of rekey's records on a token.
const application = "rekey"

// record is the content (CKA_VALUE) of the data object that rekey keeps
// beside each key it made on a token: the manifest of a file container
// with the CA certificate, the operator's URL and, optionally, the
// operator's office contact (the content of a container's office.json).
type record struct {
	media.Manifest
	CA       []byte        `json:"ca"`
	Operator string        `json:"operator"`
	Office   *media.Office `json:"office,omitempty"`
}

func parseRecord(data []byte) (*record, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r record
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("media: token record: %v", err)
	}
	if err := r.Manifest.Validate(); err != nil {
		return nil, err
	}
	if r.Office != nil {
		if err := r.Office.Validate(); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

func recordLabel(id string) string { return "rekey " + id }

func recordTemplate(id string) []*pkcs11.Attribute {
	return []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_DATA),
		pkcs11.NewAttribute(pkcs11.CKA_APPLICATION, application),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, recordLabel(id)),
	}
}

// writeRecord writes the record of r.ID. Tokens may refuse to change a
// data object's CKA_VALUE (SoftHSM2 does), so a new object is created
// first and the older ones destroyed after it. States only move forward
// (pending, active, archived), so when a crash leaves two records of a
// key, the one further on is the truth (see records).
func (t *Token) writeRecord(r *record) error {
	if err := r.Manifest.Validate(); err != nil {
		return err
	}
	if r.Office != nil {
		if _, err := r.Office.Marshal(); err != nil { // validates, checks the size
			return err
		}
	}
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	old, err := t.find(recordTemplate(r.ID))
	if err != nil {
		return err
	}
	tmpl := append(recordTemplate(r.ID),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false),
		pkcs11.NewAttribute(pkcs11.CKA_VALUE, data))
	if _, err := t.mod.ctx.CreateObject(t.sess, tmpl); err != nil {
		return t.fail("writing the key's record", err)
	}
	for _, h := range old {
		if err := t.mod.ctx.DestroyObject(t.sess, h); err != nil {
			return t.fail("removing the key's old record", err)
		}
	}
	return nil
}

// stateOrder ranks states in the only order they are entered.
func stateOrder(s media.State) int {
	switch s {
	case media.StateActive:
		return 1
	case media.StateArchived:
		return 2
	}
	return 0
}

// records reads every rekey record on the token.
func (t *Token) records() ([]*record, []error) {
	hs, err := t.find([]*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_DATA),
		pkcs11.NewAttribute(pkcs11.CKA_APPLICATION, application),
	})
	if err != nil {
		return nil, []error{err}
	}
	var rs []*record
	var errs []error
	for _, h := range hs {
		v, err := t.attr(h, pkcs11.CKA_VALUE)
		if err == nil {
			var r *record
			if r, err = parseRecord(v); err == nil {
				rs = addRecord(rs, r)
				continue
			}
		}
		errs = append(errs, fmt.Errorf("media: token %q: a damaged rekey record: %v",
			t.info.Label, err))
	}
	return rs, errs
}

// addRecord adds r to rs, keeping of two records of one key the one
// further on (an interrupted writeRecord leaves both).
func addRecord(rs []*record, r *record) []*record {
	for i, o := range rs {
		if o.ID == r.ID {
			if stateOrder(r.State) > stateOrder(o.State) {
				rs[i] = r
			}
			return rs
		}
	}
	return append(rs, r)
}

func (t *Token) record(id string) (*record, error) {
	rs, _ := t.records()
	for _, r := range rs {
		if r.ID == id {
			return r, nil
		}
	}
	return nil, fmt.Errorf("%w: %s on token %q", media.ErrNotFound, id, t.info.Label)
}
