package inspect

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"rekey/internal/i18n"
	"rekey/pki"
)

// subscriber is a qualified certificate of the manual's kind: a Russian
// subject, GOST 256-bit key, a key usage period shorter than the
// certificate, sign tools, signed by a GOST CA. Its key expires 20 days and
// an hour after testNow, the certificate a year later.
type subscriber struct {
	ca, leaf       *pki.Certificate
	caDER, leafDER []byte
	caKey          crypto.Signer
}

var (
	subOnce sync.Once
	sub     subscriber
)

func testSubscriber(t testing.TB) *subscriber {
	t.Helper()
	subOnce.Do(func() { sub = makeSubscriber(t) })
	if sub.leaf == nil {
		t.Fatal("making the test certificates failed")
	}
	return &sub
}

func makeSubscriber(t testing.TB) subscriber {
	var s subscriber
	caKey, err := pki.ProfileGOST256.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &pki.Template{
		SerialNumber: big.NewInt(1),
		Subject:      &pki.Subject{Country: "RU", Organization: "Оператор ЭДО", CommonName: "УЦ Оператора"},
		NotBefore:    testNow.AddDate(-1, 0, 0),
		NotAfter:     testNow.AddDate(5, 0, 0),
		Extensions: pki.Extensions{
			BasicConstraints: &pki.BasicConstraints{IsCA: true, MaxPathLen: 0},
			KeyUsage:         x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		},
	}
	s.caDER, err = pki.CreateCertificate(caTmpl, nil, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	s.ca, _ = pki.ParseCertificate(s.caDER)
	leafKey, err := pki.ProfileGOST256.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	keyEnd := testNow.Add(20*24*time.Hour + time.Hour)
	tmpl := &pki.Template{
		SerialNumber: big.NewInt(0x1234abcd),
		Subject: &pki.Subject{Country: "RU", Province: "77 г. Москва", Locality: "Москва",
			Organization: "ООО «Ромашка»", CommonName: "ООО «Ромашка»", Title: "Генеральный директор",
			Surname: "Иванов", GivenName: "Иван Иванович", INN: "500100732259",
			INNLE: "7707083893", OGRN: "1027700132195", SNILS: "11223344595"},
		NotBefore: testNow.AddDate(0, -11, 0),
		NotAfter:  keyEnd.AddDate(0, 3, 0),
		Extensions: pki.Extensions{
			KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
			ExtKeyUsage:           []asn1.ObjectIdentifier{pki.OIDExtKeyUsageClientAuth},
			Policies:              []asn1.ObjectIdentifier{{1, 2, 643, 100, 113, 1}},
			CRLDistributionPoints: []string{"http://ca.example.ru/ca.crl"},
			PrivateKeyUsagePeriod: &pki.KeyUsagePeriod{NotBefore: testNow.AddDate(0, -11, 0), NotAfter: keyEnd},
			SubjectSignTool:       "СКЗИ «Пример» версия 1.0",
			IssuerSignTool: &pki.IssuerSignTool{SignTool: "СКЗИ «Пример»", CATool: "ПАК «УЦ»",
				SignToolCert: "СФ/124-0001", CAToolCert: "СФ/128-0002"},
		},
	}
	s.leafDER, err = pki.CreateCertificate(tmpl, s.ca, leafKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	s.leaf, _ = pki.ParseCertificate(s.leafDER)
	s.caKey = caKey
	return s
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func text(t testing.TB, r *Report, lang i18n.Lang) string {
	t.Helper()
	var buf bytes.Buffer
	if err := r.WriteText(&buf, lang); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestTextRussian(t *testing.T) {
	s := testSubscriber(t)
	r := mustInspect(t, pemOf("CERTIFICATE", s.leafDER), Options{Issuer: s.ca})
	got := text(t, r, i18n.RU)
	for _, want := range []string{
		"Сертификат\n",
		"Владелец:\n",
		"    ИНН: 500100732259\n",
		"    СНИЛС: 112-233-445 95\n",
		"    ОГРН: 1027700132195\n",
		"Издатель:\n",
		"Серийный номер: 1234abcd\n",
		"Срок действия ключа истекает через 20 дн.\n",
		"Срок действия сертификата истекает через 110 дн.\n",
		"Открытый ключ: ГОСТ Р 34.10-2012 256 бит, кривая TC26-256-A",
		"Алгоритм подписи: ГОСТ Р 34.10-2012 256 бит, хэш Стрибог-256\n",
		"Использование ключа: цифровая подпись, неотрекаемость (критическое)\n",
		"Расширенное использование ключа: проверка подлинности клиента (1.3.6.1.5.5.7.3.2)\n",
		"Политики сертификата: класс средства ЭП КС1 (1.2.643.100.113.1)\n",
		"Точки распространения СОС: http://ca.example.ru/ca.crl\n",
		"Средство ЭП владельца: СКЗИ «Пример» версия 1.0\n",
		"Заключение на средство УЦ: СФ/128-0002\n",
		"Подпись верна (ключом сертификата --issuer)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	for _, en := range []string{"Subject", "Valid", "Signature", "Key usage", "days"} {
		if strings.Contains(got, en) {
			t.Errorf("English %q in the Russian text:\n%s", en, got)
		}
	}
}

func TestTextEnglish(t *testing.T) {
	s := testSubscriber(t)
	r := mustInspect(t, pemOf("CERTIFICATE", s.leafDER), Options{Issuer: s.ca})
	got := text(t, r, i18n.EN)
	for _, want := range []string{
		"Certificate\n",
		"Subject:\n",
		"    INN: 500100732259\n",
		"Serial number: 1234abcd\n",
		"Valid until: 2027-03-23 13:00:00 UTC\n",
		"Key usable until: 2026-12-23 13:00:00 UTC\n",
		"The key expires in 20 days\n",
		"Public key: GOST R 34.10-2012 256-bit, curve TC26-256-A",
		"Key usage: digital signature, non-repudiation (critical)\n",
		"Private key usage period: 2026-01-03 12:00:00 UTC – 2026-12-23 13:00:00 UTC\n",
		"Signature valid (with the --issuer certificate)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

func TestKeyExpiresAndDays(t *testing.T) {
	s := testSubscriber(t)
	o := mustInspect(t, s.leafDER, Options{}).Objects[0]
	if !o.KeyExpires.Equal(s.leaf.KeyExpires()) || o.KeyExpires.Equal(*o.NotAfter) {
		t.Errorf("key_expires %v, want the privateKeyUsagePeriod end %v", o.KeyExpires, s.leaf.KeyExpires())
	}
	if *o.KeyDaysLeft != 20 || *o.DaysLeft != 110 {
		t.Errorf("days left: key %d, certificate %d; want 20, 110", *o.KeyDaysLeft, *o.DaysLeft)
	}
	// The same certificate a year later: expired, negative days.
	later := mustInspect(t, s.leafDER, Options{Now: testNow.AddDate(1, 0, 0)})
	if d := *later.Objects[0].KeyDaysLeft; d != -344 {
		t.Errorf("key days left a year later = %d, want -344", d)
	}
	ru := text(t, later, i18n.RU)
	if !strings.Contains(ru, "Срок действия ключа истёк 344 дн. назад") {
		t.Errorf("no expiry line in:\n%s", ru)
	}
	if !later.OK() {
		t.Error("an expired certificate is a problem; it should only be shown")
	}
}

func TestDaysLeft(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want int
	}{
		{0, 0}, {time.Hour, 0}, {-time.Hour, 0}, {24 * time.Hour, 1}, {47 * time.Hour, 1},
		{-24 * time.Hour, -1}, {-49 * time.Hour, -2},
	}
	for _, tt := range tests {
		if got := daysLeft(testNow, testNow.Add(tt.d)); got != tt.want {
			t.Errorf("daysLeft(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
}

func TestSignatureChecks(t *testing.T) {
	s := testSubscriber(t)
	other := mustCert(t, "rfc9215/D1_test256/cert.pem")
	tampered := bytes.Clone(s.leafDER)
	tampered[len(tampered)-5] ^= 1
	selfTampered := bytes.Clone(s.caDER)
	selfTampered[len(selfTampered)-5] ^= 1
	chain := append(pemOf("CERTIFICATE", s.leafDER), pemOf("CERTIFICATE", s.caDER)...)
	tests := []struct {
		name      string
		data      []byte
		issuer    *pki.Certificate
		valid     *bool
		with      string
		problem   string
		objectIdx int
	}{
		{"no issuer", s.leafDER, nil, nil, "", "", 0},
		{"issuer", s.leafDER, s.ca, ptr(true), "issuer", "", 0},
		{"self-signed", s.caDER, nil, ptr(true), "self", "", 0},
		{"wrong issuer", s.leafDER, other, nil, "", CodeIssuerMismatch, 0},
		{"tampered", tampered, s.ca, ptr(false), "issuer", CodeSignatureInvalid, 0},
		{"self-signed tampered", selfTampered, nil, ptr(false), "self", CodeSignatureInvalid, 0},
		{"chain in one file", chain, nil, ptr(true), "object 2", "", 0},
		{"request", derOf(t, "rfc9215/D1_test256/req.pem"), nil, ptr(true), "self", "", 0},
		{"crl without issuer", derOf(t, "rfc9215/D1_test256/crl.pem"), nil, nil, "", "", 0},
		{"crl with issuer", derOf(t, "rfc9215/D1_test256/crl.pem"),
			mustCert(t, "rfc9215/D1_test256/cert.pem"), ptr(true), "issuer", "", 0},
		{"crl with the wrong issuer key", derOf(t, "rfc9215/D1_test256/crl.pem"),
			mustCert(t, "rfc9215/D2_tc26_256A/cert.pem"), ptr(false), "issuer", CodeSignatureInvalid, 0},
		{"legacy", derOf(t, "rfc4491/s4.1_gostr3410-94_cert.pem"), nil, nil, "self",
			CodeSignatureLegacy, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustInspect(t, tt.data, Options{Issuer: tt.issuer})
			o := r.Objects[tt.objectIdx]
			if (o.SignatureValid == nil) != (tt.valid == nil) ||
				(o.SignatureValid != nil && *o.SignatureValid != *tt.valid) {
				t.Errorf("signature_valid %v, want %v", deref(o.SignatureValid), deref(tt.valid))
			}
			if got := deref(o.SignatureCheckedWith); got != tt.with && !(got == nil && tt.with == "") {
				t.Errorf("checked with %v, want %q", got, tt.with)
			}
			var codes []string
			for _, p := range r.Problems() {
				codes = append(codes, p.Code)
			}
			if tt.problem == "" && len(codes) > 0 || tt.problem != "" && (len(codes) != 1 || codes[0] != tt.problem) {
				t.Errorf("problems %v, want %q", codes, tt.problem)
			}
			if r.OK() != (tt.problem == "") {
				t.Errorf("OK = %v", r.OK())
			}
		})
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestLegacyMessage(t *testing.T) {
	r := mustInspect(t, derOf(t, "rfc4491/s4.1_gostr3410-94_cert.pem"), Options{})
	p := r.Problems()[0]
	if en := p.Text(i18n.EN); !strings.Contains(en, "GOST R 34.10-94") || !strings.Contains(en, "legacy") {
		t.Errorf("English reason %q does not name the legacy algorithm", en)
	}
	if ru := p.Text(i18n.RU); !strings.Contains(ru, "устарел") {
		t.Errorf("Russian reason %q does not say the algorithm is legacy", ru)
	}
}

func TestPasswords(t *testing.T) {
	pfx := readFile(t, "testdata/keys/r50.1.112-2016-example.pfx")
	key := readFile(t, "testdata/keys/gost256-cpa-kuznyechik-streebog.pem")
	tests := []struct {
		name     string
		data     []byte
		password []byte
		problem  string
		key      bool
	}{
		{"pkcs12 without password", pfx, nil, "", false},
		{"pkcs12 right password", pfx, []byte("Пароль для PFX"), "", true},
		{"pkcs12 wrong password", pfx, []byte("nope"), CodeWrongPassword, false},
		{"pkcs8 without password", key, nil, "", false},
		{"pkcs8 right password", key, []byte("rekey-fuzz"), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustInspect(t, tt.data, Options{Password: tt.password})
			o := r.Objects[0]
			var codes []string
			for _, p := range o.Problems {
				codes = append(codes, p.Code)
			}
			if tt.problem == "" && len(codes) > 0 || tt.problem != "" && (len(codes) == 0 || codes[0] != tt.problem) {
				t.Errorf("problems %v, want %q", codes, tt.problem)
			}
			gotKey := o.PublicKey != nil || o.PKCS12 != nil && o.PKCS12.Key != nil
			if gotKey != tt.key {
				t.Errorf("key shown = %v, want %v", gotKey, tt.key)
			}
		})
	}
	// The structure is there without the password.
	o := mustInspect(t, pfx, Options{}).Objects[0]
	if o.PKCS12.MAC == nil || o.PKCS12.MAC.Digest != "Streebog-512" || len(o.PKCS12.Safes) != 2 {
		t.Errorf("PKCS#12 structure %+v", o.PKCS12)
	}
	e := mustInspect(t, key, Options{}).Objects[0].Encryption
	if e.PRF != "HMAC-Streebog-512" || e.Cipher != "Kuznyechik-CTR-ACPKM" || e.Iterations != 16 {
		t.Errorf("encryption %+v", e)
	}
}

func TestCMS(t *testing.T) {
	tests := []struct {
		file       string
		typ        string
		signers    int
		recipients string
		content    string
	}{
		{"tk26/cms_signed_256.pem", "signedData", 1, "", ""},
		{"tk26/cms_digested_512.pem", "digestedData", 0, "", ""},
		{"tk26/cms_enveloped_ktri_256.pem", "envelopedData", 0, "ktri", ""},
		{"tk26/cms_enveloped_kari_512.pem", "envelopedData", 0, "kari", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c := mustInspect(t, readFile(t, "testdata/vectors/"+tt.file), Options{}).Objects[0].CMS
			if c.ContentType != tt.typ || len(c.Signers) != tt.signers {
				t.Errorf("type %q signers %d", c.ContentType, len(c.Signers))
			}
			if tt.recipients != "" && (len(c.Recipients) != 1 || c.Recipients[0].Kind != tt.recipients ||
				c.Recipients[0].ID.Issuer == nil) {
				t.Errorf("recipients %+v", c.Recipients)
			}
		})
	}
}

// TestJSONSchema checks the keys and their JSON types for a certificate
// and that every object type has every key.
func TestJSONSchema(t *testing.T) {
	s := testSubscriber(t)
	r := mustInspect(t, append(pemOf("CERTIFICATE", s.leafDER),
		readFile(t, "testdata/vectors/rfc9215/D1_test256/crl.pem")...), Options{Issuer: s.ca})
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf, i18n.RU); err != nil {
		t.Fatal(err)
	}
	var top map[string]any
	if err := json.Unmarshal(buf.Bytes(), &top); err != nil {
		t.Fatal(err)
	}
	types := map[string]string{
		"format": "string", "ok": "bool", "more": "array",
		"type": "string", "index": "number", "pem_label": "string",
		"subject": "object", "issuer": "object", "serial": "string",
		"not_before": "time", "not_after": "time", "key_expires": "time",
		"days_left": "number", "key_days_left": "number",
		"signature_algorithm": "string", "signature_algorithm_oid": "string",
		"public_key_algorithm": "string", "public_key": "object",
		"signature_valid": "bool", "signature_checked_with": "string",
		"extensions": "object", "crl": "null", "encryption": "null", "pkcs12": "null",
		"cms": "null", "pki_message": "null", "matches_object": "null",
		"notes": "array", "problems": "array",
	}
	checkTypes(t, top, types)
	subject := top["subject"].(map[string]any)
	for k, v := range map[string]string{"CN": "ООО «Ромашка»", "INN": "500100732259",
		"SNILS": "112-233-445 95", "OGRN": "1027700132195", "C": "RU"} {
		if subject[k] != v {
			t.Errorf("subject[%q] = %v, want %q", k, subject[k], v)
		}
	}
	if top["serial"] != "1234abcd" || top["key_expires"] != "2026-12-23T13:00:00Z" ||
		top["signature_valid"] != true || top["days_left"] != 110.0 {
		t.Errorf("values: serial %v key_expires %v signature_valid %v days_left %v",
			top["serial"], top["key_expires"], top["signature_valid"], top["days_left"])
	}
	more := top["more"].([]any)
	if len(more) != 1 {
		t.Fatalf("more has %d objects, want 1", len(more))
	}
	crl := more[0].(map[string]any)
	for k := range types {
		if _, ok := crl[k]; !ok && k != "format" && k != "ok" && k != "more" {
			t.Errorf("CRL object lacks key %q", k)
		}
	}
	if crl["type"] != "crl" || crl["signature_valid"] != nil || crl["subject"] != nil {
		t.Errorf("CRL object: type %v signature_valid %v subject %v", crl["type"], crl["signature_valid"], crl["subject"])
	}
}

func checkTypes(t *testing.T, m map[string]any, types map[string]string) {
	t.Helper()
	for k, typ := range types {
		v, ok := m[k]
		if !ok {
			t.Errorf("key %q missing", k)
			continue
		}
		var got string
		switch x := v.(type) {
		case nil:
			got = "null"
		case bool:
			got = "bool"
		case float64:
			got = "number"
		case string:
			got = "string"
			if _, err := time.Parse(time.RFC3339, x); err == nil {
				got = "time"
			}
		case []any:
			got = "array"
		case map[string]any:
			got = "object"
		}
		if got != typ {
			t.Errorf("key %q is %s (%v), want %s", k, got, v, typ)
		}
	}
}
