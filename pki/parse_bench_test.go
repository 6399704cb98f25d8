package pki

import "testing"

// qualifiedCert makes a self-signed certificate of profile p whose subject
// and issuer are the full name of a Russian qualified certificate, the
// kind a CA renews.
func qualifiedCert(b *testing.B, p *Profile) []byte {
	b.Helper()
	s, err := ParseSubjectJSON([]byte(manualJSON))
	if err != nil {
		b.Fatal(err)
	}
	key, err := p.GenerateKey(nil)
	if err != nil {
		b.Fatal(err)
	}
	tmpl := certSpec{cn: s.CommonName}.template(b)
	tmpl.Subject = s
	der, err := CreateCertificate(tmpl, nil, key.Public(), key)
	if err != nil {
		b.Fatal(err)
	}
	return der
}

// benchCerts are the certificates the parsing benchmarks read: a GOST
// R 34.10-2012 leaf under a GOST root and a self-signed ECDSA P-256 CA.
var benchCerts = []struct{ name, file string }{
	{"GOST", "testdata/chain/gost256-leaf.pem"},
	{"ECDSA", "testdata/chain/ecdsa-root.pem"},
}

func BenchmarkParseCertificate(b *testing.B) {
	type input struct {
		name string
		der  []byte
	}
	var inputs []input
	for _, bc := range benchCerts {
		inputs = append(inputs, input{bc.name, readPEM(b, bc.file)})
	}
	inputs = append(inputs,
		input{"GOST-qualified", qualifiedCert(b, ProfileGOST256)},
		input{"ECDSA-qualified", qualifiedCert(b, ProfileECDSA)})
	for _, in := range inputs {
		der := in.der
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseCertificate(der); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseSubject(b *testing.B) {
	s, err := ParseSubjectJSON([]byte(manualJSON))
	if err != nil {
		b.Fatal(err)
	}
	qualified, err := s.MarshalDN()
	if err != nil {
		b.Fatal(err)
	}
	names := []struct {
		name string
		der  []byte
	}{{"qualified", qualified}}
	for _, bc := range benchCerts {
		c, err := ParseCertificate(readPEM(b, bc.file))
		if err != nil {
			b.Fatal(err)
		}
		names = append(names, struct {
			name string
			der  []byte
		}{bc.name, c.RawSubject})
	}
	for _, n := range names {
		b.Run(n.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseSubject(n.der); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
