package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"rekey/internal/cli"
	"rekey/pki"
	"rekey/subscriber"
)

// fakeTerminal answers the prompts from a script of answers and records
// them; it stands for a person at the keyboard.
type fakeTerminal struct {
	mu      sync.Mutex
	answers []string
	prompts []string
	secret  []bool
}

func (f *fakeTerminal) next(prompt string, secret bool) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prompts = append(f.prompts, prompt)
	f.secret = append(f.secret, secret)
	if len(f.answers) == 0 {
		return "", errors.New("fake terminal: no more answers")
	}
	a := f.answers[0]
	f.answers = f.answers[1:]
	return a, nil
}

func (f *fakeTerminal) Line(prompt string) (string, error) { return f.next(prompt, false) }

func (f *fakeTerminal) Secret(prompt string) ([]byte, error) {
	s, err := f.next(prompt, true)
	return []byte(s), err
}

// withTerminal makes the commands see ft as their terminal.
func withTerminal(t *testing.T, ft *fakeTerminal) {
	saved := newTerminal
	newTerminal = func(*cli.Env) terminal { return ft }
	t.Cleanup(func() { newTerminal = saved })
}

// TestTerminalRenew answers every question at the terminal, in Russian:
// the form, the media (the recommended one by default), the new password
// twice (mistyped once), the current password (wrong once).
func TestTerminalRenew(t *testing.T) {
	clock := &tclock{t: testNow}
	op := newOperator(t, pki.ProfileECDSA, clock)
	h := newHome(t, clock)
	h.locale = "ru_RU.UTF-8"
	old := op.enroll(t, h.drive, testNow.AddDate(0, 0, 20)).ID()
	ft := &fakeTerminal{answers: []string{
		"да",                    // S7: generate
		"",                      // S8: the recommended media
		newPassword, "mistyped", // S10: the passwords differ
		newPassword, newPassword, // S10: twice the same
		"wrong", curPassword, // S12: wrong, then right
	}}
	withTerminal(t, ft)
	out, _ := h.must("renew", old)
	if len(ft.answers) != 0 {
		t.Errorf("%d answers left; prompts %q", len(ft.answers), ft.prompts)
	}
	for _, want := range []string{"Формирование нового ключа", "ИНН", "009901888821",
		"Выберите носитель", "рекомендуется", "пароли не совпадают", "неверный пароль (попытка 1 из 3)",
		"в течение суток"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	wantSecret := []bool{false, false, true, true, true, true, true, true}
	for i, s := range wantSecret {
		if i < len(ft.secret) && ft.secret[i] != s {
			t.Errorf("prompt %d %q: secret %v, want %v", i, ft.prompts[i], ft.secret[i], s)
		}
	}
	if !strings.Contains(ft.prompts[0], "[д/Н]") || !strings.Contains(ft.prompts[6], old) {
		t.Errorf("prompts %q", ft.prompts)
	}
	ks := h.keys()
	if ks[old].State != subscriber.StateRequested {
		t.Errorf("state %s", ks[old].State)
	}
	for id, k := range ks {
		if id != old && k.Media != h.drive {
			t.Errorf("the new key went to %s", k.Media)
		}
	}
}

// TestTerminalDeclines: "no" to the form cancels; an empty password is
// taken only after the warning and an explicit yes.
func TestTerminalDeclines(t *testing.T) {
	clock := &tclock{t: testNow}
	op := newOperator(t, pki.ProfileECDSA, clock)
	h := newHome(t, clock)
	old := op.enroll(t, h.drive, testNow.AddDate(0, 0, 20)).ID()

	ft := &fakeTerminal{answers: []string{"n"}}
	withTerminal(t, ft)
	code, _, stderr := h.rekey("renew", old)
	if code != 1 || !strings.Contains(stderr, "cancelled") || len(h.keys()) != 1 {
		t.Errorf("declined form: exit %d\n%s", code, stderr)
	}

	// The second drive chosen by number, an empty password confirmed.
	ft = &fakeTerminal{answers: []string{"y", "2", "", "yes", curPassword}}
	withTerminal(t, ft)
	out, _ := h.must("renew", old)
	if !strings.Contains(out, "Without a password the key is stored unencrypted") ||
		!strings.Contains(out, "stored without a password") {
		t.Errorf("empty password:\n%s", out)
	}
	var newKey subscriber.KeyJSON
	for id, k := range h.keys() {
		if id != old {
			newKey = k
		}
	}
	if newKey.Media != h.other {
		t.Errorf("the new key is on %q, want %q", newKey.Media, h.other)
	}
	pemKey, err := os.ReadFile(filepath.Join(h.other, newKey.ID+".rekey", "key.pem"))
	if err != nil || !strings.Contains(string(pemKey), "BEGIN PRIVATE KEY") {
		t.Errorf("the key without a password: %v", err)
	}
}
