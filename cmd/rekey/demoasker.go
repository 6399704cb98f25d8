package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"rekey/internal/i18n"
	"rekey/subscriber"
)

// demoAsker is the Asker of rekey demo: the terminal asker of rekey renew
// (asker.go) with a title naming the requirement before each question.
// With --interactive the person answers on the terminal; otherwise a
// scriptTerminal types the answers, so every question and answer is
// printed as a person would see them.
type demoAsker struct {
	*asker
	w      io.Writer
	script *scriptTerminal // nil with --interactive
	// passwords are the keys' passwords by key id: the script types them,
	// and with --interactive the person is told those the demo made.
	passwords   map[string][]byte
	newPassword []byte // the script's password for new keys
}

var _ subscriber.Asker = (*demoAsker)(nil)

// newDemoAsker returns the asker writing to w; term is the person's
// terminal, or nil for a script.
func newDemoAsker(lang i18n.Lang, w io.Writer, term terminal, newPassword []byte) *demoAsker {
	d := &demoAsker{w: w, passwords: map[string][]byte{}, newPassword: newPassword}
	if term == nil {
		d.script = &scriptTerminal{out: w}
		term = d.script
	}
	d.asker = &asker{lang: lang, out: w, term: term, attempts: 3}
	return d
}

// title prints the title of a step with the requirements it shows.
func (d *demoAsker) title(ids string, key i18n.Key) {
	fmt.Fprintf(d.w, "\n== %s: %s ==\n", ids, i18n.T(d.lang, key))
}

// willType sets what the script types next: a line, a secret, or both.
func (d *demoAsker) willType(line string, secret []byte) {
	if d.script != nil {
		d.script.line, d.script.secret = line, secret
	}
}

func (d *demoAsker) ConfirmUnfinished(ctx context.Context,
	items []subscriber.Unfinished) (bool, error) {
	d.title("S3", i18n.DemoStepUnfinished)
	d.willType(d.t(i18n.DemoAnswerYes), nil)
	return d.asker.ConfirmUnfinished(ctx, items)
}

func (d *demoAsker) ConfirmForm(ctx context.Context, form *subscriber.Form) (bool, error) {
	d.title("S7", i18n.DemoStepForm)
	d.willType(d.t(i18n.DemoAnswerYes), nil)
	return d.asker.ConfirmForm(ctx, form)
}

func (d *demoAsker) ChooseMedia(ctx context.Context, key string,
	choices []subscriber.MediaChoice) (subscriber.MediaChoice, error) {
	d.title("S8", i18n.DemoStepMedia)
	d.willType("1", nil) // the first choice is the recommended one
	ch, err := d.asker.ChooseMedia(ctx, key, choices)
	if err == nil {
		d.say("→ %s", ch)
	}
	return ch, err
}

func (d *demoAsker) NewPassword(ctx context.Context, p subscriber.Prompt) ([]byte, error) {
	d.title("S10", i18n.DemoStepNewPassword)
	d.willType("", d.newPassword)
	return d.asker.NewPassword(ctx, p)
}

func (d *demoAsker) Password(ctx context.Context, p subscriber.Prompt) ([]byte, error) {
	if p.Purpose == subscriber.PurposeSignRequest && p.Attempt == 1 {
		d.title("S12", i18n.DemoStepCurrentPass)
	}
	pw, known := d.passwords[p.Key]
	if d.script == nil && known {
		d.say("%s", d.t(i18n.DemoPasswordHint, p.Key, pw))
	}
	d.willType("", pw)
	return d.asker.Password(ctx, p)
}

func (d *demoAsker) Notice(ctx context.Context, n subscriber.Notice) {
	d.notice(n.Step, n.Text(d.lang))
}

// notice prints a message of the flow with the requirement it comes from.
func (d *demoAsker) notice(step, text string) {
	if step != "" {
		text = "[" + step + "] " + text
	}
	d.say("%s", text)
}

// scriptTerminal is the terminal of a scripted demo: it answers what it
// was set to and prints each prompt with the answer, secrets masked.
type scriptTerminal struct {
	out    io.Writer
	line   string
	secret []byte
}

func (t *scriptTerminal) Line(prompt string) (string, error) {
	fmt.Fprintf(t.out, "%s%s\n", prompt, t.line)
	return t.line, nil
}

func (t *scriptTerminal) Secret(prompt string) ([]byte, error) {
	if t.secret == nil {
		return nil, fmt.Errorf("demo: no scripted answer to %q", strings.TrimSpace(prompt))
	}
	fmt.Fprintf(t.out, "%s%s\n", prompt, strings.Repeat("*", len(t.secret)))
	return bytes.Clone(t.secret), nil
}
