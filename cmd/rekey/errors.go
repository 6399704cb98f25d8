package main

import (
	"errors"
	"slices"

	"rekey/internal/cli"
	"rekey/internal/i18n"
	"rekey/media"
	"rekey/subscriber"
)

// explain turns what the subscriber library returned into an error for a
// person: one line per key that failed, with the hints on what to do.
func explain(lang i18n.Lang, err error) error {
	if err == nil {
		return nil
	}
	var out *cli.Error
	for _, e := range split(err) {
		msg, hints := describe(lang, e)
		if out == nil {
			out = cli.Failure(msg).WithCause(err)
		} else {
			out.More = append(out.More, msg)
		}
		for _, h := range hints {
			if !slices.Contains(out.Hints, h) {
				out.Hints = append(out.Hints, h)
			}
		}
	}
	return out
}

// split returns the errors joined by errors.Join (a run over several keys
// fails key by key), or err alone.
func split(err error) []error {
	if _, ok := err.(*subscriber.UnreachableError); ok {
		return []error{err}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, split(e)...)
		}
		return out
	}
	return []error{err}
}

// describe returns the message and hints of one error.
func describe(lang i18n.Lang, err error) (string, []string) {
	t := func(k i18n.Key, args ...any) string { return i18n.T(lang, k, args...) }
	// Whom to contact: the key's office, as its media names it (the
	// library fills KeyError.Office), else a generic text.
	contact := t(i18n.SubOfficeDefault)
	key, inner := "", err
	if ke, ok := errorsAs[*subscriber.KeyError](err); ok {
		key, inner = ke.Key, ke.Err
		if ke.Office != "" {
			contact = ke.Office
		}
	}
	office := t(i18n.HintOffice, contact)
	if ce, ok := errorsAs[*cli.Error](err); ok {
		return ce.Msg, ce.Hints
	}
	if re, ok := errorsAs[*subscriber.RefusedError](err); ok {
		msg := t(i18n.ErrKeyRefused, re.Key, re.Text(string(lang)))
		if re.BadTime() {
			// A wrong clock, not a key to replace.
			return msg, []string{t(i18n.HintClock)}
		}
		return msg, []string{office}
	}
	if ue, ok := errorsAs[*subscriber.UnreachableError](err); ok && ue.Answered != nil {
		return t(i18n.ErrKeyNotNow, key, ue.Operator, ue.Attempts,
			ue.Answered.Text(string(lang))), []string{t(i18n.HintNotNow)}
	}
	if ue, ok := errorsAs[*subscriber.UnreachableError](err); ok {
		return t(i18n.ErrKeyUnreachable, key, ue.Operator, ue.Attempts, ue.Err.Error()),
			[]string{t(i18n.HintUnreachable)}
	}
	if me, ok := errorsAs[*subscriber.MediaMissingError](err); ok {
		return t(i18n.ErrKeyMedia, me.Key, me.Media), []string{t(i18n.HintInsertMedia)}
	}
	if pe, ok := errorsAs[*media.PINError](err); ok && errors.Is(err, media.ErrPINLocked) {
		return t(i18n.ErrPINLocked, pe.Token), []string{t(i18n.HintPINLocked)}
	}
	switch {
	case errors.Is(err, subscriber.ErrLastDay):
		return t(i18n.ErrKeyLastDay, key), []string{office}
	case errors.Is(err, subscriber.ErrExpired):
		return t(i18n.ErrKeyExpired, key), []string{office}
	case errors.Is(err, subscriber.ErrWrongPassword), errors.Is(err, media.ErrWrongPassword),
		errors.Is(err, media.ErrWrongPIN):
		return t(i18n.ErrKeyPassword, key), []string{t(i18n.HintKeyPassword)}
	case errors.Is(err, subscriber.ErrRenewalPending):
		return t(i18n.ErrKeyPending, key), []string{t(i18n.HintKeyPending)}
	case errors.Is(err, subscriber.ErrNotRenewable):
		return t(i18n.ErrKeyNotRenewable, key), nil
	case errors.Is(err, subscriber.ErrCancelled):
		return t(i18n.ErrCancelled), nil
	case errors.Is(err, media.ErrNotFound):
		return trimSub(err), []string{t(i18n.HintKeyNotFound)}
	case errors.Is(err, media.ErrAmbiguous):
		return trimSub(err), []string{t(i18n.HintKeyAmbiguous)}
	case errors.Is(err, subscriber.ErrNoAnswer):
		return t(i18n.ErrNoAnswer, trimSub(err)), []string{t(i18n.HintKeyPassword)}
	}
	if key != "" {
		return t(i18n.ErrKeyOther, key, trimSub(inner)), nil
	}
	return trimSub(err), nil
}
