package subscriber

import (
	"context"
	"time"

	"rekey/internal/i18n"
	"rekey/media"
	"rekey/pki"
)

// ReminderDays is how close a key's last day is when the reminder of S4
// starts: 30 days or less.
const ReminderDays = 30

// State is what `rekey keys` says of a key: its media state, its renewal
// in the outbox, and its last day on the clock.
type State string

// The states of a key.
const (
	StateValid     State = "valid"             // more than ReminderDays days left
	StateExpiring  State = "expiring"          // ReminderDays days or less left: renew (S4)
	StateLastDay   State = "last_day"          // today is the last day: office only (S5)
	StateExpired   State = "expired"           // may no longer sign: office only
	StateRequested State = "renewal_requested" // a renewal is queued, not yet sent
	StateWaiting   State = "waiting"           // sent; waiting for the certificate
	StateRenewed   State = "renewed"           // its successor is installed; archiving remains
	StateArchived  State = "archived"          // replaced: decrypts, never signs
	StateRefused   State = "refused"           // a new key whose request was refused
)

// KeyStatus is one key with its state.
type KeyStatus struct {
	Key   media.Key
	State State
	// DaysLeft counts calendar days in the subscriber's zone from today to
	// the key's last day: 0 on the last day, negative once expired. Zero
	// for a key without a certificate.
	DaysLeft int
	// Request is the renewal the key takes part in (as the current key or
	// as the new one), nil for none.
	Request *OutboxItem
}

// KeyJSON is a KeyStatus as `rekey keys --json` prints it.
type KeyJSON struct {
	ID          string       `json:"id"`
	Kind        media.Kind   `json:"kind"`
	Media       string       `json:"media"`
	TokenSerial string       `json:"token_serial,omitempty"` // a token's serial number
	Subject     *pki.Subject `json:"subject,omitempty"`
	Profile     string       `json:"profile"`
	KeyExpires  *time.Time   `json:"key_expires,omitempty"`
	DaysLeft    *int         `json:"days_left,omitempty"`
	State       State        `json:"state"`
	Certificate string       `json:"certificate,omitempty"`
	Replaces    string       `json:"replaces,omitempty"`
	Successor   string       `json:"successor,omitempty"`
	Request     string       `json:"request,omitempty"`
}

// JSON returns the key's JSON form.
func (k *KeyStatus) JSON() KeyJSON {
	j := KeyJSON{ID: k.Key.ID, Kind: k.Key.Kind, Media: k.Key.Media,
		TokenSerial: k.Key.TokenSerial, Profile: k.Key.Profile,
		State: k.State, Certificate: k.Key.CertificatePath, Replaces: k.Key.Replaces,
		Successor: k.Key.Successor}
	if k.Key.Certificate != nil {
		j.Subject = k.Key.Certificate.Subject
		t := k.Key.KeyExpires.UTC()
		d := k.DaysLeft
		j.KeyExpires, j.DaysLeft = &t, &d
	}
	if k.Request != nil {
		j.Request = k.Request.ID
	}
	return j
}

// DaysLeft returns the calendar days in loc from now to the day of
// expires: 0 when expires falls today, negative when it is past. It is
// pki.DaysLeft, the count the operator uses too.
func DaysLeft(expires, now time.Time, loc *time.Location) int {
	return pki.DaysLeft(expires, now, loc)
}

// timeState is the state of an active key by the clock alone.
func timeState(expires, now time.Time, loc *time.Location) (State, int) {
	days := DaysLeft(expires, now, loc)
	switch {
	case !now.Before(expires) || days < 0:
		return StateExpired, days
	case days == 0:
		return StateLastDay, 0
	case days <= ReminderDays:
		return StateExpiring, days
	}
	return StateValid, days
}

// Classify computes the state of each key from the media states, the
// outbox and the clock (now, in loc).
func Classify(keys []media.Key, outbox []*OutboxItem, now time.Time, loc *time.Location) []KeyStatus {
	active := map[string]bool{}
	for _, k := range keys {
		if k.State == media.StateActive {
			active[k.ID] = true
		}
	}
	out := make([]KeyStatus, len(keys))
	for i, k := range keys {
		ks := KeyStatus{Key: k}
		if k.Certificate != nil {
			ks.State, ks.DaysLeft = timeState(k.KeyExpires, now, loc)
		}
		ks.Request = requestOf(k.ID, outbox)
		switch {
		case k.State == media.StateArchived:
			ks.State = StateArchived
		case k.State == media.StatePending:
			ks.State = StateWaiting
			if r := ks.Request; r != nil {
				ks.State = requestState(r.Status)
			}
		case successorActive(k, keys):
			ks.State = StateRenewed
		case ks.Request != nil && !ks.Request.Status.Final():
			ks.State = requestState(ks.Request.Status)
		}
		out[i] = ks
	}
	return out
}

// requestOf returns the latest key update that key takes part in.
func requestOf(key string, outbox []*OutboxItem) *OutboxItem {
	var found *OutboxItem
	for _, it := range outbox {
		if it.Kind == KindKeyUpdate && it.Status != StatusAbandoned &&
			(it.Key == key || it.NewKey == key) {
			found = it // items come oldest first
		}
	}
	return found
}

func requestState(s Status) State {
	switch s {
	case StatusDraft, StatusQueued:
		return StateRequested
	case StatusRefused:
		return StateRefused
	}
	return StateWaiting
}

// successorActive reports whether an active key names k as the key it
// replaces while k is still active.
func successorActive(k media.Key, keys []media.Key) bool {
	if k.State != media.StateActive {
		return false
	}
	for _, o := range keys {
		if o.State == media.StateActive && o.Replaces == k.ID {
			return true
		}
	}
	return false
}

// Keys returns every key on the media present with its state (without a
// spool, as if no renewal were under way). Media or
// spool items that cannot be read are reported in the errors without
// hiding the rest.
func (c *Client) Keys(ctx context.Context) ([]KeyStatus, []error) {
	es, errs := c.inventory()
	var outbox []*OutboxItem
	var oerrs []error
	if c.opts.Spool != nil {
		outbox, oerrs = c.opts.Spool.Outbox()
	}
	keys := make([]media.Key, len(es))
	for i, e := range es {
		keys[i] = e.key
	}
	return Classify(keys, outbox, c.now(), c.loc), append(errs, oerrs...)
}

// Reminder is the reminder of S4 for one key: its last day is
// ReminderDays days away or less.
type Reminder struct {
	Key      string    `json:"key"`
	Subject  string    `json:"subject"`
	DaysLeft int       `json:"days_left"`
	LastDay  time.Time `json:"key_expires"`
	State    State     `json:"state"`
	// Command renews the key; empty when only the office can (S5).
	Command string `json:"command,omitempty"`
}

// Notice returns the reminder as a notice for the person.
func (r Reminder) Notice() Notice {
	n := Notice{Step: "S4", Level: Warning, Key: r.Key}
	switch r.State {
	case StateLastDay:
		n.Msg, n.Args = i18n.SubReminderLastDay, []any{r.Key, r.Subject}
	case StateExpired:
		n.Msg, n.Args = i18n.SubReminderExpired, []any{r.Key, r.Subject}
	default:
		n.Msg, n.Args = i18n.SubReminder, []any{r.Key, r.Subject, r.DaysLeft, r.Command}
	}
	return n
}

// Reminders returns the reminders for the keys (S4): every active key
// whose last day is ReminderDays days away or less and that has no
// renewal under way, the nearest first. A key on its last day or expired
// gets a reminder without a command: it goes to the office.
func Reminders(keys []KeyStatus) []Reminder {
	var out []Reminder
	seen := map[string]bool{}
	for _, k := range keys {
		if k.Key.State != media.StateActive || seen[k.Key.ID] {
			continue
		}
		switch k.State {
		case StateExpiring, StateLastDay, StateExpired:
		default:
			continue
		}
		seen[k.Key.ID] = true
		r := Reminder{Key: k.Key.ID, DaysLeft: k.DaysLeft, LastDay: k.Key.KeyExpires,
			State: k.State}
		if s := k.Key.Certificate.Subject; s != nil {
			r.Subject = s.CommonName
		}
		if k.State == StateExpiring {
			r.Command = "rekey renew " + k.Key.ID
		}
		out = append(out, r)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].LastDay.Before(out[j-1].LastDay); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Reminders returns the reminders for the keys on the media present.
func (c *Client) Reminders(ctx context.Context) ([]Reminder, []error) {
	keys, errs := c.Keys(ctx)
	return Reminders(keys), errs
}

// ExpiringKeys returns the IDs of the keys due for renewal now (state
// StateExpiring: in the reminder window, not on their last day), in the
// order Keys lists them: what `rekey renew --all-expiring` renews. Media
// that cannot be read are left out, as Keys reports them.
func (c *Client) ExpiringKeys(ctx context.Context) []string {
	keys, _ := c.Keys(ctx)
	var ids []string
	for _, k := range keys {
		if k.State == StateExpiring {
			ids = append(ids, k.Key.ID)
		}
	}
	return ids
}
