package subscriber

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"rekey/cmp"
	"rekey/internal/i18n"
	"rekey/media"
	"rekey/pki"
)

// maxJitter bounds the jitter added to the operator's checkAfter.
const maxJitter = 5 * time.Minute

// SyncResult is what Sync did (for --json).
type SyncResult struct {
	// Recovered lists the steps a crashed run left and Sync finished.
	Recovered []string `json:"recovered,omitempty"`
	// Renewed lists the keys renewed by this sync (S17).
	Renewed []Renewal `json:"renewed"`
	// Pending lists the requests still under way.
	Pending []PendingRequest `json:"pending"`
	// Refused lists the requests the operator refused in this sync.
	Refused []RefusedError `json:"refused,omitempty"`
	// Failures counts the exchanges that failed in this sync.
	Failures int `json:"failures"`
}

// Renewal is a finished renewal: the new key's validity (S17).
type Renewal struct {
	OldKey      string    `json:"old_key"`
	NewKey      string    `json:"new_key"`
	Media       string    `json:"media"`
	KeyExpires  time.Time `json:"key_expires"`
	NotAfter    time.Time `json:"not_after"`
	DaysLeft    int       `json:"days_left"`
	Certificate string    `json:"certificate,omitempty"` // its file, "" on a token
}

// PendingRequest is a request still under way after the sync.
type PendingRequest struct {
	Outbox      string    `json:"outbox"`
	Key         string    `json:"key"`
	NewKey      string    `json:"new_key,omitempty"`
	Status      Status    `json:"status"`
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	Attempts    int       `json:"attempts"`
	LastError   string    `json:"last_error,omitempty"`
}

// Sync is the mail exchange (S16, S17). It first finishes what a crashed
// run left on the media (media.Finish), then takes every renewal in the
// outbox one step at a time as far as it goes: completes an interrupted
// draft, sends what is queued, polls what waits (not before the
// operator's checkAfter), receives and confirms the certificate, installs
// it beside the new key and archives the old key. It reports each key
// renewed with its new validity.
//
// Sync is idempotent and safe to run from cron: every step is recorded
// before the next begins, and a step that was done is not done again. An
// operator that cannot be reached leaves the item as it was, with the
// attempt counted and the error kept (ErrUnreachable); a missing media
// leaves it too (ErrMediaMissing). The error joins every item's error.
func (c *Client) Sync(ctx context.Context) (*SyncResult, error) {
	if c.opts.Asker == nil || c.opts.Exchanger == nil || c.opts.Spool == nil {
		return nil, errors.New("subscriber: Sync needs an Asker, an Exchanger and a spool")
	}
	if err := c.opts.Spool.Lock(); err != nil {
		return nil, err
	}
	defer c.opts.Spool.Unlock()
	res := &SyncResult{Renewed: []Renewal{}, Pending: []PendingRequest{}}
	var errs []error

	// 1. Finish the media steps a crash interrupted.
	cs, _ := c.opts.Finder.Find()
	done, ferrs := media.Finish(cs)
	for _, d := range done {
		c.log.Info("recovered", "step", d)
		c.notice(ctx, "", Info, "", i18n.SubRecovered, d)
	}
	res.Recovered = done
	errs = append(errs, ferrs...)

	// 2. The outbox, oldest first. An unreadable item is reported; the
	// others go on.
	outbox, oerrs := c.opts.Spool.Outbox()
	errs = append(errs, oerrs...)
	s := c.newSession()
	defer s.close()
	for _, it := range outbox {
		if it.Kind != KindKeyUpdate || it.Status.Final() {
			continue
		}
		if err := c.syncItem(ctx, s, it, res); err != nil {
			c.log.Error("sync", "outbox", it.ID, "key", it.Key, "status", it.Status, "err", err)
			res.Failures++
			errs = append(errs, c.keyError(it.Key, err))
		}
		if !it.Status.Final() {
			res.Pending = append(res.Pending, PendingRequest{Outbox: it.ID, Key: it.Key,
				NewKey: it.NewKey, Status: it.Status, NextAttempt: it.NextAttempt,
				Attempts: it.Attempts, LastError: it.LastError})
		}
	}
	return res, errors.Join(errs...)
}

// syncItem takes one renewal as far as it goes now.
func (c *Client) syncItem(ctx context.Context, s *session, it *OutboxItem, res *SyncResult) error {
	es, _ := c.inventory()
	moved := false // the item changed status in this run, which said so
	for {
		var err error
		before := it.Status
		switch it.Status {
		case StatusDraft:
			err = c.finishDraft(ctx, s, es, it)
		case StatusQueued:
			err = c.send(ctx, s, es, it)
		case StatusSent:
			if c.now().Before(it.NextAttempt) {
				if !moved { // just sent: SubWaiting said when to look again
					c.notice(ctx, "S17", Info, it.Key, i18n.SubNotYet, it.Key,
						c.fmtTime(it.NextAttempt))
				}
				return nil
			}
			err = c.poll(ctx, s, es, it)
		case StatusReceived:
			err = c.confirm(ctx, s, es, it)
		case StatusConfirmed:
			var r *Renewal
			if r, err = c.install(ctx, s, es, it); err == nil {
				res.Renewed = append(res.Renewed, *r)
			}
		default:
			return nil
		}
		if err != nil {
			var re *RefusedError
			if errors.As(err, &re) {
				res.Refused = append(res.Refused, *re)
			}
			return err
		}
		if it.Status == before || it.Status.Final() {
			return nil // waiting, or done
		}
		moved = true
		es, _ = c.inventory()
	}
}

// put records the item's new state.
func (c *Client) put(it *OutboxItem, st Status) error {
	it.Status = st
	it.Updated = c.now().UTC()
	return c.opts.Spool.PutOutbox(it)
}

// finishDraft completes a renewal that a crash interrupted in Renew: when
// the new key was written, the request is built (asking the new key's
// password for its proof of possession) and queued; when no key was
// written, the draft is abandoned and the key may be renewed again.
func (c *Client) finishDraft(ctx context.Context, s *session, es []*entry, it *OutboxItem) error {
	if it.NewKey == "" {
		for _, e := range es {
			if e.key.State == media.StatePending && e.key.Replaces == it.Key &&
				mediaName(e) == it.Media && !e.key.Created.Before(it.Created) {
				it.NewKey = e.key.ID
			}
		}
	}
	var ne *entry
	if it.NewKey != "" {
		ne = findOn(es, it.NewKey, it.Media)
	}
	if ne == nil {
		if !c.mediaPresent(it.Media) {
			return &MediaMissingError{Key: it.Key, Media: it.Media}
		}
		it.LastError = "the renewal was interrupted before the new key was written"
		c.notice(ctx, "", Warning, it.Key, i18n.SubAbandoned, it.Key)
		return c.put(it, StatusAbandoned)
	}
	old := findOn(es, it.Key, "")
	if old == nil {
		return &MediaMissingError{Key: it.Key, Media: c.lastMedia(it.Key)}
	}
	newKey, err := s.signer(ctx, ne, PurposeNewKeyProof)
	if err != nil {
		return err
	}
	c.notice(ctx, "", Info, it.Key, i18n.SubDraftFinished, it.Key, it.NewKey)
	return c.queue(ctx, it, old, &lazySigner{ctx: ctx, s: s, e: old,
		purpose: PurposeSignRequest}, newKey)
}

// lastMedia names the media a key was last seen on, for a message.
func (c *Client) lastMedia(key string) string {
	return fmt.Sprintf("the media holding key %s", key)
}

// keysPresent returns the current and the new key's entries; both media
// must be present (S16).
func (c *Client) keysPresent(es []*entry, it *OutboxItem) (old, nw *entry, err error) {
	old = findOn(es, it.Key, "")
	if old == nil {
		return nil, nil, &MediaMissingError{Key: it.Key, Media: c.lastMedia(it.Key)}
	}
	nw = findOn(es, it.NewKey, it.Media)
	if nw == nil {
		return nil, nil, &MediaMissingError{Key: it.NewKey, Media: it.Media}
	}
	return old, nw, nil
}

// send sends a queued request (S16).
func (c *Client) send(ctx context.Context, s *session, es []*entry, it *OutboxItem) error {
	old, _, err := c.keysPresent(es, it)
	if err != nil {
		return err
	}
	// A request not yet sent cannot be accepted once the current key is
	// on its last day (O1): refuse it here rather than at the operator.
	if old.key.Certificate != nil {
		switch st, _ := timeState(old.key.KeyExpires, c.now(), c.loc); st {
		case StateLastDay, StateExpired:
			reason := ErrLastDay
			if st == StateExpired {
				reason = ErrExpired
			}
			it.Refusal = &Refusal{Failure: "local",
				RU: i18n.T(i18n.RU, i18n.SubExpired, it.Key, c.office(it.Key, i18n.RU)),
				EN: i18n.T(i18n.EN, i18n.SubExpired, it.Key, c.office(it.Key, i18n.EN))}
			it.LastError = reason.Error()
			c.notice(ctx, "S5", Warning, it.Key, i18n.SubExpired, it.Key,
				c.office(it.Key, c.opts.Lang))
			if err := c.put(it, StatusRefused); err != nil {
				return err
			}
			return reason
		}
	}
	signer := &lazySigner{ctx: ctx, s: s, e: old, purpose: PurposeSignExchange}
	// An attempt counted before that got no answer may have reached the
	// operator, its answer lost: this is the same kur again.
	again := it.Attempts > 0 && it.Passing == nil
	reply, err := c.opts.Exchanger.Send(ctx, it.Operator, it.Transaction, signer)
	if err != nil {
		return c.failed(it, signer, err)
	}
	if passing(reply, again) {
		return c.notNow(it, reply)
	}
	c.notice(ctx, "S16", Info, it.Key, i18n.SubSent, it.Key)
	return c.answer(ctx, it, reply, stepSent)
}

// poll asks for the certificate of a sent request.
func (c *Client) poll(ctx context.Context, s *session, es []*entry, it *OutboxItem) error {
	old, _, err := c.keysPresent(es, it)
	if err != nil {
		return err
	}
	signer := &lazySigner{ctx: ctx, s: s, e: old, purpose: PurposeSignExchange}
	reply, err := c.opts.Exchanger.Poll(ctx, it.Operator, it.Transaction, signer)
	if err != nil {
		return c.failed(it, signer, err)
	}
	if passing(reply, false) {
		return c.notNow(it, reply)
	}
	return c.answer(ctx, it, reply, "")
}

// passing reports whether r is a refusal that is the operator's passing
// state rather than its decision on the request, so that the request
// stays queued instead of being refused for good: an internal error of
// the operator (systemFailure, whose text says to try again later; the
// request may well have been stored, or even issued, before it), or, for
// a kur sent again after an answer that was lost (again),
// transactionIdInUse: the first copy is still being processed there, and
// the next exchange finds its transaction. (A first kur refused as
// transactionIdInUse is a decision: the operator has another request
// under that transaction; so is one sent again after a passing refusal,
// which the operator may have closed the transaction with, so that a
// passing refusal never repeats for ever on one transaction.)
func passing(r *Reply, again bool) bool {
	if r.Status != Refused {
		return false
	}
	for _, f := range strings.Split(r.Failure, ",") {
		if f == failSystem || (again && f == failTransactionInUse) {
			return true
		}
	}
	return false
}

// The PKIFailureInfo names that passing looks for in Reply.Failure.
var (
	failSystem           = cmp.FailSystemFailure.String()
	failTransactionInUse = cmp.FailTransactionIDInUse.String()
)

// notNow records r, a passing refusal (see passing), as an exchange that
// did not get the operator's decision: see attempted.
func (c *Client) notNow(it *OutboxItem, r *Reply) error {
	refusal := &Refusal{Failure: r.Failure, RU: r.RU, EN: r.EN}
	return c.attempted(it, fmt.Errorf("the operator answered %s: %s", r.Failure, r.EN),
		refusal)
}

// failed records an exchange that did not reach the operator: the item
// keeps its status, the attempt is counted and the error kept. When the
// current key could not sign (no password, a wrong one), nothing was sent:
// that error is returned and no attempt is counted.
func (c *Client) failed(it *OutboxItem, signer *lazySigner, cause error) error {
	if err := signer.failed(); err != nil {
		return err
	}
	return c.attempted(it, cause, nil)
}

// attempted records an exchange that got no decision of the operator:
// the item keeps its status, the attempt is counted, cause kept, and
// answered (the operator's passing refusal, or nil when no answer came)
// kept as the item's Passing.
func (c *Client) attempted(it *OutboxItem, cause error, answered *Refusal) error {
	it.Attempts++
	it.LastAttempt = c.now().UTC()
	it.LastError, it.Passing = cause.Error(), answered
	if err := c.opts.Spool.PutOutbox(it); err != nil {
		return errors.Join(cause, err)
	}
	return &UnreachableError{Operator: it.Operator, Attempts: it.Attempts, Err: cause,
		Answered: answered}
}

// answer records the operator's answer to Send or Poll.
func (c *Client) answer(ctx context.Context, it *OutboxItem, r *Reply, crash string) error {
	if len(r.State) > 0 {
		it.Transaction = r.State
	}
	it.LastError, it.Passing = "", nil
	switch r.Status {
	case Waiting:
		after := r.CheckAfter
		it.NextAttempt = c.now().Add(after + c.opts.Jitter(min(after/10+time.Second, maxJitter))).UTC()
		c.notice(ctx, "S17", Info, it.Key, i18n.SubWaiting, it.Key,
			c.fmtTime(it.NextAttempt))
		if err := c.put(it, StatusSent); err != nil {
			return err
		}
		if crash != "" {
			return c.step(crash)
		}
		return nil
	case Refused:
		it.Refusal = &Refusal{Failure: r.Failure, RU: r.RU, EN: r.EN}
		re := &RefusedError{Key: it.Key, Failure: r.Failure, RU: r.RU, EN: r.EN}
		if re.BadTime() {
			// The clock is wrong, not the key: no office for this.
			c.notice(ctx, "", Warning, it.Key, i18n.SubRefusedClock, it.Key,
				re.Text(string(c.opts.Lang)))
		} else {
			// The operator's text is a sentence of its own; it often names
			// the office already, which is then not said twice.
			text := strings.TrimRight(re.Text(string(c.opts.Lang)), ". ")
			office := c.office(it.Key, c.opts.Lang)
			if strings.Contains(text, office) {
				c.notice(ctx, "", Warning, it.Key, i18n.SubRefusedOffice, it.Key, text)
			} else {
				c.notice(ctx, "", Warning, it.Key, i18n.SubRefused, it.Key, text, office)
			}
		}
		if err := c.put(it, StatusRefused); err != nil {
			return err
		}
		return re
	case Issued:
		return c.receive(ctx, it, r.Certificate, crash)
	}
	return fmt.Errorf("subscriber: the exchanger answered %q", r.Status)
}

// receive checks the certificate and keeps it in the inbox.
func (c *Client) receive(ctx context.Context, it *OutboxItem, der []byte, crash string) error {
	cert, err := pki.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("subscriber: the operator sent a certificate that cannot be read: %v", err)
	}
	if id, err := media.KeyID(cert.PublicKey); err != nil || id != it.NewKey {
		return fmt.Errorf("subscriber: the operator sent a certificate for another key (%s), "+
			"not for %s", id, it.NewKey)
	}
	in := &InboxItem{Format: SpoolFormat, Kind: KindCertificate, Received: c.now().UTC(),
		Outbox: it.ID, Key: it.NewKey, Data: der}
	if in.ID, err = newItemID(c.now()); err != nil {
		return err
	}
	if err := c.opts.Spool.PutInbox(in); err != nil {
		return err
	}
	it.Inbox = in.ID
	if err := c.put(it, StatusReceived); err != nil {
		return err
	}
	if crash != "" {
		if err := c.step(crash); err != nil {
			return err
		}
	}
	return c.step(stepReceived)
}

// confirm accepts the certificate received (certConf).
func (c *Client) confirm(ctx context.Context, s *session, es []*entry, it *OutboxItem) error {
	old, _, err := c.keysPresent(es, it)
	if err != nil {
		return err
	}
	signer := &lazySigner{ctx: ctx, s: s, e: old, purpose: PurposeSignExchange}
	state, err := c.opts.Exchanger.Confirm(ctx, it.Operator, it.Transaction, signer)
	if err != nil {
		return c.failed(it, signer, err)
	}
	if len(state) > 0 {
		it.Transaction = state
	}
	if err := c.put(it, StatusConfirmed); err != nil {
		return err
	}
	return c.step(stepConfirm)
}

// install puts the certificate beside the new key, archives the old key
// and closes the item (S17).
func (c *Client) install(ctx context.Context, s *session, es []*entry, it *OutboxItem) (*Renewal, error) {
	in, err := c.opts.Spool.InboxItem(it.Inbox)
	if err != nil {
		return nil, err
	}
	nw := findOn(es, it.NewKey, it.Media)
	if nw == nil {
		return nil, &MediaMissingError{Key: it.NewKey, Media: it.Media}
	}
	if err := c.installCert(ctx, s, nw, in.Data); err != nil {
		return nil, err
	}
	if err := c.step(stepInstall); err != nil {
		return nil, err
	}
	if err := c.archiveOld(ctx, s, es, it); err != nil {
		return nil, err
	}
	if err := c.step(stepArchived); err != nil {
		return nil, err
	}
	if !in.Processed {
		in.Processed, in.ProcessedAt = true, c.now().UTC()
		if err := c.opts.Spool.PutInbox(in); err != nil {
			return nil, err
		}
	}
	if err := c.put(it, StatusDone); err != nil {
		return nil, err
	}
	cert, _ := pki.ParseCertificate(in.Data)
	r := &Renewal{OldKey: it.Key, NewKey: it.NewKey, Media: it.Media,
		KeyExpires: cert.KeyExpires().UTC(), NotAfter: cert.NotAfter.UTC(),
		DaysLeft: DaysLeft(cert.KeyExpires(), c.now(), c.loc)}
	if nw.container != nil {
		r.Certificate = nw.container.Key().CertificatePath
	}
	c.log.Info("renewed", "key", it.Key, "new_key", it.NewKey, "key_expires", r.KeyExpires)
	c.notice(ctx, "S17", Done, it.NewKey, i18n.SubRenewed, it.Key, it.NewKey,
		c.fmtTime(r.KeyExpires), r.DaysLeft)
	return r, nil
}

func (c *Client) installCert(ctx context.Context, s *session, nw *entry, der []byte) error {
	if nw.container != nil {
		if _, err := os.Stat(nw.container.Dir); err != nil {
			return &MediaMissingError{Key: nw.key.ID, Media: nw.key.Media}
		}
		return nw.container.InstallCertificate(der)
	}
	t, err := s.token(ctx, nw.module, nw.key.Media, nw.key.ID, PurposeNewKey)
	if err != nil {
		return err
	}
	return t.InstallCertificate(nw.key.ID, der)
}

// archiveOld archives every copy of the old key present (the original
// and any backup beside it), with the new key as successor: they keep
// decrypting and never sign again.
func (c *Client) archiveOld(ctx context.Context, s *session, es []*entry, it *OutboxItem) error {
	var errs []error
	n := 0
	for _, e := range find(es, it.Key) {
		if e.key.State == media.StatePending {
			continue
		}
		n++
		var err error
		if e.container != nil {
			err = e.container.Archive(it.NewKey)
		} else {
			var t Token
			if t, err = s.token(ctx, e.module, e.key.Media, e.key.ID, PurposeArchive); err == nil {
				err = t.Archive(e.key.ID, it.NewKey)
			}
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.notice(ctx, "", Info, it.Key, i18n.SubArchived, it.Key, mediaName(e))
	}
	if n == 0 {
		return &MediaMissingError{Key: it.Key, Media: c.lastMedia(it.Key)}
	}
	return errors.Join(errs...)
}
