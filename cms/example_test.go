package cms_test

import (
	"crypto/x509"
	"fmt"
	"log"
	"math/big"
	"time"

	"rekey/cms"
	"rekey/pki"
)

// Example signs a report with a GOST key, encrypts it for the same
// subscriber, and reverses both steps. A real operator would sign with its
// own key and encrypt for the subscriber's certificate.
func Example() {
	key, err := pki.ProfileGOST256.GenerateKey(nil)
	if err != nil {
		log.Fatal(err)
	}
	now := time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)
	der, err := pki.CreateCertificate(&pki.Template{
		SerialNumber: big.NewInt(1),
		Subject:      &pki.Subject{Country: "RU", CommonName: "Иванов Иван Иванович"},
		NotBefore:    now.AddDate(0, -1, 0),
		NotAfter:     now.AddDate(1, 0, 0),
		Extensions: pki.Extensions{
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		},
	}, nil, key.Public(), key)
	if err != nil {
		log.Fatal(err)
	}
	cert, err := pki.ParseCertificate(der)
	if err != nil {
		log.Fatal(err)
	}

	signed, err := cms.Sign([]byte("НДС, III квартал"), []cms.Signer{{Certificate: cert, Key: key}},
		&cms.SignOptions{SigningTime: now})
	if err != nil {
		log.Fatal(err)
	}
	sealed, err := cms.Encrypt(signed, []*pki.Certificate{cert}, nil) // Kuznyechik
	if err != nil {
		log.Fatal(err)
	}

	opened, err := cms.Decrypt(sealed, cert, key)
	if err != nil {
		log.Fatal(err)
	}
	sd, err := cms.ParseSignedData(opened)
	if err != nil {
		log.Fatal(err)
	}
	signers, err := sd.Verify(&cms.VerifyOptions{Roots: []*pki.Certificate{cert}, At: now})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s, signed by %s\n", sd.Content, signers[0].Subject.CommonName)
	// Output: НДС, III квартал, signed by Иванов Иван Иванович
}
