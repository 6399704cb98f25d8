package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"strconv"
)

// GenesisHash is the PrevHash of the first audit record.
var GenesisHash = make([]byte, sha256.Size)

// AuditDomain begins the hashed encoding of every audit record, to keep
// audit hashes apart from every other SHA-256 use.
const AuditDomain = "rekey audit record v1\x00"

// ComputeHash returns the hash the record must carry: SHA-256 over a domain
// string, the sequence number, the time in microseconds since the Unix
// epoch, then PrevHash, Actor, Action, Object and Details, each preceded by
// its length as 4 big-endian bytes. Every field is covered, and the length
// prefixes make the encoding unambiguous.
func (r *AuditRecord) ComputeHash() []byte {
	h := sha256.New()
	var n [8]byte
	h.Write([]byte(AuditDomain))
	binary.BigEndian.PutUint64(n[:], uint64(r.Seq))
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(r.At.UnixMicro()))
	h.Write(n[:])
	for _, f := range [][]byte{
		r.PrevHash, []byte(r.Actor), []byte(r.Action), []byte(r.Object), r.Details,
	} {
		binary.BigEndian.PutUint32(n[:4], uint32(len(f)))
		h.Write(n[:4])
		h.Write(f)
	}
	return h.Sum(nil)
}

// ChainVerifier checks audit records handed to it in sequence order. The
// engines' VerifyChain feed it; it is exported for tools that verify an
// exported trail.
type ChainVerifier struct {
	seq  int64
	hash []byte
}

// Next checks the record that follows the ones checked so far.
func (v *ChainVerifier) Next(r *AuditRecord) error {
	prev := v.hash
	if prev == nil {
		prev = GenesisHash
	}
	switch {
	case r.Seq != v.seq+1:
		return &ChainError{Seq: v.seq + 1, Problem: "missing (next record found is " +
			itoa(r.Seq) + ")"}
	case !bytes.Equal(r.PrevHash, prev):
		return &ChainError{Seq: r.Seq, Problem: "previous hash does not match record " +
			itoa(v.seq)}
	case !bytes.Equal(r.Hash, r.ComputeHash()):
		return &ChainError{Seq: r.Seq, Problem: "content does not match its hash"}
	}
	v.seq, v.hash = r.Seq, r.Hash
	return nil
}

// End checks the chain against the head the store keeps beside it (the
// last sequence number and hash), which catches a truncated tail, and
// returns the number of records checked.
func (v *ChainVerifier) End(headSeq int64, headHash []byte) (int64, error) {
	if headSeq != v.seq {
		return v.seq, &ChainError{Seq: max(headSeq, v.seq), Problem: "chain ends at record " +
			itoa(v.seq) + " but its head says " + itoa(headSeq)}
	}
	last := v.hash
	if last == nil {
		last = GenesisHash
	}
	if !bytes.Equal(headHash, last) {
		return v.seq, &ChainError{Seq: v.seq, Problem: "hash does not match the chain head"}
	}
	return v.seq, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
