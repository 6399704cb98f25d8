package vko

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"testing"

	"rekey/gost/gost3410"
)

// The vectors of testdata/vko.json, copied verbatim from the project's
// shared vector set; each entry names its source.
type vector struct {
	ID         string            `json:"id"`
	Curve      string            `json:"curve"`
	OutputBits int               `json:"output_bits"`
	UKM        string            `json:"ukm"`
	UKMInt     string            `json:"ukm_int"`
	PrvA       string            `json:"prv_A"`
	PubA       string            `json:"pub_A"`
	PrvB       string            `json:"prv_B"`
	PubB       string            `json:"pub_B"`
	DEph       string            `json:"d_eph"`
	QEph       map[string]string `json:"Q_eph"`
	DS         string            `json:"d_s"`
	QS         map[string]string `json:"Q_s"`
	KEK        string            `json:"kek"`
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// le returns the big-endian hex integer s as n little-endian bytes.
func le(t *testing.T, s string, n int) []byte {
	t.Helper()
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		t.Fatalf("bad hex %q", s)
	}
	b := v.FillBytes(make([]byte, n))
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

func curveOf(t *testing.T, name string) *gost3410.Curve {
	switch {
	case bytes.Contains([]byte(name), []byte("512-paramSetA")):
		return gost3410.TC26512A
	case bytes.Contains([]byte(name), []byte("512-paramSetC")):
		return gost3410.TC26512C
	case bytes.Contains([]byte(name), []byte("CryptoPro-A")):
		return gost3410.CryptoProA
	}
	t.Fatalf("unknown curve %q", name)
	return nil
}

type party struct {
	prv *gost3410.PrivateKey
	pub *gost3410.PublicKey
}

func newParty(t *testing.T, c *gost3410.Curve, prv, pub []byte) party {
	t.Helper()
	k, err := gost3410.NewPrivateKey(c, prv)
	if err != nil {
		t.Fatal(err)
	}
	p, err := gost3410.NewPublicKey(c, pub)
	if err != nil {
		t.Fatal(err)
	}
	if !k.PublicKey().Equal(p) {
		t.Fatalf("public key does not match the private key")
	}
	return party{k, p}
}

func TestVectors(t *testing.T) {
	data, err := os.ReadFile("testdata/vko.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Vectors []vector }
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range f.Vectors {
		t.Run(v.ID, func(t *testing.T) {
			c := curveOf(t, v.Curve)
			n := c.Size()
			var a, b party
			var ukm []byte
			if v.PrvA != "" {
				// RFC 7836: byte strings as printed, little-endian.
				a = newParty(t, c, unhex(t, v.PrvA), unhex(t, v.PubA))
				b = newParty(t, c, unhex(t, v.PrvB), unhex(t, v.PubB))
				ukm = unhex(t, v.UKM)
			} else {
				// RFC 9189: big-endian integers as printed.
				a = newParty(t, c, le(t, v.DEph, n),
					append(le(t, v.QEph["x"], n), le(t, v.QEph["y"], n)...))
				b = newParty(t, c, le(t, v.DS, n),
					append(le(t, v.QS["x"], n), le(t, v.QS["y"], n)...))
				ukm = le(t, v.UKMInt, 16)
			}
			kek := KEK256
			if v.OutputBits == 512 {
				kek = KEK512
			}
			for _, dir := range []struct {
				name string
				prv  *gost3410.PrivateKey
				pub  *gost3410.PublicKey
			}{{"A", a.prv, b.pub}, {"B", b.prv, a.pub}} {
				got, err := kek(dir.prv, dir.pub, ukm)
				if err != nil {
					t.Fatal(err)
				}
				if hex.EncodeToString(got) != v.KEK {
					t.Errorf("KEK from %s: got %x, want %s", dir.name, got, v.KEK)
				}
			}
		})
	}
}

// TestAgreement checks that both sides agree on every curve, and that keys
// on different curves and bad UKM lengths are refused.
func TestAgreement(t *testing.T) {
	for _, c := range gost3410.Curves() {
		a, _ := gost3410.GenerateKey(c, nil)
		b, _ := gost3410.GenerateKey(c, nil)
		ukm := []byte{1, 2, 3, 4, 5, 6, 7, 8}
		for _, kek := range []func(*gost3410.PrivateKey, *gost3410.PublicKey, []byte) ([]byte, error){KEK256, KEK512} {
			x, err1 := kek(a, b.PublicKey(), ukm)
			y, err2 := kek(b, a.PublicKey(), ukm)
			if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
				t.Errorf("%s: sides disagree: %v %v", c, err1, err2)
			}
		}
		if _, err := KEK256(a, b.PublicKey(), nil); err == nil {
			t.Errorf("%s: empty UKM accepted", c)
		}
	}
	a, _ := gost3410.GenerateKey(gost3410.CryptoProA, nil)
	b, _ := gost3410.GenerateKey(gost3410.CryptoProB, nil)
	if _, err := KEK256(a, b.PublicKey(), []byte{1}); err == nil {
		t.Errorf("keys on different curves accepted")
	}
}
