package subscriber

import (
	"context"
	"crypto"
	"errors"
	"fmt"

	"rekey/internal/i18n"
	"rekey/media"
	"rekey/media/token"
	"rekey/pki"
)

// RenewResult is what Renew did, key by key (for --json).
type RenewResult struct {
	Keys []RenewedKey `json:"keys"`
}

// RenewedKey is the outcome of one key's renewal.
type RenewedKey struct {
	Key     string        `json:"key"`               // the current key
	NewKey  string        `json:"new_key,omitempty"` // the new, pending key
	Media   string        `json:"media,omitempty"`   // where the new key is
	Outbox  string        `json:"outbox,omitempty"`  // the queued request
	Status  RenewedStatus `json:"status"`
	Error   string        `json:"error,omitempty"`
	Warning string        `json:"warning,omitempty"` // e.g. the key is stored unencrypted
}

// RenewedStatus is what Renew did with one key; the values are part of
// `rekey renew --json`.
type RenewedStatus string

// The outcomes of one key's renewal.
const (
	// RenewedQueued: the new key is written and its request waits in the
	// outbox for the next exchange.
	RenewedQueued RenewedStatus = "queued"
	// RenewedRefused: the key cannot be renewed here (Error says why).
	RenewedRefused RenewedStatus = "refused"
	// RenewedCancelled: the subscriber stopped at a question.
	RenewedCancelled RenewedStatus = "cancelled"
	// RenewedFailed: the renewal failed on the way (Error says why).
	RenewedFailed RenewedStatus = "failed"
)

// Renew replaces the keys ids (ids or unique prefixes; S6): the steps
// S3–S15 of the manual, one key after the other (S14). For each key it
// generates the new key on the media chosen, writes it pending, and
// queues the renewal request signed with the current key in the outbox;
// Sync sends it. Nothing is sent here.
//
// Keys that cannot be renewed (last day, expired, a renewal already under
// way) are refused one by one, as *KeyError; the others go on. The error
// joins every key's error; the result says what happened to each.
func (c *Client) Renew(ctx context.Context, ids ...string) (*RenewResult, error) {
	if c.opts.Asker == nil || c.opts.Exchanger == nil || c.opts.Spool == nil {
		return nil, errors.New("subscriber: Renew needs an Asker, an Exchanger and a spool")
	}
	if err := c.opts.Spool.Lock(); err != nil {
		return nil, err
	}
	defer c.opts.Spool.Unlock()
	es, ierrs := c.inventory()
	for _, err := range ierrs {
		c.log.Warn("media", "err", err)
	}
	outbox, oerrs := c.opts.Spool.Outbox()
	if len(oerrs) > 0 {
		// A request we cannot read might be this key's: do not risk a
		// second one.
		return nil, errors.Join(oerrs...)
	}
	res := &RenewResult{}
	var errs []error
	var todo []*entry
	for _, id := range ids {
		e, err := c.selectKey(ctx, es, outbox, id)
		if err != nil {
			errs = append(errs, err)
			res.Keys = append(res.Keys, RenewedKey{Key: id, Status: RenewedRefused, Error: err.Error()})
			continue
		}
		todo = append(todo, e)
	}
	if len(todo) == 0 {
		return res, errors.Join(errs...)
	}

	// S3: the exchanges not finished, whose answers may be encrypted to the
	// current keys.
	unfinished, _ := c.opts.Spool.Unfinished()
	if len(unfinished) > 0 {
		ok, err := c.opts.Asker.ConfirmUnfinished(ctx, unfinished)
		if err != nil {
			return res, err
		}
		if !ok {
			return res, ErrCancelled
		}
	}

	s := c.newSession()
	defer s.close()
	queued := 0
	for i, e := range todo {
		// S14: one key after the other.
		c.opts.Asker.Progress(ctx, Progress{Index: i + 1, Total: len(todo), Key: e.key.ID,
			Subject: e.subject()})
		rk, err := c.renewOne(ctx, s, e)
		if err != nil {
			c.log.Error("renewal failed", "key", e.key.ID, "err", err)
			errs = append(errs, c.keyError(e.key.ID, err))
			rk.Error = err.Error()
			if rk.Status == "" {
				rk.Status = RenewedFailed
			}
		} else {
			queued++
		}
		res.Keys = append(res.Keys, rk)
	}

	// S15: the closing advice.
	if queued > 0 {
		c.notice(ctx, "S15", Info, "", i18n.SubClosingBackup)
		c.notice(ctx, "S15", Info, "", i18n.SubClosingKeepUsing)
		c.notice(ctx, "S16", Info, "", i18n.SubClosingSync)
	}
	return res, errors.Join(errs...)
}

// selectKey finds key id and checks that it may be renewed now (S5).
func (c *Client) selectKey(ctx context.Context, es []*entry, outbox []*OutboxItem,
	id string) (*entry, error) {
	keys := make([]media.Key, len(es))
	for i, e := range es {
		keys[i] = e.key
	}
	match, err := media.Find(keys, id)
	if err != nil {
		return nil, fmt.Errorf("subscriber: %w", err)
	}
	e := find(es, match[0].ID)[0]
	if e.key.State != media.StateActive || e.key.Certificate == nil {
		return nil, c.keyError(e.key.ID, fmt.Errorf("%w (it is %s)", ErrNotRenewable,
			e.key.State))
	}
	if r := requestOf(e.key.ID, outbox); r != nil && r.Key == e.key.ID && !r.Status.Final() {
		return nil, c.keyError(e.key.ID, ErrRenewalPending)
	}
	switch st, _ := timeState(e.key.KeyExpires, c.now(), c.loc); st {
	case StateLastDay:
		c.notice(ctx, "S5", Warning, e.key.ID, i18n.SubLastDay, e.key.ID,
			c.office(e.key.ID, c.opts.Lang))
		return nil, c.keyError(e.key.ID, ErrLastDay)
	case StateExpired:
		c.notice(ctx, "S5", Warning, e.key.ID, i18n.SubExpired, e.key.ID,
			c.office(e.key.ID, c.opts.Lang))
		return nil, c.keyError(e.key.ID, ErrExpired)
	}
	return e, nil
}

// newKeyMedia is the place chosen for the new key and its secret.
type newKeyMedia struct {
	choice   MediaChoice
	password []byte
	empty    bool  // an empty password, confirmed
	token    Token // logged in
}

func (c *Client) renewOne(ctx context.Context, s *session, e *entry) (RenewedKey, error) {
	rk := RenewedKey{Key: e.key.ID}

	// S7: the form, filled from the current certificate, read-only, with
	// whom to contact for changed details or a compromised key: the
	// operator's office as the current key's media names it.
	office := i18n.T(c.opts.Lang, i18n.SubFormOffice, c.office(e.key.ID, c.opts.Lang))
	form := &Form{Key: e.key.ID, Subject: e.key.Certificate.Subject,
		Fields: e.key.Certificate.Subject.Fields(string(c.opts.Lang)), KeyExpires: e.key.KeyExpires,
		Profile: e.key.Profile, Office: office, Lang: c.opts.Lang, Media: e.key.Kind,
		Current: &e.key}
	ok, err := c.opts.Asker.ConfirmForm(ctx, form)
	if err != nil {
		return rk, err
	}
	if !ok {
		rk.Status = RenewedCancelled
		return rk, ErrCancelled
	}

	// S8: where the new key goes; S10/S11: its password or the token's PIN.
	nk, err := c.chooseMedia(ctx, s, e)
	if err != nil {
		return rk, err
	}
	defer clear(nk.password)
	rk.Media = nk.choice.String()

	// S12: the current key, to sign the request. Asked before anything is
	// written, so that a forgotten password leaves nothing behind.
	current, err := s.signer(ctx, e, PurposeSignRequest)
	if err != nil {
		return rk, err
	}

	// The draft records that a key is about to be written, so that a
	// crash from here on is found and finished by Sync.
	item, err := NewOutboxItem(KindKeyUpdate, e.key.ID, e.key.Operator, c.now())
	if err != nil {
		return rk, err
	}
	item.Media = nk.choice.String()
	if err := c.opts.Spool.PutOutbox(item); err != nil {
		return rk, err
	}
	rk.Outbox = item.ID
	if err := c.step(stepDrafted); err != nil {
		return rk, err
	}

	// S9, S13: generate the new key (crypto/rand) and write it, pending.
	newID, newKey, warn, err := c.generate(nk, e)
	if err != nil {
		return rk, err
	}
	rk.NewKey = newID
	if warn != "" {
		rk.Warning = string(warn)
		c.notice(ctx, "S10", Warning, newID, i18n.SubUnencrypted, newID)
	}
	if err := c.step(stepCreated); err != nil {
		return rk, err
	}
	item.NewKey = newID
	item.Updated = c.now().UTC()
	if err := c.opts.Spool.PutOutbox(item); err != nil {
		return rk, err
	}
	if err := c.step(stepNamed); err != nil {
		return rk, err
	}

	// S13: the request, signed with the current key, queued.
	if err := c.queue(ctx, item, e, current, newKey); err != nil {
		return rk, err
	}
	rk.Status = RenewedQueued
	c.log.Info("renewal queued", "key", e.key.ID, "new_key", newID, "outbox", item.ID)
	c.notice(ctx, "S13", Done, e.key.ID, i18n.SubQueued, e.key.ID, newID, rk.Media)
	return rk, c.step(stepQueued)
}

// queue builds the request of a draft and queues it.
func (c *Client) queue(ctx context.Context, item *OutboxItem, e *entry,
	current, newKey crypto.Signer) error {
	state, err := c.opts.Exchanger.KeyUpdate(ctx, &KeyUpdateRequest{
		Operator: e.key.Operator, Current: e.key.Certificate, CA: e.key.CA,
		Signer: current, NewKey: newKey, Now: c.now(),
	})
	if err != nil {
		return fmt.Errorf("subscriber: building the renewal request: %w", err)
	}
	item.Transaction = state
	item.Status = StatusQueued
	item.Updated = c.now().UTC()
	return c.opts.Spool.PutOutbox(item)
}

// chooseMedia asks where the new key goes (S8) and its password (S10) or
// the token's PIN (S11).
func (c *Client) chooseMedia(ctx context.Context, s *session, e *entry) (*newKeyMedia, error) {
	choices := c.mediaChoices(e)
	ch, err := c.opts.Asker.ChooseMedia(ctx, e.key.ID, choices)
	if err != nil {
		return nil, err
	}
	nk := &newKeyMedia{choice: ch}
	p := Prompt{Key: e.key.ID, Subject: e.subject(), Media: ch.String(), Purpose: PurposeNewKey}
	if ch.Kind == media.KindToken {
		nk.token, err = s.token(ctx, ch.Module, ch.Token, e.key.ID, PurposeNewKey)
		return nk, err
	}
	for p.Attempt = 1; p.Attempt <= c.opts.Attempts; p.Attempt++ {
		pw, err := c.opts.Asker.NewPassword(ctx, p)
		if err != nil {
			return nil, err
		}
		if len(pw) > 0 {
			nk.password = pw
			return nk, nil
		}
		// S10: an empty password only after a warning and a yes.
		ok, err := c.opts.Asker.ConfirmEmptyPassword(ctx, p)
		if err != nil {
			return nil, err
		}
		if ok {
			nk.empty = true
			return nk, nil
		}
	}
	return nil, ErrCancelled
}

// mediaChoices lists where a new key can go (S8): the current key's media
// first, recommended; then the other drives present; then the tokens.
func (c *Client) mediaChoices(e *entry) []MediaChoice {
	var out []MediaChoice
	seen := map[string]bool{}
	add := func(ch MediaChoice) {
		if !seen[ch.String()] {
			seen[ch.String()] = true
			out = append(out, ch)
		}
	}
	if e.key.Kind == media.KindToken {
		add(MediaChoice{Kind: media.KindToken, Module: e.module, Token: e.key.Media,
			Current: true, Recommended: true})
	} else if c.mediaPresent(e.key.Media) {
		add(MediaChoice{Kind: media.KindFile, Root: e.key.Media, Current: true,
			Recommended: true})
	}
	for _, r := range c.opts.Finder.Roots() {
		if c.mediaPresent(r) {
			add(MediaChoice{Kind: media.KindFile, Root: r})
		}
	}
	if c.opts.Tokens != nil {
		infos, err := c.opts.Tokens.Tokens()
		if err != nil {
			c.log.Warn("listing tokens", "err", err)
		}
		for _, i := range infos {
			add(MediaChoice{Kind: media.KindToken, Module: i.Module, Token: i.Label})
		}
	}
	return out
}

// generate makes the new key on the media chosen (S9: crypto/rand) and
// writes it pending, naming the key it replaces.
func (c *Client) generate(nk *newKeyMedia, e *entry) (string, crypto.Signer, pki.Warning, error) {
	prof, err := pki.ProfileByName(e.key.Profile)
	if err != nil {
		prof = pki.ProfileGOST256
	}
	if e.key.CA == nil {
		return "", nil, "", fmt.Errorf("subscriber: key %s has no CA certificate", e.key.ID)
	}
	if nk.choice.Kind == media.KindToken {
		k, sg, err := nk.token.Generate(&token.GenerateOptions{Profile: prof, CA: e.key.CA.Raw,
			OperatorURL: e.key.Operator, Office: e.key.Office, Replaces: e.key.ID,
			Now: c.opts.Now})
		if err != nil {
			return "", nil, "", err
		}
		return k.ID, sg, "", nil
	}
	ct, sg, warn, err := media.Create(nk.choice.Root, &media.CreateOptions{
		Profile: prof, Password: nk.password, AllowEmptyPassword: nk.empty,
		CA: e.key.CA.Raw, OperatorURL: e.key.Operator, Office: e.key.Office, Replaces: e.key.ID,
		Encryption: c.opts.Encryption, Now: c.opts.Now,
	})
	if errors.Is(err, media.ErrMediaMissing) {
		return "", nil, "", &MediaMissingError{Key: e.key.ID, Media: nk.choice.Root}
	}
	if err != nil {
		return "", nil, "", err
	}
	return ct.ID(), sg, warn, nil
}
