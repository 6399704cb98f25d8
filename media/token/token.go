package token

import (
	"fmt"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"

	"rekey/media"
)

// Info describes a token present in a slot.
type Info struct {
	Label        string
	Slot         uint
	Model        string
	Serial       string
	Manufacturer string
	// Retries is what the token says of the user PIN's wrong tries.
	Retries media.Retries
}

// Tokens lists the tokens present in the slots of module.
func Tokens(module string) ([]Info, error) {
	m, err := loadModule(module)
	if err != nil {
		return nil, err
	}
	defer m.release()
	return tokens(m)
}

func tokens(m *module) ([]Info, error) {
	slots, err := m.ctx.GetSlotList(true)
	if err != nil {
		return nil, fmt.Errorf("media: listing the slots of %s: %v", m.path, err)
	}
	var out []Info
	for _, s := range slots {
		ti, err := m.ctx.GetTokenInfo(s)
		if err != nil || ti.Flags&pkcs11.CKF_TOKEN_INITIALIZED == 0 {
			continue
		}
		out = append(out, Info{
			Label:        strings.TrimRight(ti.Label, " \x00"),
			Slot:         s,
			Model:        strings.TrimSpace(ti.Model),
			Serial:       strings.TrimSpace(ti.SerialNumber),
			Manufacturer: strings.TrimSpace(ti.ManufacturerID),
			Retries:      retries(ti.Flags),
		})
	}
	return out, nil
}

// retries maps the user PIN flags of CK_TOKEN_INFO (PKCS#11 v2.40 §5.6).
func retries(flags uint) media.Retries {
	switch {
	case flags&pkcs11.CKF_USER_PIN_LOCKED != 0:
		return media.RetriesNone
	case flags&pkcs11.CKF_USER_PIN_FINAL_TRY != 0:
		return media.RetriesFinal
	case flags&pkcs11.CKF_USER_PIN_COUNT_LOW != 0:
		return media.RetriesLow
	}
	return media.RetriesUnknown
}

// Token is an open session with a PKCS#11 token. Its methods may be called
// from several goroutines; they take turns on the one session.
type Token struct {
	mod   *module
	info  Info
	mu    sync.Mutex
	sess  pkcs11.SessionHandle
	login bool
}

// Open opens a read-write session with the token labelled label in one
// of module's slots; an empty label picks the only token present. A token
// that is not there gives media.ErrMediaMissing.
func Open(module, label string) (*Token, error) {
	m, err := loadModule(module)
	if err != nil {
		return nil, err
	}
	t, err := open(m, label)
	if err != nil {
		m.release()
		return nil, err
	}
	return t, nil
}

func open(m *module, label string) (*Token, error) {
	infos, err := tokens(m)
	if err != nil {
		return nil, err
	}
	var found []Info
	var labels []string
	for _, i := range infos {
		labels = append(labels, fmt.Sprintf("%q", i.Label))
		if label == "" || i.Label == label {
			found = append(found, i)
		}
	}
	switch {
	case len(found) == 0 && label == "":
		return nil, fmt.Errorf("%w: no token in the slots of %s", media.ErrMediaMissing, m.path)
	case len(found) == 0:
		return nil, fmt.Errorf("%w: no token %q in the slots of %s (present: %s)",
			media.ErrMediaMissing, label, m.path, strings.Join(labels, ", "))
	case len(found) > 1:
		return nil, fmt.Errorf("media: several tokens are present (%s): name one",
			strings.Join(labels, ", "))
	}
	sess, err := m.ctx.OpenSession(found[0].Slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if err != nil {
		return nil, fmt.Errorf("media: opening a session with token %q: %v", found[0].Label, err)
	}
	return &Token{mod: m, info: found[0], sess: sess}, nil
}

// Info returns what the token said of itself when it was opened.
func (t *Token) Info() Info { return t.info }

// Close ends the session (logging out) and releases the module.
func (t *Token) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.mod == nil {
		return nil
	}
	if t.login {
		t.mod.ctx.Logout(t.sess)
	}
	err := t.mod.ctx.CloseSession(t.sess)
	t.mod.release()
	t.mod = nil
	if err != nil {
		return fmt.Errorf("media: closing the session with token %q: %v", t.info.Label, err)
	}
	return nil
}

// PINStatus returns what the token says now of the user PIN's tries, for
// the PIN prompt to show before asking.
func (t *Token) PINStatus() (media.Retries, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ti, err := t.mod.ctx.GetTokenInfo(t.info.Slot)
	if err != nil {
		return media.RetriesUnknown, t.fail("reading the token's state", err)
	}
	return retries(ti.Flags), nil
}

// Login logs the user in with pin. A refused PIN gives a *media.PINError
// (unwrapping to media.ErrWrongPIN or media.ErrPINLocked) with the tries
// the token says are left. A locked PIN is reported without trying.
func (t *Token) Login(pin string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.login {
		return nil
	}
	ctx := t.mod.ctx
	if ti, err := ctx.GetTokenInfo(t.info.Slot); err == nil &&
		ti.Flags&pkcs11.CKF_USER_PIN_LOCKED != 0 {
		return t.locked()
	}
	err := ctx.Login(t.sess, pkcs11.CKU_USER, pin)
	switch {
	case err == nil, isCode(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN):
		t.login = true
		return nil
	case isCode(err, pkcs11.CKR_PIN_LOCKED):
		return t.locked()
	case isCode(err, pkcs11.CKR_PIN_INCORRECT), isCode(err, pkcs11.CKR_PIN_INVALID),
		isCode(err, pkcs11.CKR_PIN_LEN_RANGE):
		r := media.RetriesUnknown
		if ti, err := ctx.GetTokenInfo(t.info.Slot); err == nil {
			r = retries(ti.Flags)
		}
		perr := media.ErrWrongPIN
		if r == media.RetriesNone {
			perr = media.ErrPINLocked
		}
		return &media.PINError{Token: t.info.Label, Retries: r, Err: perr}
	}
	return t.fail("logging in", err)
}

func (t *Token) locked() error {
	return &media.PINError{Token: t.info.Label, Retries: media.RetriesNone, Err: media.ErrPINLocked}
}

// fail wraps a PKCS#11 error with what was being done; a removed token
// becomes media.ErrMediaMissing.
func (t *Token) fail(doing string, err error) error {
	if isCode(err, pkcs11.CKR_DEVICE_REMOVED) || isCode(err, pkcs11.CKR_TOKEN_NOT_PRESENT) ||
		isCode(err, pkcs11.CKR_SESSION_HANDLE_INVALID) {
		return fmt.Errorf("%w: token %q: %s: %v", media.ErrMediaMissing, t.info.Label, doing, err)
	}
	return fmt.Errorf("media: token %q: %s: %v", t.info.Label, doing, err)
}

func (t *Token) location() string {
	return fmt.Sprintf("%s slot %d", t.mod.path, t.info.Slot)
}

// AllKeys lists the keys on every token present in module's slots, as
// Keys does for one token; `rekey keys` adds them to the drives' keys.
func AllKeys(module string) ([]media.Key, []error) {
	m, err := loadModule(module)
	if err != nil {
		return nil, []error{err}
	}
	defer m.release()
	infos, err := tokens(m)
	if err != nil {
		return nil, []error{err}
	}
	var keys []media.Key
	var errs []error
	for _, i := range infos {
		t, err := open(m, i.Label)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		m.acquire() // t.Close releases it
		ks, es := t.Keys()
		keys, errs = append(keys, ks...), append(errs, es...)
		t.Close()
	}
	return keys, errs
}
