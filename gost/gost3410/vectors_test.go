package gost3410

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"testing"
)

// The vectors of testdata/gost3410-2012.json, copied verbatim from the
// project's shared vector set; each entry names its source.
type sigVector struct {
	ID       string `json:"id"`
	Source   string `json:"source"`
	KeyBits  int    `json:"key_bits"`
	CurveOID string `json:"curve_oid"`
	Name     string `json:"curve_name"`
	Curve    *struct {
		P, A, B, Q string
	} `json:"curve"`
	D      string            `json:"d"`
	Q      map[string]string `json:"Q"`
	Digest string            `json:"digest_hex"`
	E      string            `json:"e"`
	K      string            `json:"k"`
	R      string            `json:"r"`
	S      string            `json:"s"`
	Wire   string            `json:"signature_wire_hex"`
}

func loadSigVectors(t *testing.T) []sigVector {
	t.Helper()
	data, err := os.ReadFile("testdata/gost3410-2012.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Vectors []sigVector }
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	return f.Vectors
}

// fixed returns the big-endian hex integer s as exactly n bytes.
func fixed(t *testing.T, s string, n int) []byte {
	t.Helper()
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		t.Fatalf("bad hex %q", s)
	}
	if v.BitLen() > 8*n {
		t.Fatalf("%s does not fit in %d bytes", s, n)
	}
	return v.FillBytes(make([]byte, n))
}

func vectorCurve(t *testing.T, v sigVector) *Curve {
	t.Helper()
	switch {
	case v.CurveOID != "":
		return CurveByOID(parseOID(v.CurveOID))
	case v.Name == "id-GostR3410-2001-TestParamSet":
		return Test256
	case v.Name == "id-tc26-gost-3410-2012-256-paramSetA":
		return TC26256A
	case v.Name == "id-tc26-gost-3410-2012-512-paramSetTest":
		return Test512
	case v.Curve != nil && v.KeyBits == 256:
		return Test256
	case v.Curve != nil && v.KeyBits == 512:
		return Test512
	}
	t.Fatalf("%s: unknown curve", v.ID)
	return nil
}

func TestVectors(t *testing.T) {
	for _, v := range loadSigVectors(t) {
		t.Run(v.ID, func(t *testing.T) {
			c := vectorCurve(t, v)
			n := c.Size()
			if v.Curve != nil {
				p := c.Params()
				for _, x := range []struct {
					name string
					got  *big.Int
					want string
				}{{"p", p.P, v.Curve.P}, {"a", p.A, v.Curve.A}, {"b", p.B, v.Curve.B}, {"q", p.Q, v.Curve.Q}} {
					if want, _ := new(big.Int).SetString(x.want, 16); want.Cmp(x.got) != 0 {
						t.Errorf("curve %s: got %x, want %s", x.name, x.got, x.want)
					}
				}
			}
			wantPub := append(reverse(fixed(t, v.Q["x"], n)), reverse(fixed(t, v.Q["y"], n))...)
			pub, err := NewPublicKey(c, wantPub)
			if err != nil {
				t.Fatalf("NewPublicKey: %v", err)
			}
			var digest []byte
			if v.Digest != "" {
				digest, _ = hex.DecodeString(v.Digest)
				if e := fixed(t, v.E, n); !bytes.Equal(reverse(digest), e) {
					t.Errorf("e is not the digest read little-endian")
				}
			} else {
				digest = reverse(fixed(t, v.E, n))
			}
			sig := append(fixed(t, v.S, n), fixed(t, v.R, n)...)
			if v.Wire != "" && hex.EncodeToString(sig) != v.Wire && v.ID[:7] == "RFC9215" {
				t.Errorf("signature s||r does not match the wire encoding")
			}
			if !Verify(pub, digest, sig) {
				t.Errorf("Verify of the vector signature failed")
			}
			bad := bytes.Clone(sig)
			bad[len(bad)-1] ^= 1
			if Verify(pub, digest, bad) {
				t.Errorf("Verify accepted a modified signature")
			}
			table, err := c.impl.NewKeyTable(pub.be)
			if err != nil {
				t.Fatalf("NewKeyTable: %v", err)
			}
			if !c.impl.VerifyWithTable(table, reverse(digest), sig[n:], sig[:n]) {
				t.Errorf("verification with the key's table failed")
			}
			if c.impl.VerifyWithTable(table, reverse(digest), bad[n:], bad[:n]) {
				t.Errorf("verification with the key's table accepted a modified signature")
			}
			if v.D == "" {
				return
			}
			priv, err := NewPrivateKey(c, reverse(fixed(t, v.D, n)))
			if err != nil {
				t.Fatalf("NewPrivateKey: %v", err)
			}
			if got := priv.PublicKey().Raw(); !bytes.Equal(got, wantPub) {
				t.Errorf("public key from d:\n got %x\nwant %x", got, wantPub)
			}
			got, ok := priv.signWithK(fixed(t, v.K, n), reverse(digest))
			if !ok || !bytes.Equal(got, sig) {
				t.Errorf("signWithK:\n got %x\nwant %x", got, sig)
			}
			rnd, err := priv.Sign(nil, digest, nil)
			if err != nil || !Verify(pub, digest, rnd) {
				t.Errorf("random signature does not verify: %v", err)
			}
		})
	}
}
