package rekeyd

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"rekey/cmp"
)

// The CMP layer's state of a transaction (cmp.Transaction) is kept in the
// store as an opaque value. It is written in a compact binary form,
// txStateV1: the transaction holds up to three certificates (the signer,
// the certificate sent, the CA's), which JSON would write in base64, and
// a renewal encodes its transaction three times and decodes it twice.
// Rows written as JSON by earlier versions are still read.
const txStateV1 = 0x01

// maxTxCerts bounds the CAPubs read back from a row.
const maxTxCerts = 64

// encodeTxState returns the stored form of tx (its Version lives in the
// row, not here).
func encodeTxState(tx *cmp.Transaction) ([]byte, error) {
	if len(tx.CAPubs) > maxTxCerts {
		return nil, fmt.Errorf("rekeyd: internal error: a transaction with %d CA certificates "+
			"(at most %d are kept)", len(tx.CAPubs), maxTxCerts)
	}
	n := 128 + len(tx.ID) + len(tx.LastNonce) + len(tx.Reference) + len(tx.Signer) +
		len(tx.PublicKey) + len(tx.Certificate)
	for _, c := range tx.CAPubs {
		n += len(c) + 4
	}
	b := cryptobyte.NewBuilder(make([]byte, 0, n))
	b.AddUint8(txStateV1)
	addBytes := func(v []byte) {
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(v) })
	}
	addInt := func(v int64) { b.AddUint64(uint64(v)) }
	addTime := func(t time.Time) {
		if t.IsZero() {
			b.AddUint8(0)
			return
		}
		b.AddUint8(1)
		addInt(t.UnixNano())
	}
	addBool := func(v bool) {
		if v {
			b.AddUint8(1)
		} else {
			b.AddUint8(0)
		}
	}
	addBytes(tx.ID)
	addInt(int64(tx.Kind))
	addInt(int64(tx.State))
	addBytes(tx.LastNonce)
	addBool(tx.MAC)
	addInt(int64(tx.MACAlg))
	addBytes(tx.Reference)
	addBytes(tx.Signer)
	addInt(tx.CertReqID)
	addBool(tx.Implicit)
	addBytes(tx.PublicKey)
	addBytes(tx.Certificate)
	b.AddUint16(uint16(len(tx.CAPubs)))
	for _, c := range tx.CAPubs {
		addBytes(c)
	}
	addTime(tx.ConfirmBy)
	addTime(tx.Created)
	addTime(tx.Updated)
	addTime(tx.Expires)
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("rekeyd: internal error: encoding transaction: %v", err)
	}
	return out, nil
}

// errTxState is the error of a stored state that does not decode.
var errTxState = errors.New("rekeyd: transaction state: malformed")

// decodeTxState reads a state written by encodeTxState or, from rows
// written before it, as JSON.
func decodeTxState(v []byte) (*cmp.Transaction, error) {
	var tx cmp.Transaction
	if len(v) > 0 && v[0] == '{' {
		if err := json.Unmarshal(v, &tx); err != nil {
			return nil, fmt.Errorf("rekeyd: transaction state: %v", err)
		}
		return &tx, nil
	}
	s := cryptobyte.String(v)
	var version uint8
	if !s.ReadUint8(&version) || version != txStateV1 {
		return nil, fmt.Errorf("rekeyd: transaction state: unknown format %#x: a newer "+
			"rekeyd wrote it; run that version on this database", version)
	}
	ok := true
	readBytes := func(dst *[]byte) {
		var f cryptobyte.String
		if !ok || !s.ReadUint24LengthPrefixed(&f) {
			ok = false
			return
		}
		if len(f) > 0 {
			*dst = append([]byte(nil), f...)
		}
	}
	readInt := func() int64 {
		var u uint64
		if !ok || !s.ReadUint64(&u) {
			ok = false
		}
		return int64(u)
	}
	readFlag := func() bool {
		var u uint8
		if !ok || !s.ReadUint8(&u) || u > 1 {
			ok = false
		}
		return u == 1
	}
	readTime := func(dst *time.Time) {
		if readFlag() {
			*dst = time.Unix(0, readInt()).UTC()
		}
	}
	readBytes(&tx.ID)
	tx.Kind = cmp.BodyType(readInt())
	tx.State = cmp.TxState(readInt())
	readBytes(&tx.LastNonce)
	tx.MAC = readFlag()
	tx.MACAlg = cmp.MACAlgorithm(readInt())
	readBytes(&tx.Reference)
	readBytes(&tx.Signer)
	tx.CertReqID = readInt()
	tx.Implicit = readFlag()
	readBytes(&tx.PublicKey)
	readBytes(&tx.Certificate)
	var n uint16
	if !ok || !s.ReadUint16(&n) || n > maxTxCerts {
		return nil, errTxState
	}
	for range n {
		var c []byte
		readBytes(&c)
		tx.CAPubs = append(tx.CAPubs, c)
	}
	readTime(&tx.ConfirmBy)
	readTime(&tx.Created)
	readTime(&tx.Updated)
	readTime(&tx.Expires)
	if !ok || !s.Empty() {
		return nil, errTxState
	}
	return &tx, nil
}
