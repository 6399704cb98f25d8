package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"rekey/internal/cli"
	"rekey/internal/i18n"
	"rekey/media"
	"rekey/subscriber"
)

// asker answers the flow's questions (subscriber.Asker): from the flags and
// files of a script first, then on the terminal. Without a terminal a
// question no flag answers fails with an error naming the flag.
type asker struct {
	lang i18n.Lang
	out  io.Writer // what the person reads: stdout, or stderr under --json
	term terminal  // nil: no terminal

	yes           bool   // --yes
	emptyPassword bool   // --empty-password
	toMedia       string // --to-media
	keyPassword   []byte // --password-file: the current key's password or PIN
	newPassword   []byte // --new-password-file: the new key's password or PIN
	attempts      int
}

var _ subscriber.Asker = (*asker)(nil)

func (a *asker) t(key i18n.Key, args ...any) string { return i18n.T(a.lang, key, args...) }

func (a *asker) say(format string, args ...any) { fmt.Fprintf(a.out, format+"\n", args...) }

// noTerminal is the error of a question that needs a terminal or a flag.
func (a *asker) noTerminal(question, flag string) error {
	return cli.Failure(a.t(i18n.ErrNoTerminal, question), a.t(i18n.HintNoTerminal, flag))
}

// confirm asks a yes/no question that --yes (or flag) answers.
func (a *asker) confirm(question i18n.Key, given bool, flag string) (bool, error) {
	if given {
		return true, nil
	}
	q := a.t(question)
	if a.term == nil {
		return false, a.noTerminal(q, flag)
	}
	ans, err := a.term.Line(a.t(i18n.AskYesNo, q))
	if err != nil {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(ans)) {
	case "y", "yes", "д", "да":
		return true, nil
	}
	return false, nil
}

func (a *asker) ConfirmUnfinished(ctx context.Context, items []subscriber.Unfinished) (bool, error) {
	a.say("%s", a.t(i18n.SubUnfinishedWarning))
	for _, it := range items {
		a.say("%s", a.t(i18n.AskUnfinishedItem, it.Box, it.Kind, it.ID, it.Key, it.Status,
			i18n.FormatTime(a.lang, it.Created)))
	}
	return a.confirm(i18n.SubUnfinishedQuestion, a.yes, "--yes")
}

func (a *asker) ConfirmForm(ctx context.Context, form *subscriber.Form) (bool, error) {
	a.say("%s: %s", a.t(i18n.SubFormTitle), form.Key)
	width := 0
	for _, f := range form.Fields {
		width = max(width, len([]rune(f.Label)))
	}
	for _, f := range form.Fields {
		a.say("  %s%s  %s", f.Label, strings.Repeat(" ", width-len([]rune(f.Label))), f.Value)
	}
	a.say("  %s: %s", a.t(i18n.AskFormProfile), form.Profile)
	a.say("  %s: %s", a.t(i18n.AskFormLastDay), i18n.FormatTime(a.lang, form.KeyExpires))
	a.say("%s", form.Office)
	return a.confirm(i18n.SubFormGenerate, a.yes, "--yes")
}

func (a *asker) ChooseMedia(ctx context.Context, key string,
	choices []subscriber.MediaChoice) (subscriber.MediaChoice, error) {
	if a.toMedia != "" {
		// The library's scripted matching: a directory or token:LABEL.
		return (&subscriber.Script{Media: a.toMedia}).ChooseMedia(ctx, key, choices)
	}
	if a.term == nil || len(choices) == 1 {
		return choices[0], nil // the recommended one (S8)
	}
	a.say("%s:", a.t(i18n.SubChooseMedia))
	for i, c := range choices {
		line := fmt.Sprintf("  %d) %s", i+1, c)
		if c.Recommended {
			line += " — " + a.t(i18n.SubMediaRecommended)
		}
		a.say("%s", line)
	}
	for {
		ans, err := a.term.Line(a.t(i18n.AskChoice))
		if err != nil {
			return subscriber.MediaChoice{}, err
		}
		ans = strings.TrimSpace(ans)
		if ans == "" {
			return choices[0], nil
		}
		if n, err := strconv.Atoi(ans); err == nil && n >= 1 && n <= len(choices) {
			return choices[n-1], nil
		}
		a.say("%s", a.t(i18n.AskBadChoice, len(choices)))
	}
}

func (a *asker) NewPassword(ctx context.Context, p subscriber.Prompt) ([]byte, error) {
	if a.emptyPassword {
		return []byte{}, nil
	}
	if a.newPassword != nil {
		return bytes.Clone(a.newPassword), nil
	}
	q := a.t(i18n.SubNewPassword, p.Media)
	if a.term == nil {
		return nil, a.noTerminal(q, "--new-password-file")
	}
	for try := 0; try < a.attempts; try++ {
		first, err := a.term.Secret(q + ": ")
		if err != nil {
			return nil, err
		}
		if len(first) == 0 {
			return first, nil // the flow warns and asks ConfirmEmptyPassword
		}
		again, err := a.term.Secret(a.t(i18n.SubNewPasswordAgain) + ": ")
		if err != nil {
			clear(first)
			return nil, err
		}
		same := bytes.Equal(first, again)
		clear(again)
		if same {
			return first, nil
		}
		clear(first)
		a.say("%s", a.t(i18n.SubPasswordMismatch))
	}
	return nil, subscriber.ErrCancelled
}

func (a *asker) ConfirmEmptyPassword(ctx context.Context, p subscriber.Prompt) (bool, error) {
	a.say("%s", a.t(i18n.SubEmptyPasswordWarning))
	return a.confirm(i18n.SubEmptyPasswordConfirm, a.emptyPassword, "--empty-password")
}

// secretFor returns the file's answer for a purpose and the flag that
// gives it.
func (a *asker) secretFor(p subscriber.Purpose) ([]byte, string) {
	switch p {
	case subscriber.PurposeNewKey, subscriber.PurposeNewKeyProof:
		if a.newPassword != nil {
			return a.newPassword, "--new-password-file"
		}
		if p == subscriber.PurposeNewKeyProof {
			return nil, "--new-password-file"
		}
	}
	return a.keyPassword, "--password-file"
}

func (a *asker) Password(ctx context.Context, p subscriber.Prompt) ([]byte, error) {
	q := a.passwordQuestion(p)
	return a.secret(p, q, func() string {
		return a.t(i18n.SubWrongPassword, p.Attempt-1, a.attempts)
	})
}

func (a *asker) passwordQuestion(p subscriber.Prompt) string {
	switch p.Purpose {
	case subscriber.PurposeNewKeyProof, subscriber.PurposeNewKey:
		return a.t(i18n.SubNewKeyPassword, p.Key)
	case subscriber.PurposeSignExchange:
		return a.t(i18n.AskPasswordExch, p.Key, p.Subject)
	case subscriber.PurposeBackup:
		return a.t(i18n.AskPasswordBackup, p.Key, p.Subject)
	}
	return a.t(i18n.SubCurrentPassword, p.Key, p.Subject)
}

func (a *asker) PIN(ctx context.Context, p subscriber.Prompt) ([]byte, error) {
	q := a.t(i18n.AskPINRetries, a.t(i18n.SubTokenPIN, p.Media), a.retries(p.Retries))
	return a.secret(p, q, func() string {
		return a.t(i18n.AskWrongPIN, p.Attempt-1, a.attempts)
	})
}

func (a *asker) retries(r media.Retries) string {
	switch r {
	case media.RetriesLow:
		return a.t(i18n.AskPINLow)
	case media.RetriesFinal:
		return a.t(i18n.AskPINFinal)
	case media.RetriesNone:
		return a.t(i18n.AskPINLocked)
	}
	return a.t(i18n.AskPINUnknown)
}

// secret answers a password or PIN question from its file (once: the same
// answer again would be wrong again) or on the terminal.
func (a *asker) secret(p subscriber.Prompt, q string, wrong func() string) ([]byte, error) {
	file, flag := a.secretFor(p.Purpose)
	if file != nil {
		if p.Attempt > 1 {
			return nil, fmt.Errorf("%w (from %s)", subscriber.ErrWrongPassword, flag)
		}
		return bytes.Clone(file), nil
	}
	if a.term == nil {
		return nil, a.noTerminal(q, flag)
	}
	if p.LastError != nil {
		a.say("%s", wrong())
	}
	return a.term.Secret(strings.TrimSuffix(strings.TrimSpace(q), ":") + ": ")
}

func (a *asker) Progress(ctx context.Context, p subscriber.Progress) {
	a.say("%s", a.t(i18n.SubProgress, p.Index, p.Total, p.Key, p.Subject))
}

func (a *asker) Notice(ctx context.Context, n subscriber.Notice) {
	a.say("%s", n.Text(a.lang))
}
