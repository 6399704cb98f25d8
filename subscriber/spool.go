package subscriber

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// SpoolFormat is the format of the spool's items this package writes and
// reads; an item with another one is refused, not misread.
const SpoolFormat = 1

// The spool's directories and files; see the package documentation.
const (
	OutboxDir = "outbox"
	InboxDir  = "inbox"
	lockFile  = "lock"
	itemExt   = ".json"
)

// ItemKind is what a spool item carries.
type ItemKind string

// Kinds of outbox and inbox items. Submissions and CMS confirmations are
// the document exchange that comes later; the spool already keeps them
// and S3 already counts them.
const (
	KindKeyUpdate   ItemKind = "key-update"  // outbox: a renewal request (kur)
	KindSubmission  ItemKind = "submission"  // outbox: a signed, encrypted document
	KindCertificate ItemKind = "certificate" // inbox: a certificate issued
	KindCMS         ItemKind = "cms"         // inbox: a CMS confirmation or answer
)

// Status is where an outbox item is in its exchange. Items move forward
// only: draft → queued → sent → received → confirmed → done, or to
// refused or abandoned.
type Status string

// The statuses of an outbox item.
const (
	// StatusDraft: renew began writing the new key; the request is not
	// built yet. Sync completes it or, when no key was written, abandons it.
	StatusDraft Status = "draft"
	// StatusQueued: the request is built and signed; not sent yet.
	StatusQueued Status = "queued"
	// StatusSent: sent; the operator answered "waiting".
	StatusSent Status = "sent"
	// StatusReceived: the certificate is in the inbox, not yet confirmed.
	StatusReceived Status = "received"
	// StatusConfirmed: certConf was accepted; install and archive remain.
	StatusConfirmed Status = "confirmed"
	// StatusDone: installed; the old key archived.
	StatusDone Status = "done"
	// StatusRefused: the operator refused (Refusal says why).
	StatusRefused Status = "refused"
	// StatusAbandoned: an interrupted renewal that wrote no key.
	StatusAbandoned Status = "abandoned"
)

// Final reports whether the item's exchange is over.
func (s Status) Final() bool {
	return s == StatusDone || s == StatusRefused || s == StatusAbandoned
}

func (s Status) valid() bool {
	switch s {
	case StatusDraft, StatusQueued, StatusSent, StatusReceived, StatusConfirmed,
		StatusDone, StatusRefused, StatusAbandoned:
		return true
	}
	return false
}

// OutboxItem is one message to send and its exchange, in one file.
type OutboxItem struct {
	Format  int       `json:"format"`
	ID      string    `json:"id"`
	Kind    ItemKind  `json:"kind"`
	Status  Status    `json:"status"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Key is the key that signs (for a renewal, the current key).
	Key string `json:"key"`
	// NewKey and Media name the new key of a renewal and where it is (a
	// media root, or "token:LABEL").
	NewKey string `json:"new_key,omitempty"`
	Media  string `json:"media,omitempty"`
	// Operator is the CMP URL the message goes to.
	Operator string `json:"operator"`
	// Transaction is the CMP transaction state (Exchanger), opaque here.
	Transaction []byte `json:"transaction,omitempty"`
	// Attempts counts the exchanges that failed to reach the operator;
	// LastError is the last such failure.
	Attempts    int       `json:"attempts"`
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	// Passing is the operator's answer to the last attempt when it was a
	// passing refusal (an internal error; see Client.Sync), nil when the
	// last attempt got no answer or a decision.
	Passing *Refusal `json:"passing,omitempty"`
	// NextAttempt is the earliest time to poll (the operator's
	// checkAfter, with jitter).
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	// Inbox is the inbox item that answers this one.
	Inbox string `json:"inbox,omitempty"`
	// Refusal is the operator's refusal.
	Refusal *Refusal `json:"refusal,omitempty"`
}

// Refusal is an operator's refusal as kept in the outbox.
type Refusal struct {
	Failure string `json:"failure"`
	RU      string `json:"ru"`
	EN      string `json:"en"`
}

// Text returns the operator's text in lang ("ru" or "en").
func (r *Refusal) Text(lang string) string { return textIn(lang, r.RU, r.EN) }

// InboxItem is one thing received, in one file.
type InboxItem struct {
	Format   int       `json:"format"`
	ID       string    `json:"id"`
	Kind     ItemKind  `json:"kind"`
	Received time.Time `json:"received"`
	// Outbox is the outbox item it answers; Key the key it is for (a new
	// certificate: the new key).
	Outbox string `json:"outbox,omitempty"`
	Key    string `json:"key,omitempty"`
	// Data is the DER received (a certificate, a CMS message).
	Data        []byte    `json:"data"`
	Processed   bool      `json:"processed"`
	ProcessedAt time.Time `json:"processed_at,omitzero"`
}

// ItemError reports a spool item that cannot be read; the other items
// are still read.
type ItemError struct {
	Path string
	Err  error
}

func (e *ItemError) Error() string {
	return fmt.Sprintf("subscriber: spool item %s: %v (move the file away to go on; "+
		"the other items are not affected)", e.Path, e.Err)
}

func (e *ItemError) Unwrap() error { return e.Err }

// Spool is the client's outbox and inbox on disk: one JSON file per item,
// each written atomically (see the package documentation).
type Spool struct {
	dir  string
	lock *os.File
}

// DefaultSpoolDir returns the spool directory of the user:
// $XDG_STATE_HOME/rekey/spool, else $HOME/.local/state/rekey/spool.
func DefaultSpoolDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "rekey", "spool"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("subscriber: neither XDG_STATE_HOME nor HOME is set: " +
			"name the spool directory")
	}
	return filepath.Join(home, ".local", "state", "rekey", "spool"), nil
}

// OpenSpool opens the spool in dir, creating it (mode 0700) when needed.
func OpenSpool(dir string) (*Spool, error) {
	for _, d := range []string{dir, filepath.Join(dir, OutboxDir), filepath.Join(dir, InboxDir)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("subscriber: creating the spool: %w", err)
		}
	}
	return &Spool{dir: dir}, nil
}

// Dir returns the spool's directory.
func (s *Spool) Dir() string { return s.dir }

// Lock takes the spool for this process, so that a sync from cron and
// one run by hand do not run the same exchange twice. It fails at once
// when another process holds it. Unlock releases it.
func (s *Spool) Lock() error {
	f, err := os.OpenFile(filepath.Join(s.dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("subscriber: locking the spool: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return fmt.Errorf("subscriber: another rekey is using the spool %s; try again when it "+
			"has finished", s.dir)
	}
	s.lock = f
	return nil
}

// Unlock releases the lock taken by Lock.
func (s *Spool) Unlock() {
	if s.lock != nil {
		s.lock.Close() // closing releases the flock
		s.lock = nil
	}
}

// newItemID returns a new item id: the UTC time, then random hex, so
// that names sort by creation.
func newItemID(now time.Time) (string, error) {
	b := make([]byte, 6)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		return "", fmt.Errorf("subscriber: %w", err)
	}
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b), nil
}

func validItemID(id string) bool {
	if len(id) != 16+1+12 || id[16] != '-' {
		return false
	}
	if _, err := time.Parse("20060102T150405Z", id[:16]); err != nil {
		return false
	}
	_, err := hex.DecodeString(id[17:])
	return err == nil && strings.ToLower(id[17:]) == id[17:]
}

// NewOutboxItem returns a new outbox item (not yet stored).
func NewOutboxItem(kind ItemKind, key, operator string, now time.Time) (*OutboxItem, error) {
	id, err := newItemID(now)
	if err != nil {
		return nil, err
	}
	now = now.UTC().Truncate(time.Second)
	return &OutboxItem{Format: SpoolFormat, ID: id, Kind: kind, Status: StatusDraft,
		Created: now, Updated: now, Key: key, Operator: operator}, nil
}

// PutOutbox stores the item, replacing its previous version atomically.
func (s *Spool) PutOutbox(it *OutboxItem) error {
	if err := it.validate(); err != nil {
		return fmt.Errorf("subscriber: outbox item %s: %w", it.ID, err)
	}
	return s.write(OutboxDir, it.ID, it)
}

// PutInbox stores the item, replacing its previous version atomically.
func (s *Spool) PutInbox(it *InboxItem) error {
	if err := it.validate(); err != nil {
		return fmt.Errorf("subscriber: inbox item %s: %w", it.ID, err)
	}
	return s.write(InboxDir, it.ID, it)
}

func (s *Spool) write(box, id string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("subscriber: encoding %s item %s: %w", box, id, err)
	}
	return writeAtomic(filepath.Join(s.dir, box), id+itemExt, append(data, '\n'))
}

// Outbox returns every outbox item, oldest first. Items that cannot be
// read are reported as *ItemError without hiding the others.
func (s *Spool) Outbox() ([]*OutboxItem, []error) {
	var items []*OutboxItem
	errs := s.scan(OutboxDir, func(path string, data []byte) error {
		it := new(OutboxItem)
		if err := decodeStrict(data, it); err != nil {
			return err
		}
		if err := it.validate(); err != nil {
			return err
		}
		if it.ID+itemExt != filepath.Base(path) {
			return fmt.Errorf("the file is named %s but holds item %s", filepath.Base(path), it.ID)
		}
		items = append(items, it)
		return nil
	})
	return items, errs
}

// Inbox returns every inbox item, oldest first, like Outbox.
func (s *Spool) Inbox() ([]*InboxItem, []error) {
	var items []*InboxItem
	errs := s.scan(InboxDir, func(path string, data []byte) error {
		it := new(InboxItem)
		if err := decodeStrict(data, it); err != nil {
			return err
		}
		if err := it.validate(); err != nil {
			return err
		}
		if it.ID+itemExt != filepath.Base(path) {
			return fmt.Errorf("the file is named %s but holds item %s", filepath.Base(path), it.ID)
		}
		items = append(items, it)
		return nil
	})
	return items, errs
}

// InboxItem returns the inbox item id.
func (s *Spool) InboxItem(id string) (*InboxItem, error) {
	if !validItemID(id) {
		return nil, fmt.Errorf("subscriber: %q is not an inbox item id", id)
	}
	path := filepath.Join(s.dir, InboxDir, id+itemExt)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &ItemError{Path: path, Err: err}
	}
	it := new(InboxItem)
	if err := decodeStrict(data, it); err != nil {
		return nil, &ItemError{Path: path, Err: err}
	}
	if err := it.validate(); err != nil {
		return nil, &ItemError{Path: path, Err: err}
	}
	return it, nil
}

// Unfinished lists the exchanges that are not over: outbox items not
// final and inbox items not processed (S3).
func (s *Spool) Unfinished() ([]Unfinished, []error) {
	out, errs := s.Outbox()
	in, ierrs := s.Inbox()
	var list []Unfinished
	for _, it := range out {
		if !it.Status.Final() {
			list = append(list, Unfinished{ID: it.ID, Box: OutboxDir, Kind: string(it.Kind),
				Key: it.Key, Status: string(it.Status), Created: it.Created})
		}
	}
	for _, it := range in {
		if !it.Processed {
			list = append(list, Unfinished{ID: it.ID, Box: InboxDir, Kind: string(it.Kind),
				Key: it.Key, Status: "unprocessed", Created: it.Received})
		}
	}
	return list, append(errs, ierrs...)
}

func (s *Spool) scan(box string, parse func(path string, data []byte) error) []error {
	dir := filepath.Join(s.dir, box)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return []error{fmt.Errorf("subscriber: reading the %s: %w", box, err)}
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if n := e.Name(); !strings.HasPrefix(n, ".") && strings.HasSuffix(n, itemExt) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var errs []error
	for _, n := range names {
		path := filepath.Join(dir, n)
		data, err := os.ReadFile(path)
		if err == nil {
			err = parse(path, data)
		}
		if err != nil {
			errs = append(errs, &ItemError{Path: path, Err: err})
		}
	}
	return errs
}

// decodeStrict decodes one JSON object into v, refusing unknown fields
// and anything after the object.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("not a valid item: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("not a valid item: data after the JSON object")
	}
	return nil
}

func checkFormat(format int) error {
	switch {
	case format == 0:
		return errors.New(`"format" is missing`)
	case format > SpoolFormat:
		return fmt.Errorf("format %d is newer than this rekey reads (%d): use a newer rekey",
			format, SpoolFormat)
	case format != SpoolFormat:
		return fmt.Errorf("unknown format %d", format)
	}
	return nil
}

func (it *OutboxItem) validate() error {
	if err := checkFormat(it.Format); err != nil {
		return err
	}
	switch {
	case !validItemID(it.ID):
		return fmt.Errorf("%q is not an item id", it.ID)
	case it.Kind != KindKeyUpdate && it.Kind != KindSubmission:
		return fmt.Errorf("unknown outbox kind %q", it.Kind)
	case !it.Status.valid():
		return fmt.Errorf("unknown status %q", it.Status)
	case it.Key == "":
		return errors.New(`"key" is missing`)
	case it.Created.IsZero():
		return errors.New(`"created" is missing`)
	case it.Attempts < 0:
		return errors.New(`"attempts" is negative`)
	case it.Status == StatusRefused && it.Refusal == nil:
		return errors.New(`a refused item has no "refusal"`)
	}
	if it.Kind == KindKeyUpdate && it.Status != StatusDraft && it.Status != StatusAbandoned &&
		(it.NewKey == "" || len(it.Transaction) == 0) {
		return fmt.Errorf(`a %s key update has no "new_key" or "transaction"`, it.Status)
	}
	return nil
}

func (it *InboxItem) validate() error {
	if err := checkFormat(it.Format); err != nil {
		return err
	}
	switch {
	case !validItemID(it.ID):
		return fmt.Errorf("%q is not an item id", it.ID)
	case it.Kind != KindCertificate && it.Kind != KindCMS:
		return fmt.Errorf("unknown inbox kind %q", it.Kind)
	case len(it.Data) == 0:
		return errors.New(`"data" is missing`)
	case it.Received.IsZero():
		return errors.New(`"received" is missing`)
	}
	return nil
}

// writeAtomic replaces dir/name with data: a temporary file in dir
// (its name starts with a dot), synced, renamed over name, and dir synced.
func writeAtomic(dir, name string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return fmt.Errorf("subscriber: writing %s: %w", name, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return fmt.Errorf("subscriber: writing %s: %w", name, err)
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("subscriber: writing %s: %w", name, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("subscriber: syncing %s: %w", name, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("subscriber: writing %s: %w", name, err)
	}
	if err = os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("subscriber: replacing %s: %w", name, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("subscriber: syncing %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("subscriber: syncing %s: %w", dir, err)
	}
	return nil
}
