package cms

import "encoding/asn1"

// Content types (RFC 5652 §4, §5.1, §6.1, §7; RFC 5083 §1).
var (
	OIDData                 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	OIDSignedData           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	OIDEnvelopedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 3}
	OIDDigestedData         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 5}
	OIDAuthEnvelopedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 23}
	oidAttrContentType      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidAttrSigningTime      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidAttrSigningCertV2    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidAttrGOSTContentMAC   = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 0, 6, 1, 1}
	oidDigestSHA256         = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidDigestSHA384         = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidDigestSHA512         = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidDigestStreebog256    = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
	oidDigestStreebog512    = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}
	oidPublicKeyGOST256     = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}
	oidPublicKeyGOST512     = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}
	oidPublicKeyECDSA       = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidSignatureECDSASHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidSignatureECDSASHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidSignatureECDSASHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
)

// Content-encryption algorithms.
var (
	// id-Gost28147-89 (RFC 4357 §10.2, RFC 4490 §5.1): CFB with key
	// meshing, parameters Gost28147-89-Parameters { iv, encryptionParamSet }.
	oidGOST28147 = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 21}
	// id-gostr3412-2015-magma-ctracpkm-omac and -kuznyechik-ctracpkm-omac
	// (R 1323565.1.024-2019, RFC 9189 §A), parameters
	// GostR3412-15-Encryption-Parameters { ukm }.
	oidMagmaCTRACPKMOMAC      = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 5, 1, 2}
	oidKuznyechikCTRACPKMOMAC = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 5, 2, 2}
	oidAES256CBC              = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidAES256GCM              = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 46}
)

// Key-encryption algorithms and their parameters.
var (
	// id-Gost28147-89-None-KeyWrap and -CryptoPro-KeyWrap (RFC 4357 §6).
	oidGOSTNoneKeyWrap      = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 13, 0}
	oidGOSTCryptoProKeyWrap = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 13, 1}
	// id-gostr3412-2015-magma-kexp15 and -kuznyechik-kexp15
	// (R 1323565.1.024-2019), with parameters SEQUENCE { agreement OID }.
	oidMagmaKExp15      = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 7, 1, 1}
	oidKuznyechikKExp15 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 7, 2, 1}
	// id-tc26-agreement-gost-3410-2012-256 and -512 (the KEG of
	// R 1323565.1.020-2018 over VKO).
	oidAgreementGOST256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 6, 1}
	oidAgreementGOST512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 6, 2}
	// dhSinglePass-stdDH-sha256kdf-scheme (RFC 5753 §7.1.4, SEC 1).
	oidECDHStdSHA256KDF = asn1.ObjectIdentifier{1, 3, 132, 1, 11, 1}
	oidAES256Wrap       = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 45}
)
