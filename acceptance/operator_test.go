package acceptance

// O1–O8: the operator's side.

import (
	"context"
	"crypto"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"rekey/cmp"
	"rekey/internal/ossltest"
	"rekey/media"
	"rekey/pki"
	"rekey/subscriber"
)

// cmpClient is a CMP client of the operator's server, trusting its CA.
func (o *operator) cmpClient() *cmp.Client {
	ca := o.caCert()
	return &cmp.Client{Transport: &cmp.HTTPTransport{URL: o.url}, Roots: []*pki.Certificate{ca},
		Recipient: ca.RawSubject}
}

// current returns the certificate and unlocked key of a container.
func current(t *testing.T, ct *media.Container, password string) (*pki.Certificate, crypto.Signer) {
	t.Helper()
	uk, err := ct.Unlock([]byte(password))
	if err != nil {
		t.Fatal(err)
	}
	sg, err := uk.Signer()
	if err != nil {
		t.Fatal(err)
	}
	return ct.Certificate, sg
}

// wantRefused checks that err is the CA's refusal with failure bit f and
// texts holding the wants (English).
func wantRefused(t *testing.T, what string, err error, f cmp.FailureInfo, wants ...string) {
	t.Helper()
	var se *cmp.ServerError
	if !errors.As(err, &se) {
		t.Errorf("%s: not refused by the CA: %v", what, err)
		return
	}
	if se.Failure()&f == 0 {
		t.Errorf("%s: failure %s, want %s", what, se.Failure(), f)
	}
	for _, w := range wants {
		if !strings.Contains(se.Text(cmp.LangEN), w) {
			t.Errorf("%s: the refusal %q lacks %q", what, se.Text(cmp.LangEN), w)
		}
	}
	if se.Text(cmp.LangRU) == "" || se.Text(cmp.LangRU) == se.Text(cmp.LangEN) {
		t.Errorf("%s: no Russian text in the refusal", what)
	}
}

// TestO1_AcceptOnlyCurrentValidUnrevokedKey_NotOnLastDay: a renewal signed
// by a valid key is issued; one signed by a revoked certificate, by a
// certificate of another CA, by an expired key or on the key's last day
// (the operator's clock moved with REKEYD_NOW) is refused, and the
// subscriber reads why.
func TestO1_AcceptOnlyCurrentValidUnrevokedKey_NotOnLastDay(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "auto")
	machines := map[string]*machine{}
	for _, c := range []string{"valid", "revoked", "lastday"} {
		machines[c] = newMachine(t)
	}
	revoked := o.enroll("ООО Отозванный", machines["revoked"].drive(), machines["revoked"].curPW, 20)
	for c, org := range map[string]string{"valid": "ООО Действующий", "lastday": "ООО Последний"} {
		o.enroll(org, machines[c].drive(), machines[c].curPW, 20)
	}
	for _, c := range []string{"valid", "revoked"} {
		machines[c].renew(machines[c].keys()[0].ID)
	}
	o.must("revoke", revoked.serial, "--reason", "keyCompromise")

	o.start()
	machines["valid"].syncUntilRenewed(1)
	r := machines["revoked"].rekey("sync", "--password-file", machines["revoked"].curPW)
	if r.code != 1 {
		t.Errorf("sync of a revoked key's request: %s", r)
	}
	contains(t, "sync of a revoked key's request", r.stderr, "refused", "revoked")

	// The key's last day and a day after its end. The subscriber's rekey
	// refuses to ask on those days itself (S5), so a CMP client whose
	// clock agrees with the operator's asks.
	lm := machines["lastday"]
	end := *lm.key("ООО Последний").KeyExpires
	for _, c := range []struct {
		name string
		at   time.Time
		want string
	}{
		{"lastday", end.Add(-time.Minute), "last day"},
		{"expired", end.Add(48 * time.Hour), "expired"},
	} {
		o.stop()
		o.start("REKEYD_NOW=" + c.at.Format(time.RFC3339))
		cert, key := current(t, lm.container(lm.key("ООО Последний").ID), curPassword)
		newKey, err := pki.ProfileGOST256.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		cl := o.cmpClient()
		at := c.at
		cl.Clock = func() time.Time { return at }
		_, err = cl.UpdateKey(context.Background(), &cmp.KeyUpdateOptions{Current: cert,
			CurrentKey: key, NewKey: newKey})
		wantRefused(t, c.name, err, cmp.FailNotAuthorized|cmp.FailSignerNotTrusted, c.want,
			officeEN)
	}
	o.stop()

	// A certificate of another CA, over CMP.
	other := newOperator(t, "gost2012-256", "auto")
	fm := newMachine(t)
	other.enroll("ООО Чужой", fm.drive(), fm.curPW, 20)
	cert, key := current(t, fm.container(fm.keys()[0].ID), curPassword)
	o.start()
	newKey, err := pki.ProfileGOST256.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, err = o.cmpClient().UpdateKey(context.Background(), &cmp.KeyUpdateOptions{Current: cert,
		CurrentKey: key, NewKey: newKey})
	wantRefused(t, "a foreign certificate", err, cmp.FailSignerNotTrusted)

	issued := 0
	for _, rq := range o.requests() {
		if rq.State == "confirmed" {
			issued++
		}
	}
	if issued != 1 {
		t.Errorf("%d requests issued, want only the valid key's: %+v", issued, o.requests())
	}
}

// TestO2_SubjectUnchanged_ChangeRefused: a renewal's certificate carries
// exactly the current subject; a request for changed details is refused
// with the reason and the office.
func TestO2_SubjectUnchanged_ChangeRefused(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "auto")
	o.start()
	m := newMachine(t)
	o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	k := m.key("ООО Тест")
	cert, key := current(t, m.container(k.ID), curPassword)

	changed := *cert.Subject
	changed.Surname = "Петров"
	dn, err := changed.MarshalDN()
	if err != nil {
		t.Fatal(err)
	}
	newKey, err := pki.ProfileGOST256.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, err = o.cmpClient().UpdateKey(context.Background(), &cmp.KeyUpdateOptions{Current: cert,
		CurrentKey: key, NewKey: newKey, Subject: dn})
	wantRefused(t, "a changed surname", err, cmp.FailBadCertTemplate, "differ", officeEN)

	r := m.renewFully(o, k.ID)
	nw := readCert(t, m.keyMap()[r.NewKey].Certificate)
	if string(nw.RawSubject) != string(cert.RawSubject) {
		t.Errorf("the subject changed: %s → %s", cert.Subject, nw.Subject)
	}
}

// TestO3_ProofOfPossession_ReusedOrWeakKeyRefused: the current key, a
// key certified before and a key of a profile the operator does not
// accept are refused; a kur without proof of possession (openssl cmp
// -popo) is refused.
func TestO3_ProofOfPossession_ReusedOrWeakKeyRefused(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "ecdsa-p256", "auto")
	o.start()
	m := newMachine(t)
	o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	k := m.key("ООО Тест")
	cert, key := current(t, m.container(k.ID), curPassword)
	c, ctx := o.cmpClient(), context.Background()

	_, err := c.UpdateKey(ctx, &cmp.KeyUpdateOptions{Current: cert, CurrentKey: key, NewKey: key})
	wantRefused(t, "the current key again", err, cmp.FailBadCertTemplate, "current key")

	gost, err := pki.ProfileGOST256.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateKey(ctx, &cmp.KeyUpdateOptions{Current: cert, CurrentKey: key, NewKey: gost})
	wantRefused(t, "a key the operator does not accept", err, cmp.FailBadAlg, "not accepted")

	// After the renewal, the old key offered as the next new key.
	r := m.renewFully(o, k.ID)
	nwCert, nwKey := current(t, m.container(r.NewKey), newPassword)
	_, err = c.UpdateKey(ctx, &cmp.KeyUpdateOptions{Current: nwCert, CurrentKey: nwKey,
		NewKey: key})
	wantRefused(t, "a key certified before", err, cmp.FailBadCertTemplate, "certified before")

	t.Run("openssl-no-pop", func(t *testing.T) {
		ssl := ossltest.Require(t)
		work := t.TempDir()
		p := func(n string) string { return filepath.Join(work, n) }
		for _, n := range []string{"k1.pem", "k2.pem"} {
			ssl.Run(t, nil, "genpkey", "-algorithm", "EC", "-pkeyopt",
				"ec_paramgen_curve:P-256", "-out", p(n))
		}
		ssl.Run(t, nil, "req", "-new", "-key", p("k1.pem"), "-subj", "/CN=x", "-out", p("r.csr"))
		writeFile(t, p("subject.json"), subjectJSON("ООО Опенэсэсэл"))
		o.must("enroll", "--subject", p("subject.json"), "--csr", p("r.csr"), "--out", p("c1.pem"))
		args := []string{"cmp", "-cmd", "kur", "-server", o.listen, "-path", ".well-known/cmp",
			"-srvcert", filepath.Join(o.dir, "ca.pem"), "-cert", p("c1.pem"), "-key",
			p("k1.pem"), "-newkey", p("k2.pem"), "-msg_timeout", "20", "-total_timeout", "30"}
		for _, popo := range []string{"-1", "0"} { // none, RA-verified
			out, err := ssl.Exec(nil, append(args, "-popo", popo, "-certout", p("c2"+popo+".pem"))...)
			if err == nil {
				t.Errorf("openssl cmp -popo %s: a certificate without proof of possession\n%s",
					popo, out)
			}
			contains(t, "openssl cmp -popo "+popo, string(out), "rejection", "badPOP")
		}
		// With the proof, the same request is issued.
		ssl.Run(t, nil, append(args, "-certout", p("c2.pem"))...)
	})
}

// TestO4_IssueWithinADay_ApprovalQueueOrAutomatic: with manual approval
// the request waits in the queue (rekeyd requests) until an operator
// approves it, and the next exchange gets the certificate; a rejection's
// reason reaches the subscriber; with automatic approval the first
// exchange gets the certificate.
func TestO4_IssueWithinADay_ApprovalQueueOrAutomatic(t *testing.T) {
	t.Parallel()
	t.Run("manual", func(t *testing.T) {
		t.Parallel()
		o := newOperator(t, "gost2012-256", "manual")
		o.start()
		m, rej := newMachine(t), newMachine(t)
		o.enroll("ООО Тест", m.drive(), m.curPW, 20)
		o.enroll("ООО Отказ", rej.drive(), rej.curPW, 20)
		m.renew(m.key("ООО Тест").ID)
		rej.renew(rej.key("ООО Отказ").ID)
		sr, _ := m.sync()
		rej.sync()
		if len(sr.Renewed) != 0 || len(sr.Pending) != 1 {
			t.Fatalf("before approval: %+v", sr)
		}
		rs := o.requests("--state", "waiting")
		if len(rs) != 2 {
			t.Fatalf("%d requests waiting, want 2", len(rs))
		}
		contains(t, "rekeyd requests", o.must("requests"), "waiting", "ООО Тест", "ООО Отказ")
		if over := o.requests("--overdue"); len(over) != 0 {
			t.Errorf("fresh requests are overdue: %+v", over)
		}
		time.Sleep(1100 * time.Millisecond)
		if sr, _ := m.sync(); len(sr.Renewed) != 0 {
			t.Fatalf("issued without approval: %+v", sr)
		}
		for _, rq := range rs {
			if rq.Subscriber == "ООО Тест" {
				contains(t, "rekeyd approve", o.must("approve", strconv.FormatInt(rq.ID, 10)),
					"approved")
			} else {
				o.must("reject", strconv.FormatInt(rq.ID, 10), "--reason",
					"реквизиты изменились")
			}
		}
		m.syncUntilRenewed(1)
		var r result
		for i := 0; i < 10; i++ {
			if r = rej.rekey("sync", "--password-file", rej.curPW); r.code != 0 {
				break
			}
			time.Sleep(time.Second)
		}
		if r.code != 1 {
			t.Errorf("sync of the rejected request: %s", r)
		}
		contains(t, "sync of the rejected request", r.stderr, "refused", "реквизиты изменились")
		if n := len(o.requests("--state", "confirmed")); n != 1 {
			t.Errorf("%d requests confirmed, want 1", n)
		}
	})
	t.Run("auto", func(t *testing.T) {
		t.Parallel()
		o := newOperator(t, "gost2012-256", "auto")
		o.start()
		m := newMachine(t)
		o.enroll("ООО Тест", m.drive(), m.curPW, 20)
		m.renew(m.key("ООО Тест").ID)
		sr, _ := m.sync()
		if len(sr.Renewed) != 1 {
			t.Errorf("automatic approval: the first exchange renewed %d keys: %+v",
				len(sr.Renewed), sr)
		}
	})
}

// outboxTransaction reads the CMP transaction of the machine's request in
// the outbox (the spool's JSON, with the client transaction inside).
func outboxTransaction(t *testing.T, m *machine) *cmp.ClientTransaction {
	t.Helper()
	items, _ := filepath.Glob(filepath.Join(m.spool, "outbox", "*.json"))
	for _, p := range items {
		var item struct{ Transaction string }
		jsonOf(t, p, string(readFile(t, p)), &item)
		raw, err := base64.StdEncoding.DecodeString(item.Transaction)
		if err != nil {
			continue
		}
		var inner struct{ Transaction json.RawMessage }
		jsonOf(t, p, string(raw), &inner)
		var st cmp.ClientTransaction
		if json.Unmarshal(inner.Transaction, &st) == nil && len(st.TransactionID) > 0 {
			return &st
		}
	}
	t.Fatalf("no CMP transaction in the outbox %s", m.spool)
	return nil
}

// TestO5_CertificateOnlyToTheAskingSubscriber: another subscriber who
// polls for an approved certificate with the asking subscriber's
// transaction is refused; the asking subscriber's next exchange gets it.
func TestO5_CertificateOnlyToTheAskingSubscriber(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	o.start()
	a, b := newMachine(t), newMachine(t)
	o.enroll("ООО Тест", a.drive(), a.curPW, 20)
	o.enroll("ООО Чужак", b.drive(), b.curPW, 20)
	ak := a.key("ООО Тест")
	a.renew(ak.ID)
	a.sync()
	if n := o.approveAll(); n != 1 {
		t.Fatalf("%d requests approved", n)
	}
	time.Sleep(1100 * time.Millisecond)

	stolen := outboxTransaction(t, a)
	if rs := o.requests(); len(rs) != 1 || rs[0].TransactionID != hex.EncodeToString(stolen.TransactionID) {
		t.Fatalf("the outbox's transaction is not the operator's request: %+v", rs)
	}
	bCert, bKey := current(t, b.container(b.key("ООО Чужак").ID), curPassword)
	stolen.Sender = cmp.DirectoryName(bCert.RawSubject).Raw
	res, err := o.cmpClient().Poll(context.Background(), stolen,
		cmp.SignatureCredentials(bCert, bKey))
	if err == nil && res.Certificate != nil {
		t.Fatal("another subscriber got the certificate")
	}
	wantRefused(t, "another subscriber's poll", err, cmp.FailNotAuthorized)

	r := a.syncUntilRenewed(1)[0]
	got := readCert(t, a.keyMap()[r.NewKey].Certificate)
	if string(got.RawSubject) != string(readCert(t, ak.Certificate).RawSubject) {
		t.Errorf("the asking subscriber got a certificate for %s", got.Subject)
	}
	if sr, _ := b.sync(); len(sr.Renewed) != 0 {
		t.Errorf("the other subscriber's exchange received %+v", sr.Renewed)
	}
}

// TestO6_OfficeProcedures_EnrollChangeRevoke: first enrollment from a
// PKCS#10 request (--csr) and onto a drive (--media); a change of details
// is a new enrollment, the old certificate revoked (affiliationChanged);
// a compromised key is revoked (keyCompromise); the CRL says both.
func TestO6_OfficeProcedures_EnrollChangeRevoke(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	work := t.TempDir()
	p := func(n string) string { return filepath.Join(work, n) }

	// --csr: the certificate holds the details file's subject, not the request's.
	key, err := pki.ProfileGOST256.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pki.CreateCertificateRequest(&pki.RequestTemplate{
		Subject: &pki.Subject{CommonName: "из запроса"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, p("req.p10"), string(csr))
	writeFile(t, p("subject.json"), subjectJSON("ООО Запрос"))
	o.must("enroll", "--subject", p("subject.json"), "--csr", p("req.p10"), "--out", p("c.pem"))
	c := readCert(t, p("c.pem"))
	if c.Subject.Organization != "ООО Запрос" || c.Subject.INN != "009901888821" {
		t.Errorf("the certificate's subject %s is not the details file's", c.Subject)
	}
	m := newMachine(t)
	r := m.rekey("inspect", "--issuer", filepath.Join(o.dir, "ca.pem"), p("c.pem"))
	if r.code != 0 {
		t.Errorf("rekey inspect of the enrolled certificate: %s", r)
	}
	contains(t, "rekey inspect", r.stdout, "ООО Запрос")
	opensslVerify(t, o, p("c.pem"))

	// --media: a key container the subscriber's rekey finds.
	first := o.enroll("ООО Носитель", m.drive(), m.curPW, 365)
	k := m.key("ООО Носитель")
	if k.State != subscriber.StateValid || k.Kind != media.KindFile {
		t.Errorf("the enrolled key: %+v", k)
	}
	checkSigns(t, m.container(k.ID), curPassword)

	// A change of details: a new enrollment, the old certificate revoked.
	changed := strings.Replace(subjectJSON("ООО Носитель"), "Администрация", "Бухгалтерия", 1)
	writeFile(t, p("changed.json"), changed)
	out := o.must("enroll", "--subject", p("changed.json"), "--media", m.drive(),
		"--password-file", m.curPW)
	second := enrollRE.FindStringSubmatch(out)
	if second == nil {
		t.Fatalf("rekeyd enroll said %s", out)
	}
	o.must("revoke", first.serial, "--reason", "affiliationChanged")
	// The new key compromised (lost): revoked.
	o.must("revoke", second[2], "--reason", "keyCompromise")
	o.must("crl", "--out", p("crl.der"))
	r = m.rekey("inspect", "--issuer", filepath.Join(o.dir, "ca.pem"), p("crl.der"))
	if r.code != 0 {
		t.Errorf("rekey inspect of the CRL: %s", r)
	}
	contains(t, "the CRL", r.stdout, first.serial, second[2], "affiliationChanged",
		"keyCompromise")
}

// TestO7_RevocationPublished_AuditTrailVerifies: a revoked certificate is
// on the CRL (rekeyd crl, and GET /crl), which rekey inspect and openssl
// verify with the CA's key; the audit trail of the renewal and the
// revocation verifies, and a changed record breaks it.
func TestO7_RevocationPublished_AuditTrailVerifies(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	o.start()
	m := newMachine(t)
	e := o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	k := m.key("ООО Тест")
	m.renewFully(o, k.ID)
	contains(t, "rekeyd revoke", o.must("revoke", e.serial, "--reason", "superseded"), e.serial)

	work := t.TempDir()
	crl := filepath.Join(work, "crl.der")
	o.must("crl", "--out", crl)
	ca := filepath.Join(o.dir, "ca.pem")
	r := m.rekey("inspect", "--issuer", ca, crl)
	if r.code != 0 {
		t.Errorf("rekey inspect of the CRL: %s", r)
	}
	contains(t, "the CRL", r.stdout, e.serial, "superseded", "Signature valid")

	resp, err := http.Get("http://" + o.listen + "/crl")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	writeFile(t, filepath.Join(work, "served.crl"), string(body))
	r = m.rekey("inspect", "--issuer", ca, filepath.Join(work, "served.crl"))
	contains(t, "GET /crl", r.stdout, e.serial)

	if _, err := ossltest.Locate(); err == nil || os.Getenv("REKEY_REQUIRE_OPENSSL") != "" {
		ssl := ossltest.Require(t)
		out, err := ssl.Exec(nil, "crl", "-inform", "DER", "-in", crl, "-CAfile", ca, "-noout",
			"-text")
		if err != nil || !strings.Contains(strings.ToUpper(string(out)),
			strings.ToUpper(e.serial)) {
			t.Errorf("openssl crl: %v\n%s", err, out)
		}
	}

	o.stop()
	out := o.must("audit", "verify")
	contains(t, "rekeyd audit verify", out, "intact")
	n := 0
	if f := strings.Fields(out); len(f) >= 2 {
		n, _ = strconv.Atoi(f[len(f)-2])
	}
	// Enrollment, request, approval, issuance, confirmation, revocation.
	if n < 6 {
		t.Errorf("the audit trail has %d records: %s", n, out)
	}

	db, err := sql.Open("sqlite", filepath.Join(o.dir, "rekeyd.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE audit_log SET actor = 'someone else' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	r2 := o.run("audit", "verify")
	if r2.code == 0 {
		t.Errorf("audit verify after a record was changed: %s", r2)
	}
	contains(t, "audit verify of a changed trail", r2.stderr, "broken", "record 2")
}

// TestO8_RequestsSurviveKill_OneCertificatePerRequest: rekeyd serve is
// killed (SIGKILL) after accepting a request, and again after issuing the
// certificate before the subscriber confirmed it (the subscriber killed
// too); after restarts the request is there and yields exactly one
// certificate.
func TestO8_RequestsSurviveKill_OneCertificatePerRequest(t *testing.T) {
	t.Parallel()
	o := newOperator(t, "gost2012-256", "manual")
	o.start()
	m := newMachine(t)
	o.enroll("ООО Тест", m.drive(), m.curPW, 20)
	k := m.key("ООО Тест")
	m.renew(k.ID)
	m.sync()
	before := o.requests()
	if len(before) != 1 || before[0].State != "waiting" {
		t.Fatalf("requests after the exchange: %+v", before)
	}

	o.kill()
	o.start()
	after := o.requests()
	if len(after) != 1 || after[0].ID != before[0].ID ||
		after[0].TransactionID != before[0].TransactionID || after[0].State != "waiting" {
		t.Fatalf("after kill -9 and restart: %+v, want %+v", after, before)
	}
	o.approveAll()
	time.Sleep(1100 * time.Millisecond)

	// The subscriber dies right after receiving the certificate, and so
	// does the operator.
	m.env = []string{"REKEY_TEST_CRASH_AT=sync:received"}
	if r := m.rekey("sync", "--password-file", m.curPW, "--new-password-file",
		m.newPW); !r.killed {
		t.Fatalf("rekey sync not killed after receiving: %s", r)
	}
	m.env = nil
	o.kill()
	o.start()
	rn := m.syncUntilRenewed(1)[0]
	installed := readCert(t, m.keyMap()[rn.NewKey].Certificate)
	o.stop()

	if rs := o.requests(); len(rs) != 1 || rs[0].State != "confirmed" {
		t.Errorf("requests at the end: %+v", rs)
	}
	db, err := sql.Open("sqlite", filepath.Join(o.dir, "rekeyd.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	var der []byte
	if err := db.QueryRow(`SELECT count(*) FROM certificates WHERE request_id = ?`,
		before[0].ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d certificates for the request, want 1", n)
	}
	if err := db.QueryRow(`SELECT count(*) FROM certificates WHERE subscriber_id = ?`,
		before[0].SubscriberID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d certificates of the subscriber, want the enrolled and the renewed", n)
	}
	if err := db.QueryRow(`SELECT der FROM certificates WHERE request_id = ?`,
		before[0].ID).Scan(&der); err == nil && string(der) != string(installed.Raw) {
		t.Error("the installed certificate is not the one the operator issued")
	}
}
