package acceptance

// S1–S18: the subscriber's side, as the manual describes it.

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rekey/internal/ossltest"
	"rekey/media"
	"rekey/pki"
	"rekey/subscriber"
)

// opensslVerify checks cert against the operator's CA with openssl verify
// when OpenSSL is installed (or required).
func opensslVerify(t *testing.T, o *operator, cert string) {
	t.Helper()
	if _, err := ossltest.Locate(); err != nil && os.Getenv("REKEY_REQUIRE_OPENSSL") == "" {
		t.Logf("openssl verify left out: %v", err)
		return
	}
	ssl := ossltest.Require(t)
	if out, err := ssl.Exec(nil, "verify", "-CAfile", filepath.Join(o.dir, "ca.pem"),
		cert); err != nil || !strings.Contains(string(out), ": OK") {
		t.Errorf("openssl verify %s: %v\n%s", cert, err, out)
	}
}

// TestS01_KeyValidOneYear: a renewed key's certificate is valid for one
// year (openssl agrees it chains to the CA), rekey keys counts a year of
// days, and a year later the key is expired.
func TestS01_KeyValidOneYear(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "auto")
	o.start()
	m := newMachine(t)
	o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	old := m.key("ООО Тест")
	r := m.renewFully(o, old.ID)

	nw := m.keyMap()[r.NewKey]
	cert := readCert(t, nw.Certificate)
	life := cert.NotAfter.Sub(cert.NotBefore)
	// One year (366 days over a 29 February) and the operator's backdating.
	if life < 365*24*time.Hour || life > 366*24*time.Hour+time.Hour {
		t.Errorf("the new certificate is valid %s (%s – %s), want one year", life,
			cert.NotBefore, cert.NotAfter)
	}
	if nw.DaysLeft == nil || *nw.DaysLeft < 364 || *nw.DaysLeft > 366 {
		t.Errorf("rekey keys: %v days left of the new key, want a year", nw.DaysLeft)
	}
	if r.DaysLeft < 364 || r.DaysLeft > 366 {
		t.Errorf("rekey sync: %d days left, want a year", r.DaysLeft)
	}
	opensslVerify(t, o, nw.Certificate)

	// A year and a day later the key has expired and must have been
	// replaced before.
	m.now = cert.NotAfter.Add(24 * time.Hour).Format(time.RFC3339)
	if k := m.keyMap()[r.NewKey]; k.State != subscriber.StateExpired {
		t.Errorf("a year later the key is %q, want expired", k.State)
	}
}

// TestS02_NewKeyMadeOnSubscriberSide_PrivateKeyStaysOnMedia: renew writes
// the new key on the media before anything is sent; the certificate
// certifies that key; its private part (ECDSA, so that the scalar can be
// looked for) is in no file of the operator and none of the spool.
func TestS02_NewKeyMadeOnSubscriberSide_PrivateKeyStaysOnMedia(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "ecdsa-p256", "manual")
	o.start()
	m := newMachine(t)
	o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	old := m.key("ООО Тест")
	m.renew(old.ID)

	var newID string
	for _, k := range m.keys() {
		if k.Replaces == old.ID {
			newID = k.ID
		}
	}
	if newID == "" {
		t.Fatalf("no new key on the media after renew: %+v", m.keys())
	}
	if n := len(o.requests()); n != 0 {
		t.Errorf("the operator has %d requests before any sync", n)
	}
	keyPEM := readFile(t, filepath.Join(m.drive(), newID+media.ContainerSuffix, "key.pem"))
	if !bytes.Contains(keyPEM, []byte("ENCRYPTED PRIVATE KEY")) {
		t.Errorf("the new key on the media is not encrypted:\n%.80s", keyPEM)
	}
	uk, err := m.container(newID).Unlock([]byte(newPassword))
	if err != nil {
		t.Fatal(err)
	}
	sg, err := uk.Signer()
	if err != nil {
		t.Fatal(err)
	}
	priv, ok := sg.(*ecdsa.PrivateKey)
	if !ok {
		t.Fatalf("the new ECDSA key is a %T", sg)
	}
	scalar, err := priv.Bytes()
	if err != nil {
		t.Fatal(err)
	}

	m.sync()
	o.approveAll()
	r := m.syncUntilRenewed(1)[0]
	if r.NewKey != newID {
		t.Errorf("the certificate went to key %s, want %s", r.NewKey, newID)
	}
	cert := readCert(t, m.keyMap()[newID].Certificate)
	if !priv.PublicKey.Equal(cert.PublicKey) {
		t.Error("the certificate does not certify the key made on the media")
	}
	for _, dir := range []string{o.dir, m.spool} {
		filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
			if err != nil || fi.IsDir() {
				return nil
			}
			if data, err := os.ReadFile(p); err == nil && bytes.Contains(data, scalar) {
				t.Errorf("the new private key is in %s", p)
			}
			return nil
		})
	}
}

// TestS03_UnfinishedExchangesWarn_OutboxOnly_DocumentWorkflowsLater: with a
// request of another key still in the outbox, renew warns that exchanges
// are unfinished and asks yes/no: a script without --yes is stopped, "no"
// on the terminal cancels, "yes" goes on. Submissions and their
// confirmations (the document workflows) do not exist yet; only the
// client's own outbox and inbox are checked.
func TestS03_UnfinishedExchangesWarn_OutboxOnly_DocumentWorkflowsLater(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	m := newMachine(t)
	o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	o.enroll("ООО Ромашка", m.drive(), m.curPW, 20)
	a, b := m.key("ООО Тест"), m.key("ООО Ромашка")

	// A's first renewal meets nothing unfinished.
	r := m.renew(a.ID)
	lacks(t, "the first renew", r.stdout, "not finished")

	// B's renewal in a script without --yes stops at the question.
	r = m.rekey("renew", b.ID, "--password-file", m.curPW, "--new-password-file", m.newPW)
	if r.code == 0 {
		t.Fatalf("renew without --yes went on past unfinished exchanges: %s", r)
	}
	contains(t, "renew without --yes", r.stdout+r.stderr, "Some exchanges are not finished",
		a.ID, "Go on with the key renewal?", "--yes")

	// On the terminal, "no" cancels; nothing new on the media.
	s := m.interactive("renew", b.ID, "--password-file", m.curPW, "--new-password-file",
		m.newPW, "--lang", "ru")
	s.expect("Не завершён документооборот")
	s.expect("Продолжить замену ключа? [д/Н]")
	s.send("н")
	if code, out := s.wait(); code == 0 {
		t.Errorf("answering no: exit 0\n%s", out)
	}
	if k := m.keyMap()[b.ID]; k.State != subscriber.StateExpiring {
		t.Errorf("after no, B is %q", k.State)
	}

	// "yes" goes on to the form and queues the request.
	s = m.interactive("renew", b.ID, "--password-file", m.curPW, "--new-password-file", m.newPW)
	s.expect("Go on with the key renewal? [y/N]")
	s.send("y")
	s.expect("Generate the new key? [y/N]")
	s.send("y")
	if code, out := s.wait(); code != 0 || !strings.Contains(out, "Keys queued: 1 of 1") {
		t.Errorf("answering yes: exit %d\n%s", code, out)
	}
}

// TestS04_ReminderWhen30DaysOrLess: every command starts with a reminder
// for each key with 30 days or less left, offering the command that
// replaces it; none for a key with 31 days or a year.
func TestS04_ReminderWhen30DaysOrLess(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	m := newMachine(t)
	orgs := map[string]int{"ООО Тридцать": 30, "ООО Тридцать один": 31, "ООО Год": 365}
	for org, days := range orgs {
		o.enroll(org, m.drive(), m.curPW, days)
	}
	r := m.must("keys")
	ru := m.must("keys", "--lang", "ru")
	ks := m.keys()
	if len(ks) != 3 {
		t.Fatalf("%d keys, want 3", len(ks))
	}
	for _, k := range ks {
		want := orgs[k.Subject.Organization]
		if k.DaysLeft == nil || *k.DaysLeft != want {
			t.Errorf("key of %s: %v days left, want %d", k.Subject.Organization, k.DaysLeft, want)
			continue
		}
		offer := "Replace it now: rekey renew " + k.ID
		offerRU := "Замените его сейчас: rekey renew " + k.ID
		if want <= 30 {
			contains(t, "the reminder", r.stderr, offer)
			contains(t, "the Russian reminder", ru.stderr, offerRU)
		} else {
			lacks(t, "the reminder", r.stderr, k.ID)
		}
	}
	// The key with a year is reminded of when it has 30 days left.
	year := m.key("ООО Год")
	m.now = year.KeyExpires.Add(-30*24*time.Hour + time.Hour).Format(time.RFC3339)
	contains(t, "the reminder 30 days before the end", m.must("keys").stderr,
		"Replace it now: rekey renew "+year.ID)
}

// TestS05_LastDayRemoteRenewalRefused: on the key's last day rekey renew
// refuses and sends the subscriber to the office, in English and Russian;
// the day before it still renews.
func TestS05_LastDayRemoteRenewalRefused(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	m := newMachine(t)
	o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	k := m.key("ООО Тест")
	renew := []string{"renew", k.ID, "--yes", "--password-file", m.curPW,
		"--new-password-file", m.newPW}

	m.now = k.KeyExpires.Add(-time.Minute).Format(time.RFC3339)
	if st := m.keyMap()[k.ID].State; st != subscriber.StateLastDay {
		t.Errorf("on the last day the key is %q", st)
	}
	r := m.rekey(renew...)
	if r.code != 1 {
		t.Errorf("renew on the last day: %s", r)
	}
	contains(t, "renew on the last day", r.stderr, "today is its last day",
		"remote renewal is impossible", "hint: replace the key in the operator's office")
	r = m.rekey(append(renew, "--lang", "ru")...)
	contains(t, "renew on the last day (ru)", r.stderr, "сегодня последний день",
		"удалённая замена невозможна", "замените ключ в офисе оператора")
	contains(t, "the reminder on the last day", r.stderr, "замените ключ в офисе оператора")
	if n := len(m.keys()); n != 1 {
		t.Errorf("%d keys after the refusals, want 1", n)
	}

	// 36 hours before the end is the day before in any time zone.
	m.now = k.KeyExpires.Add(-36 * time.Hour).Format(time.RFC3339)
	if r := m.rekey(renew...); r.code != 0 {
		t.Errorf("renew the day before the last: %s", r)
	}
}

// TestS06_KeysListAndReplaceSelectedKey: rekey keys lists the user's keys;
// rekey renew ID replaces the one selected and leaves the others.
func TestS06_KeysListAndReplaceSelectedKey(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	m := newMachine(t)
	o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	o.enroll("ООО Ромашка", m.drive(), m.curPW, 25)
	a, b := m.key("ООО Тест"), m.key("ООО Ромашка")
	out := m.must("keys").stdout
	contains(t, "rekey keys", out, "KEY", "STATE", "LAST DAY", "DAYS LEFT", a.ID, b.ID,
		"ООО Тест", "ООО Ромашка", "expiring", "009901888821")

	// The id's first digits select the key, as in the help's example.
	m.renew(b.ID[:8])
	ks := m.keyMap()
	if ks[b.ID].State != subscriber.StateRequested {
		t.Errorf("the selected key is %q, want %q", ks[b.ID].State, subscriber.StateRequested)
	}
	if ks[a.ID].State != subscriber.StateExpiring {
		t.Errorf("the other key is %q, want it untouched", ks[a.ID].State)
	}
	if len(ks) != 3 {
		t.Errorf("%d keys, want the two and one new", len(ks))
	}
	contains(t, "rekey keys after renew", m.must("keys").stdout, "renewal requested")
}

// TestS07_FormFromCurrentCertificate_SaysWhomToContact: the request form
// shows the current certificate's details, the user confirms "Generate",
// and the form says that changed details or a compromised key mean the
// office, naming the operator's office contact.
func TestS07_FormFromCurrentCertificate_SaysWhomToContact(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	m := newMachine(t)
	o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	k := m.key("ООО Тест")
	subj := k.Subject

	// "No" at Generate makes nothing.
	s := m.interactive("renew", k.ID, "--password-file", m.curPW, "--new-password-file",
		m.newPW, "--lang", "ru")
	s.expect("Формирование нового ключа и запроса на сертификат")
	s.expect("Сформировать новый ключ? [д/Н]")
	s.send("н")
	code, out := s.wait()
	if code == 0 {
		t.Errorf("answering no to Generate: exit 0")
	}
	for _, v := range []string{subj.Organization, subj.OrganizationalUnit, subj.Title, subj.INN,
		subj.Country, subj.Province, subj.Locality, subj.Email, subj.Surname, subj.GivenName,
		subj.Street, "112-233-445 95", subj.OGRN} {
		if v == "" {
			t.Errorf("the enrolled certificate lacks a detail: %+v", subj)
		}
		contains(t, "the form", out, v)
	}
	contains(t, "the form", out, "Организация", "Подразделение", "Должность", "ИНН", "СНИЛС",
		"ОГРН", "реквизиты изменились", "скомпрометирован")
	if n := len(m.keys()); n != 1 {
		t.Errorf("%d keys after declining the form, want 1", n)
	}

	r := m.renew(k.ID)
	contains(t, "the form", r.stdout, "New key and certificate request",
		"If they have changed, or the key is compromised (lost, broken)")
	// Whom to contact: the operator's office, as rekeyd.json names it.
	contains(t, "the form's office contact", out, officeRU)
	contains(t, "the form's office contact", r.stdout, officeEN)
}

// TestS08_SeveralMedia_CurrentKeysMediaRecommended: with two drives, the
// choice lists the current key's drive first, marked recommended, and
// the new key goes where the user chooses.
func TestS08_SeveralMedia_CurrentKeysMediaRecommended(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	m := newMachine(t, "A-BLANK", "B-KEYS")
	blank, keys := m.drives[0], m.drives[1]
	o.enroll("ООО Тест", keys, m.curPW, 20)
	k := m.key("ООО Тест")

	s := m.interactive("renew", k.ID, "--yes", "--password-file", m.curPW,
		"--new-password-file", m.newPW)
	s.expect("Choose the media for the new key:")
	s.expect("1) ")
	s.expect(keys)
	s.expect("recommended: it holds the current key")
	s.expect("2) ")
	s.expect(blank)
	s.expect("Number [1]:")
	s.send("2")
	code, out := s.wait()
	if code != 0 {
		t.Fatalf("renew: exit %d\n%s", code, out)
	}
	if strings.Count(out, "recommended") != 1 {
		t.Errorf("not exactly one media recommended:\n%s", out)
	}
	var nw subscriber.KeyJSON
	for _, kj := range m.keys() {
		if kj.Replaces == k.ID {
			nw = kj
		}
	}
	if nw.Media != blank {
		t.Errorf("the new key is on %q, want the chosen %q", nw.Media, blank)
	}
}

// TestS09_KeysFromStrongRandomSource: the same container renewed on two
// copies of the drive gives two different new keys (a key made from
// anything but a fresh random source would repeat), both different from
// the current key.
func TestS09_KeysFromStrongRandomSource(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	m1 := newMachine(t)
	o.enroll("ООО Тест", m1.drive(), m1.curPW, 20)
	k := m1.key("ООО Тест")
	m2 := newMachine(t)
	copyDir(t, filepath.Join(m1.drive(), k.ID+media.ContainerSuffix),
		filepath.Join(m2.drive(), k.ID+media.ContainerSuffix))

	pubs := map[string]string{"current": string(readCert(t, k.Certificate).RawSubjectPublicKeyInfo)}
	for i, m := range []*machine{m1, m2} {
		m.renew(k.ID)
		for _, kj := range m.keys() {
			if kj.Replaces != k.ID {
				continue
			}
			uk, err := m.container(kj.ID).Unlock([]byte(newPassword))
			if err != nil {
				t.Fatal(err)
			}
			sg, err := uk.Signer()
			if err != nil {
				t.Fatal(err)
			}
			spki, err := pki.MarshalPKIXPublicKey(sg.Public())
			if err != nil {
				t.Fatal(err)
			}
			for name, p := range pubs {
				if p == string(spki) {
					t.Errorf("the new key of copy %d equals the %s key", i+1, name)
				}
			}
			pubs["copy "+string(rune('1'+i))] = string(spki)
		}
	}
	if len(pubs) != 3 {
		t.Errorf("%d distinct keys, want the current and two new", len(pubs))
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

// TestS10_NewPasswordTwice_EmptyOnlyAfterConfirmation: on a terminal the
// new key's password is asked twice and a mismatch is asked again; an
// empty password needs a confirmation (no: asked again; yes: the key is
// stored unencrypted). A script gets the same choice through flags.
func TestS10_NewPasswordTwice_EmptyOnlyAfterConfirmation(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	m := newMachine(t)
	o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	o.enroll("ООО Ромашка", m.drive(), m.curPW, 20)
	a, b := m.key("ООО Тест"), m.key("ООО Ромашка")

	s := m.interactive("renew", a.ID, "--yes", "--password-file", m.curPW)
	s.expect("Password of the new key")
	s.send("первый")
	s.expect("The password again:")
	s.send("второй")
	s.expect("the passwords do not match")
	s.expect("Password of the new key")
	s.send("секрет")
	s.expect("The password again:")
	s.send("секрет")
	if code, out := s.wait(); code != 0 {
		t.Fatalf("renew: exit %d\n%s", code, out)
	}
	newA := successor(t, m, a.ID)
	ct := m.container(newA)
	if _, err := ct.Unlock([]byte("секрет")); err != nil {
		t.Errorf("the new key does not open with the password typed twice: %v", err)
	}
	if _, err := ct.Unlock([]byte("первый")); err == nil {
		t.Error("the new key opens with the mismatched first password")
	}

	// Without a terminal the question needs its flag.
	r := m.rekey("renew", b.ID, "--yes", "--password-file", m.curPW)
	if r.code == 0 {
		t.Fatalf("renew without a new password and without a terminal: %s", r)
	}
	contains(t, "renew without a new password", r.stderr, "--new-password-file")

	// Empty: "no" to the warning asks again, "yes" stores it unencrypted.
	s = m.interactive("renew", b.ID, "--yes", "--password-file", m.curPW)
	s.expect("Password of the new key")
	s.send("")
	s.expect("Without a password the key is stored unencrypted")
	s.expect("Leave the key without a password? [y/N]")
	s.send("n")
	s.expect("Password of the new key")
	s.send("")
	s.expect("Leave the key without a password? [y/N]")
	s.send("y")
	code, out := s.wait()
	if code != 0 {
		t.Fatalf("renew with an empty password: exit %d\n%s", code, out)
	}
	contains(t, "renew with an empty password", out, "is stored without a password")
	newB := successor(t, m, b.ID)
	if ct := m.container(newB); ct.Encrypted {
		t.Error("the key with an empty password is encrypted")
	}
}

// successor returns the key that replaces id.
func successor(t *testing.T, m *machine, id string) string {
	t.Helper()
	for _, k := range m.keys() {
		if k.Replaces == id {
			return k.ID
		}
	}
	t.Fatalf("no new key replaces %s", id)
	return ""
}

// TestS11_TokenPIN: the new key is made on a PKCS#11 token (SoftHSM2 in
// place of a Rutoken, ECDSA), protected by the token's PIN: a wrong PIN
// is refused, the right one makes the key on the token, and the next
// exchange installs its certificate there.
func TestS11_TokenPIN(t *testing.T) {
	t.Parallel()
	tok := requireSoftHSM(t)
	o := newOperator(t, "ecdsa-p256", "auto")
	o.start()
	m := newMachine(t)
	m.extra = []string{"--pkcs11", tok.Module}
	o.enroll("ООО Токен S11", m.drive(), m.curPW, 20)
	k := m.key("ООО Токен S11")
	pin := filepath.Join(m.dir, "pin.txt")
	writeFile(t, pin, tok.PIN+"\n")
	wrong := filepath.Join(m.dir, "wrong-pin.txt")
	writeFile(t, wrong, "11111111\n")

	r := m.rekey("renew", k.ID, "--yes", "--to-media", "token:"+tok.Label,
		"--password-file", m.curPW, "--new-password-file", wrong)
	if r.code != 1 {
		t.Errorf("a wrong PIN for the new key: %s", r)
	}
	contains(t, "a wrong PIN", r.stderr, "wrong password or PIN")

	m.must("renew", k.ID, "--yes", "--to-media", "token:"+tok.Label, "--password-file",
		m.curPW, "--new-password-file", pin)
	m.newPW = pin
	rn := m.syncUntilRenewed(1)[0]
	nw := m.keyMap()[rn.NewKey]
	if nw.Kind != media.KindToken || nw.Media != tok.Label || nw.State != subscriber.StateValid {
		t.Errorf("the new key: %+v, want a valid key on token %s", nw, tok.Label)
	}
}

// TestS12_CurrentKeyPasswordAsked_WrongRefused: renew asks the current
// key's password to sign the request: a wrong one from a file is refused
// and nothing is queued; on a terminal a wrong one is asked again.
func TestS12_CurrentKeyPasswordAsked_WrongRefused(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	m := newMachine(t)
	o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	k := m.key("ООО Тест")
	wrong := filepath.Join(m.dir, "wrong.txt")
	writeFile(t, wrong, "не тот\n")

	r := m.rekey("renew", k.ID, "--yes", "--password-file", wrong, "--new-password-file", m.newPW)
	if r.code != 1 {
		t.Errorf("a wrong current password: %s", r)
	}
	contains(t, "a wrong current password", r.stderr, "wrong password")
	if ks := m.keys(); len(ks) != 1 || ks[0].State != subscriber.StateExpiring {
		t.Errorf("after a wrong password: %+v", ks)
	}

	s := m.interactive("renew", k.ID, "--yes", "--new-password-file", m.newPW)
	s.expect("Password of the current key " + k.ID)
	s.send("не тот")
	s.expect("wrong password (attempt 1 of 3)")
	s.expect("Password of the current key " + k.ID)
	s.send(curPassword)
	if code, out := s.wait(); code != 0 || !strings.Contains(out, "Keys queued: 1 of 1") {
		t.Errorf("renew with the password typed again: exit %d\n%s", code, out)
	}
}

// TestS13_NewKeyOnChosenMedia_IssuedWithinADay: the new key is written to
// the media chosen (here a blank drive), the current key stays where it
// is, and rekey says the certificate will be issued within a day.
func TestS13_NewKeyOnChosenMedia_IssuedWithinADay(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	m := newMachine(t, "FLASH", "BLANK")
	o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	k := m.key("ООО Тест")
	r := m.must("renew", k.ID, "--yes", "--to-media", m.drives[1], "--password-file", m.curPW,
		"--new-password-file", m.newPW)
	contains(t, "renew", r.stdout, "the certificate will be issued within a day")
	nw := successor(t, m, k.ID)
	if _, err := os.Stat(filepath.Join(m.drives[1], nw+media.ContainerSuffix, "key.pem")); err != nil {
		t.Errorf("the new key is not on the chosen drive: %v", err)
	}
	if _, err := os.Stat(filepath.Join(m.drive(), k.ID+media.ContainerSuffix)); err != nil {
		t.Errorf("the current key left its drive: %v", err)
	}
	ru := newMachine(t)
	o.enroll("ООО Ромашка", ru.drive(), ru.curPW, 20)
	r = ru.must("renew", ru.key("ООО Ромашка").ID, "--yes", "--password-file", ru.curPW,
		"--new-password-file", ru.newPW, "--lang", "ru")
	contains(t, "renew (ru)", r.stdout, "сертификат будет выдан в течение суток")
}

// TestS14_SeveralKeysInOneRun_WithProgress: renew --all-expiring replaces
// every expiring key in one run, saying which of how many it is at, and
// leaves the key with a year; one sync sends both requests.
func TestS14_SeveralKeysInOneRun_WithProgress(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	o.start()
	m := newMachine(t)
	o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	o.enroll("ООО Ромашка", m.drive(), m.curPW, 10)
	o.enroll("ООО Год", m.drive(), m.curPW, 365)
	year := m.key("ООО Год")
	r := m.must("renew", "--all-expiring", "--yes", "--password-file", m.curPW,
		"--new-password-file", m.newPW)
	contains(t, "renew --all-expiring", r.stdout, "Key 1 of 2:", "Key 2 of 2:",
		"Keys queued: 2 of 2")
	if strings.Count(r.stdout, "the certificate will be issued within a day") != 2 {
		t.Errorf("not two keys made:\n%s", r.stdout)
	}
	requested := 0
	for _, k := range m.keys() {
		if k.Replaces == "" && k.State == subscriber.StateRequested {
			requested++
		}
	}
	if requested != 2 || m.keyMap()[year.ID].State != subscriber.StateValid {
		t.Errorf("after renew: %d keys requested, the year's key %q", requested,
			m.keyMap()[year.ID].State)
	}
	m.sync()
	if n := len(o.requests()); n != 2 {
		t.Errorf("the operator has %d requests, want 2", n)
	}
	o.approveAll()
	m.syncUntilRenewed(2)
}

// TestS15_ClosingAdvice_BackupAndKeepUsingCurrentKey: after renew rekey
// recommends a backup, points to the guide, and says to keep working with
// the current key until the certificate arrives — which still signs.
func TestS15_ClosingAdvice_BackupAndKeepUsingCurrentKey(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	m := newMachine(t)
	o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	k := m.key("ООО Тест")
	r := m.renew(k.ID)
	contains(t, "renew", r.stdout, "Back up the key media: rekey backup",
		"Working with key media", "keep working with the current key", "rekey sync")
	checkSigns(t, m.container(k.ID), curPassword)
	ru := newMachine(t)
	o.enroll("ООО Ромашка", ru.drive(), ru.curPW, 20)
	r = ru.must("renew", ru.key("ООО Ромашка").ID, "--yes", "--password-file", ru.curPW,
		"--new-password-file", ru.newPW, "--lang", "ru")
	contains(t, "renew (ru)", r.stdout, "Сделайте резервную копию ключевого носителя",
		"Работа с ключевыми носителями", "продолжайте работать с действующим ключом")
}

// checkSigns opens a container with password and signs with its key.
func checkSigns(t *testing.T, ct *media.Container, password string) {
	t.Helper()
	uk, err := ct.Unlock([]byte(password))
	if err != nil {
		t.Fatalf("unlocking %s: %v", ct.ID(), err)
	}
	sg, err := uk.Signer()
	if err != nil {
		t.Fatalf("key %s does not sign: %v", ct.ID(), err)
	}
	prof, err := pki.ProfileOf(sg.Public())
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("отчётность в налоговую")
	h := prof.NewHash()
	h.Write(msg)
	var opts crypto.SignerOpts = crypto.SHA256
	if prof.Curve != nil {
		opts = pki.StreebogSignerOpts{Size: h.Size()}
	}
	sig, err := sg.Sign(nil, h.Sum(nil), opts)
	if err != nil {
		t.Fatalf("key %s: signing: %v", ct.ID(), err)
	}
	if err := pki.CheckSignature(prof.SignatureAlgorithm, sg.Public(), msg, sig); err != nil {
		t.Fatalf("key %s: the signature does not verify: %v", ct.ID(), err)
	}
}

// TestS16_SyncNeedsCurrentKeysMedia: the exchange that sends the request
// fails clearly while the current key's drive is out, and sends it once
// the drive is back.
func TestS16_SyncNeedsCurrentKeysMedia(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	o.start()
	m := newMachine(t)
	o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	k := m.key("ООО Тест")
	m.renew(k.ID)

	away := m.drive() + ".away"
	if err := os.Rename(m.drive(), away); err != nil {
		t.Fatal(err)
	}
	r := m.rekey("sync", "--password-file", m.curPW)
	if r.code != 1 {
		t.Errorf("sync without the media: %s", r)
	}
	contains(t, "sync without the media", r.stderr, "is not present", "insert")
	if n := len(o.requests()); n != 0 {
		t.Errorf("the operator got %d requests without the media", n)
	}
	if err := os.Rename(away, m.drive()); err != nil {
		t.Fatal(err)
	}
	r = m.must("sync", "--password-file", m.curPW)
	contains(t, "sync with the media", r.stdout, "The certificate request for key "+k.ID+" is sent")
	if n := len(o.requests()); n != 1 {
		t.Errorf("the operator has %d requests, want 1", n)
	}
}

// TestS17_NextSyncInstallsAndShowsNewDates: after the operator issues,
// the next exchange installs the certificate and shows the key's new
// validity; rekey keys shows the new last day and the old key archived.
func TestS17_NextSyncInstallsAndShowsNewDates(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	o.start()
	m := newMachine(t)
	o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	k := m.key("ООО Тест")
	m.renew(k.ID)
	r := m.must("sync", "--password-file", m.curPW)
	contains(t, "the first sync", r.stdout, "is not issued yet")
	if n := o.approveAll(); n != 1 {
		t.Fatalf("%d requests approved", n)
	}
	var out string
	for i := 0; i < 10 && !strings.Contains(out, "is renewed"); i++ {
		time.Sleep(1100 * time.Millisecond)
		out = m.must("sync", "--password-file", m.curPW, "--new-password-file", m.newPW).stdout
	}
	nw := successor(t, m, k.ID)
	cert := readCert(t, filepath.Join(m.drive(), nw+media.ContainerSuffix, "cert.pem"))
	day := cert.KeyExpires().In(subscriber.Moscow()).Format("2006-01-02")
	contains(t, "the sync that installs", out, "Key "+k.ID+" is renewed: the new key "+nw,
		"valid until "+day, "archived")
	ks := m.keyMap()
	if ks[k.ID].State != subscriber.StateArchived || ks[nw].State != subscriber.StateValid {
		t.Errorf("after the sync: old %q, new %q", ks[k.ID].State, ks[nw].State)
	}
	contains(t, "rekey keys", m.must("keys").stdout, day, "archived")
	// The archived key still opens (it decrypts old confirmations).
	if _, err := m.container(k.ID).Unlock([]byte(curPassword)); err != nil {
		t.Errorf("the archived key does not open: %v", err)
	}
}

// TestS18_BackupVerifiedCopy_TokenKeysCannotBeCopied: rekey backup copies
// a container to another drive and verifies the copy; a key on a token is
// not copied and the reason is explained; the help and the renewal's
// advice point to the guide's section on key media.
func TestS18_BackupVerifiedCopy_TokenKeysCannotBeCopied(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	m := newMachine(t)
	o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	k := m.key("ООО Тест")
	to := filepath.Join(m.dir, "BACKUP")
	os.Mkdir(to, 0o700)
	r := m.must("backup", k.ID, "--to", to, "--password-file", m.curPW)
	contains(t, "rekey backup", r.stdout, "the copy is verified")
	cp, err := media.Load(filepath.Join(to, k.ID+media.ContainerSuffix))
	if err != nil {
		t.Fatalf("the copy: %v", err)
	}
	checkSigns(t, cp, curPassword)
	if cp.Certificate == nil || !bytes.Equal(cp.Certificate.Raw, readCert(t, k.Certificate).Raw) {
		t.Error("the copy lacks the key's certificate")
	}
	wrong := filepath.Join(m.dir, "wrong.txt")
	writeFile(t, wrong, "не тот\n")
	if r := m.rekey("backup", k.ID, "--to", t.TempDir(), "--password-file", wrong); r.code == 0 {
		t.Errorf("a backup verified with a wrong password: %s", r)
	}
	contains(t, "rekey backup --help", m.must("backup", "--help").stdout, "verifies the copy",
		"token", "cannot be copied")
	// The renewal's advice names the guide's section on key media: the
	// README has it, with the command.
	guide := strings.ToLower(string(readFile(t, filepath.Join("..", "README.md"))))
	contains(t, "README.md", guide, "rekey backup", "working with key media")

	t.Run("token", func(t *testing.T) {
		tok := requireSoftHSM(t)
		o := newOperator(t, "ecdsa-p256", "auto")
		o.start()
		m := newMachine(t)
		m.extra = []string{"--pkcs11", tok.Module}
		o.enroll("ООО Токен S18", m.drive(), m.curPW, 20)
		k := m.key("ООО Токен S18")
		pin := filepath.Join(m.dir, "pin.txt")
		writeFile(t, pin, tok.PIN+"\n")
		m.must("renew", k.ID, "--yes", "--to-media", "token:"+tok.Label, "--password-file",
			m.curPW, "--new-password-file", pin)
		m.newPW = pin
		nw := m.syncUntilRenewed(1)[0].NewKey
		r := m.rekey("backup", nw, "--to", t.TempDir(), "--password-file", pin)
		if r.code != 1 {
			t.Errorf("backup of a token key: %s", r)
		}
		contains(t, "backup of a token key", r.stdout+r.stderr, "non-extractable",
			"cannot be copied")
	})
}

// jsonOf decodes the JSON output of a command.
func jsonOf(t *testing.T, what, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, s)
	}
}
