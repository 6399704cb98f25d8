package subscriber

import (
	"crypto"
	"errors"

	"rekey/media"
	"rekey/media/token"
)

// TokenSource lists and opens the PKCS#11 tokens the flow may use.
// PKCS11 gives one over package media/token; tests may fake it.
type TokenSource interface {
	// Tokens lists the tokens present.
	Tokens() ([]TokenInfo, error)
	// Keys lists the keys on every token present.
	Keys() ([]media.Key, []error)
	// Open opens the token label of module (not logged in).
	Open(module, label string) (Token, error)
}

// TokenInfo names a token present.
type TokenInfo struct {
	Module string
	Label  string
	Model  string
}

// Token is an open token: what *token.Token does for the flow.
type Token interface {
	PINStatus() (media.Retries, error)
	Login(pin string) error
	Generate(opts *token.GenerateOptions) (media.Key, crypto.Signer, error)
	Signer(id string) (crypto.Signer, error)
	InstallCertificate(id string, der []byte) error
	Archive(id, successor string) error
	Backup(id string) error
	Close() error
}

var _ Token = (*token.Token)(nil)

// PKCS11 returns a TokenSource over the PKCS#11 modules (the paths of
// their libraries) with package media/token.
func PKCS11(modules ...string) TokenSource { return pkcs11Source(modules) }

type pkcs11Source []string

func (p pkcs11Source) Tokens() ([]TokenInfo, error) {
	var out []TokenInfo
	var errs []error
	for _, m := range p {
		infos, err := token.Tokens(m)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, i := range infos {
			out = append(out, TokenInfo{Module: m, Label: i.Label, Model: i.Model})
		}
	}
	return out, errors.Join(errs...)
}

func (p pkcs11Source) Keys() ([]media.Key, []error) {
	var keys []media.Key
	var errs []error
	for _, m := range p {
		ks, es := token.AllKeys(m)
		keys, errs = append(keys, ks...), append(errs, es...)
	}
	return keys, errs
}

func (p pkcs11Source) Open(module, label string) (Token, error) {
	t, err := token.Open(module, label)
	if err != nil {
		return nil, err
	}
	return t, nil
}
