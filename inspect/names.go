package inspect

import (
	"encoding/asn1"

	"rekey/pki"
)

var (
	oidPBES2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
)

// oidNames are the names shown for algorithm and type OIDs that package pki
// does not name: digests, ciphers, key wrapping and agreement, password-based
// encryption, CMS content types and attributes, curves. The GOST names follow
// RFC 9215, RFC 9337 and the TC26 recommendations.
var oidNames = map[string]string{
	// Digests.
	"1.3.14.3.2.26":           "SHA-1",
	"2.16.840.1.101.3.4.2.1":  "SHA-256",
	"2.16.840.1.101.3.4.2.2":  "SHA-384",
	"2.16.840.1.101.3.4.2.3":  "SHA-512",
	"1.2.643.7.1.1.2.2":       "Streebog-256",
	"1.2.643.7.1.1.2.3":       "Streebog-512",
	"1.2.643.2.2.9":           "GOST R 34.11-94",
	"1.2.840.113549.2.7":      "HMAC-SHA-1",
	"1.2.840.113549.2.9":      "HMAC-SHA-256",
	"1.2.840.113549.2.10":     "HMAC-SHA-384",
	"1.2.840.113549.2.11":     "HMAC-SHA-512",
	"1.2.643.7.1.1.4.1":       "HMAC-Streebog-256",
	"1.2.643.7.1.1.4.2":       "HMAC-Streebog-512",
	"1.2.840.113549.1.5.13":   "PBES2",
	"1.2.840.113549.1.5.12":   "PBKDF2",
	"1.2.840.113549.1.12.1.3": "pbeWithSHAAnd3-KeyTripleDES-CBC",
	"1.2.840.113549.1.12.1.6": "pbeWithSHAAnd40BitRC2-CBC",
	"1.2.840.113549.1.5.3":    "pbeWithMD5AndDES-CBC",
	"1.2.840.113549.1.5.10":   "pbeWithSHA1AndDES-CBC",

	// Ciphers and key wrapping.
	"2.16.840.1.101.3.4.1.2":  "AES-128-CBC",
	"2.16.840.1.101.3.4.1.22": "AES-192-CBC",
	"2.16.840.1.101.3.4.1.42": "AES-256-CBC",
	"2.16.840.1.101.3.4.1.6":  "AES-128-GCM",
	"2.16.840.1.101.3.4.1.26": "AES-192-GCM",
	"2.16.840.1.101.3.4.1.46": "AES-256-GCM",
	"2.16.840.1.101.3.4.1.5":  "AES-128 key wrap",
	"2.16.840.1.101.3.4.1.25": "AES-192 key wrap",
	"2.16.840.1.101.3.4.1.45": "AES-256 key wrap",
	"1.2.840.113549.3.7":      "3DES-CBC",
	"1.2.643.7.1.1.5.1.1":     "Magma-CTR-ACPKM",
	"1.2.643.7.1.1.5.1.2":     "Magma-CTR-ACPKM-OMAC",
	"1.2.643.7.1.1.5.2.1":     "Kuznyechik-CTR-ACPKM",
	"1.2.643.7.1.1.5.2.2":     "Kuznyechik-CTR-ACPKM-OMAC",
	"1.2.643.7.1.1.7.1.1":     "Magma KExp15 key wrap",
	"1.2.643.7.1.1.7.2.1":     "Kuznyechik KExp15 key wrap",
	"1.2.643.2.2.21":          "GOST 28147-89",
	"1.2.643.2.2.13.0":        "GOST 28147-89 key wrap",
	"1.2.643.2.2.13.1":        "GOST 28147-89 CryptoPro key wrap",

	// Key transport and agreement.
	"1.2.643.7.1.1.6.1":    "VKO GOST R 34.10-2012 256-bit",
	"1.2.643.7.1.1.6.2":    "VKO GOST R 34.10-2012 512-bit",
	"1.2.643.2.2.96":       "VKO GOST R 34.10-2001 (CryptoPro)",
	"1.2.840.113549.1.1.1": "RSA",
	"1.2.840.113549.1.1.7": "RSAES-OAEP",
	"1.3.132.1.11.1":       "ECDH with SHA-256 KDF",
	"1.3.132.1.11.2":       "ECDH with SHA-384 KDF",
	"1.3.132.1.11.3":       "ECDH with SHA-512 KDF",
	"1.2.840.10045.2.1":    "ECDSA",
	"1.3.101.112":          "Ed25519",
	"1.3.101.113":          "Ed448",
	"1.3.101.110":          "X25519",
	"1.3.101.111":          "X448",
	"1.2.643.7.1.1.1.1":    "GOST R 34.10-2012 256-bit",
	"1.2.643.7.1.1.1.2":    "GOST R 34.10-2012 512-bit",
	"1.2.643.2.2.19":       "GOST R 34.10-2001",
	"1.2.643.2.2.20":       "GOST R 34.10-94",
	"1.2.840.113549.1.1.5": "RSA with SHA-1",
	"1.2.840.10045.4.1":    "ECDSA with SHA-1",

	// Curves that pki does not parse keys on.
	"1.2.840.10045.3.1.7": "P-256",
	"1.3.132.0.34":        "P-384",
	"1.3.132.0.35":        "P-521",
	"1.2.643.2.2.35.1":    "CryptoPro-A",
	"1.2.643.2.2.35.2":    "CryptoPro-B",
	"1.2.643.2.2.35.3":    "CryptoPro-C",
	"1.2.643.2.2.36.0":    "CryptoPro-XchA",
	"1.2.643.2.2.36.1":    "CryptoPro-XchB",
	"1.2.643.2.2.32.2":    "GOST R 34.10-94 CryptoPro-A",

	// CMS content types and attributes.
	"1.2.840.113549.1.7.1":       "data",
	"1.2.840.113549.1.7.2":       "signedData",
	"1.2.840.113549.1.7.3":       "envelopedData",
	"1.2.840.113549.1.7.5":       "digestedData",
	"1.2.840.113549.1.7.6":       "encryptedData",
	"1.2.840.113549.1.9.16.1.2":  "authData",
	"1.2.840.113549.1.9.16.1.23": "authEnvelopedData",
	"1.2.840.113549.1.9.16.1.9":  "compressedData",
	"1.2.840.113549.1.9.3":       "contentType",
	"1.2.840.113549.1.9.4":       "messageDigest",
	"1.2.840.113549.1.9.5":       "signingTime",
	"1.2.840.113549.1.9.15":      "smimeCapabilities",
	"1.2.840.113549.1.9.16.2.12": "signingCertificate",
	"1.2.840.113549.1.9.16.2.47": "signingCertificateV2",
	"1.2.840.113549.1.9.52":      "cmsAlgorithmProtection",
	"1.2.840.113549.1.12.10.1.1": "keyBag",
	"1.2.840.113549.1.12.10.1.2": "pkcs8ShroudedKeyBag",
	"1.2.840.113549.1.12.10.1.3": "certBag",
	"1.2.840.113549.1.12.10.1.4": "crlBag",
	"1.2.840.113549.1.12.10.1.5": "secretBag",
	"1.2.840.113549.1.12.10.1.6": "safeContentsBag",
	"1.2.840.113549.1.9.16.1.4":  "id-ct-TSTInfo",
	"1.2.840.113549.1.9.16.1.31": "id-ct-asciiTextWithCRLF",
	"1.3.6.1.5.5.7.12.2":         "id-cct-PKIData",
	"1.3.6.1.5.5.7.12.3":         "id-cct-PKIResponse",
	"1.2.840.113549.1.9.16.3.19": "HKDF-SHA-256",
	"1.2.840.113549.1.9.16.3.9":  "PWRI key wrap",
	"1.2.840.113549.1.9.16.1.24": "id-ct-contentCollection",
	"1.2.840.113549.1.9.16.2.14": "timeStampToken",
	"1.2.840.113549.1.9.16.2.16": "ets-commitmentType",
}

// algorithmName names an OID: pki's signature algorithms first, then the
// table above, else the dotted OID itself.
func algorithmName(oid asn1.ObjectIdentifier) string {
	if oid == nil {
		return "?"
	}
	for a := pki.GOST256WithStreebog256; a <= pki.GOST94WithGOST94; a++ {
		if oid.Equal(a.OID()) {
			return a.String()
		}
	}
	if n := oidNames[oid.String()]; n != "" {
		return n
	}
	return oid.String()
}
