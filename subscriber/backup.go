package subscriber

import (
	"context"
	"errors"
	"fmt"

	"rekey/internal/i18n"
	"rekey/media"
)

// BackupResult is what Backup did (for --json).
type BackupResult struct {
	Key  string `json:"key"`
	From string `json:"from"` // the container copied
	To   string `json:"to"`   // the verified copy
}

// Backup copies key id's container into the directory dir (another
// drive, say) and verifies the copy by decrypting it and signing with it
// (S18, media.Backup); the password is asked when the key has one. A key
// on a token cannot be copied: the error wraps media.ErrNotExtractable and
// a notice explains why (the key was made non-extractable, which is what
// protects it).
func (c *Client) Backup(ctx context.Context, id, dir string) (*BackupResult, error) {
	if c.opts.Asker == nil {
		return nil, errors.New("subscriber: Backup needs an Asker")
	}
	es, _ := c.inventory()
	keys := make([]media.Key, len(es))
	for i, e := range es {
		keys[i] = e.key
	}
	match, err := media.Find(keys, id)
	if err != nil {
		return nil, fmt.Errorf("subscriber: %w", err)
	}
	e := find(es, match[0].ID)[0]
	if e.key.Kind == media.KindToken {
		if c.opts.Tokens == nil {
			return nil, &MediaMissingError{Key: e.key.ID, Media: "token:" + e.key.Media}
		}
		t, err := c.opts.Tokens.Open(e.module, e.key.Media)
		if err != nil {
			return nil, err
		}
		defer t.Close()
		c.notice(ctx, "S18", Warning, e.key.ID, i18n.SubTokenNoBackup, e.key.ID, e.key.Media)
		return nil, fmt.Errorf("subscriber: %w", t.Backup(e.key.ID))
	}
	var last error
	for attempt := 1; attempt <= c.opts.Attempts; attempt++ {
		var pw []byte
		if e.container.Encrypted {
			pw, err = c.opts.Asker.Password(ctx, Prompt{Key: e.key.ID, Subject: e.subject(),
				Media: e.key.Media, Purpose: PurposeBackup, Attempt: attempt, LastError: last})
			if err != nil {
				return nil, err
			}
		}
		cp, err := media.Backup(e.container, dir, pw)
		clear(pw)
		if errors.Is(err, media.ErrWrongPassword) && e.container.Encrypted {
			last = err
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("subscriber: backing up key %s: %w", e.key.ID, err)
		}
		c.notice(ctx, "S18", Done, e.key.ID, i18n.SubBackupDone, e.key.ID, cp.Dir)
		return &BackupResult{Key: e.key.ID, From: e.container.Dir, To: cp.Dir}, nil
	}
	return nil, fmt.Errorf("%w for key %s (%d attempts)", ErrWrongPassword, e.key.ID, c.opts.Attempts)
}
