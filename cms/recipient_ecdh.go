package cms

import (
	"crypto/aes"
	"crypto/ecdh"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// The ECDH key agreement of RFC 5753 §3.1 (as RFC 8418 and OpenSSL use
// it): an ephemeral-static ECDH, the ANSI X9.63 KDF over the shared
// secret and ECC-CMS-SharedInfo, and AES key wrap (RFC 3394).

// ecdhSchemes are the dhSinglePass-stdDH-*kdf-scheme OIDs (RFC 5753
// §7.1.4) with their KDF hash. rekey writes SHA-256; OpenSSL's default
// is SHA-1, so reading takes them all.
var ecdhSchemes = []struct {
	oid     asn1.ObjectIdentifier
	newHash func() hash.Hash
}{
	{asn1.ObjectIdentifier{1, 3, 133, 16, 840, 63, 0, 2}, sha1.New},
	{asn1.ObjectIdentifier{1, 3, 132, 1, 11, 0}, sha256.New224},
	{oidECDHStdSHA256KDF, sha256.New},
	{asn1.ObjectIdentifier{1, 3, 132, 1, 11, 2}, sha512.New384},
	{asn1.ObjectIdentifier{1, 3, 132, 1, 11, 3}, sha512.New},
}

// aesWraps are the AES key wrap OIDs (RFC 3565 §2.3.2) with their KEK size.
var aesWraps = []struct {
	oid  asn1.ObjectIdentifier
	size int
}{
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 5}, 16},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 25}, 24},
	{oidAES256Wrap, 32},
}

func isECDHScheme(oid asn1.ObjectIdentifier) bool {
	for _, s := range ecdhSchemes {
		if s.oid.Equal(oid) {
			return true
		}
	}
	return false
}

// ecdhKEK derives the key-encryption key: the X9.63 KDF (SEC 1 §3.6.1)
// with the scheme's hash over Z and ECC-CMS-SharedInfo (RFC 5753 §7.2)
// { keyInfo = the wrap algorithm without parameters, entityUInfo = ukm
// when present, suppPubInfo = the KEK size in bits, 32-bit big-endian }.
func ecdhKEK(
	newHash func() hash.Hash,
	z, ukm []byte,
	wrapOID asn1.ObjectIdentifier,
	size int,
) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addAlgorithm(b, wrapOID, nil)
		if ukm != nil {
			b.AddASN1(ctx0, func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(ukm)
			})
		}
		b.AddASN1(ctx2, func(b *cryptobyte.Builder) {
			b.AddASN1OctetString(binary.BigEndian.AppendUint32(nil, uint32(size*8)))
		})
	})
	info := b.BytesOrPanic()
	var out []byte
	for counter := uint32(1); len(out) < size; counter++ {
		h := newHash()
		h.Write(z)
		h.Write(binary.BigEndian.AppendUint32(nil, counter))
		h.Write(info)
		out = h.Sum(out)
	}
	return out[:size]
}

// ecdhRecipient makes the KeyAgreeRecipientInfo for an ECDH recipient:
// a fresh P-256 key as originatorKey, dhSinglePass-stdDH-sha256kdf-scheme,
// id-aes256-wrap.
func ecdhRecipient(
	random io.Reader,
	pub *ecdh.PublicKey,
	rid func(*cryptobyte.Builder),
	cek []byte,
) ([]byte, error) {
	eph, err := pub.Curve().GenerateKey(random)
	if err != nil {
		return nil, fmt.Errorf("cms: generating the ephemeral ECDH key: %w", err)
	}
	z, err := eph.ECDH(pub)
	if err != nil {
		return nil, fmt.Errorf("cms: ECDH: %w", err)
	}
	kek := ecdhKEK(sha256.New, z, nil, oidAES256Wrap, 32)
	wrapped, err := aesWrap(kek, cek)
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(ctx1, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(3)
		b.AddASN1(ctx0, func(b *cryptobyte.Builder) {
			// originatorKey [1] IMPLICIT OriginatorPublicKey; the
			// algorithm's parameters are absent (RFC 5753 §3.1.1).
			b.AddASN1(ctx1, func(b *cryptobyte.Builder) {
				addAlgorithm(b, oidPublicKeyECDSA, nil)
				b.AddASN1BitString(eph.PublicKey().Bytes())
			})
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidECDHStdSHA256KDF)
			addAlgorithm(b, oidAES256Wrap, nil)
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				rid(b)
				b.AddASN1OctetString(wrapped)
			})
		})
	})
	return b.Bytes()
}

// openECDH unwraps the CEK of a KeyAgreeRecipientInfo with an ECDH key.
func openECDH(d Decrypter, ri *RecipientInfo, encryptedKey []byte) ([]byte, error) {
	var newHash func() hash.Hash
	for _, s := range ecdhSchemes {
		if s.oid.Equal(ri.KeyEncryptionAlgorithm) {
			newHash = s.newHash
		}
	}
	var wrap algorithmIdentifier
	p := cryptobyte.String(ri.keyEncryptionParams)
	if newHash == nil || !readAlgorithm(&p, &wrap) || !p.Empty() {
		return nil, fmt.Errorf("%w: key agreement %s",
			ErrUnsupportedAlgorithm, ri.KeyEncryptionAlgorithm)
	}
	size := 0
	for _, w := range aesWraps {
		if w.oid.Equal(wrap.OID) {
			size = w.size
		}
	}
	if size == 0 {
		return nil, fmt.Errorf("%w: key wrap %s", ErrUnsupportedAlgorithm, wrap.OID)
	}
	peer, err := parseECDHOriginator(ri.originator)
	if err != nil {
		return nil, err
	}
	z, err := d.Agree(peer, nil, 0)
	if err != nil {
		return nil, fmt.Errorf("cms: ECDH: %w", err)
	}
	kek := ecdhKEK(newHash, z, ri.ukm, wrap.OID, size)
	cek, err := aesUnwrap(kek, encryptedKey)
	if err != nil {
		return nil, err
	}
	return cek, nil
}

// parseECDHOriginator reads an OriginatorPublicKey of id-ecPublicKey on
// P-256 (the curve may also be named in the parameters).
func parseECDHOriginator(spki []byte) (*ecdh.PublicKey, error) {
	s := cryptobyte.String(spki)
	var seq cryptobyte.String
	var alg algorithmIdentifier
	var bits asn1.BitString
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !readAlgorithm(&seq, &alg) ||
		!seq.ReadASN1BitString(&bits) || !seq.Empty() || bits.BitLength%8 != 0 {
		return nil, errors.New("cms: malformed ECDH originator key")
	}
	if !alg.OID.Equal(oidPublicKeyECDSA) {
		return nil, fmt.Errorf("%w: originator key %s", ErrUnsupportedAlgorithm, alg.OID)
	}
	pub, err := ecdh.P256().NewPublicKey(bits.Bytes)
	if err != nil {
		return nil, fmt.Errorf("cms: ECDH originator key: %w", err)
	}
	return pub, nil
}

var aesWrapIV = []byte{0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6}

// aesWrap is the AES key wrap of RFC 3394 §2.2.1 with the default IV.
func aesWrap(kek, key []byte) ([]byte, error) {
	if len(key)%8 != 0 || len(key) < 16 {
		return nil, errors.New("cms: internal error: key to wrap is not a multiple of 8 bytes")
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	n := len(key) / 8
	out := make([]byte, 8+len(key))
	copy(out, aesWrapIV)
	copy(out[8:], key)
	var buf [16]byte
	for j := range 6 {
		for i := 1; i <= n; i++ {
			copy(buf[:8], out[:8])
			copy(buf[8:], out[8*i:8*i+8])
			block.Encrypt(buf[:], buf[:])
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(out[:8], binary.BigEndian.Uint64(buf[:8])^t)
			copy(out[8*i:], buf[8:])
		}
	}
	return out, nil
}

// aesUnwrap undoes aesWrap (RFC 3394 §2.2.2), checking the IV in
// constant time; any failure is ErrKeyUnwrap.
func aesUnwrap(kek, wrapped []byte) ([]byte, error) {
	if len(wrapped)%8 != 0 || len(wrapped) < 24 {
		return nil, fmt.Errorf("%w: AES-wrapped key of %d bytes", ErrKeyUnwrap, len(wrapped))
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	n := len(wrapped)/8 - 1
	r := append([]byte(nil), wrapped...)
	var buf [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(buf[:8], binary.BigEndian.Uint64(r[:8])^t)
			copy(buf[8:], r[8*i:8*i+8])
			block.Decrypt(buf[:], buf[:])
			copy(r[:8], buf[:8])
			copy(r[8*i:], buf[8:])
		}
	}
	if subtle.ConstantTimeCompare(r[:8], aesWrapIV) != 1 {
		return nil, fmt.Errorf("%w: AES key wrap integrity check failed", ErrKeyUnwrap)
	}
	return r[8:], nil
}
