package main

// rekey demo: an operator (package rekeyd, in-process, serving CMP on
// 127.0.0.1) and a subscriber (package subscriber) on this machine, walking
// through the manual's remote key renewal. The demo holds no flow logic:
// it sets the scene (the operator, two organizations' keys), calls the
// same library flows as rekey renew, rekey sync, rekeyd approve and
// rekey backup, and prints what they did. Every date, id and serial
// printed is what happened in this run.

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"rekey/cms"
	"rekey/internal/cli"
	"rekey/internal/i18n"
	"rekey/media"
	"rekey/operator"
	"rekey/pki"
	"rekey/rekeyd"
	"rekey/store"
	"rekey/subscriber"
)

// demoCheckAfter is how long the demo operator asks a waiting subscriber
// to wait before polling (checkAfter); the default is longer.
const demoCheckAfter = 2 * time.Second

// demoActor is the operator's employee in the audit trail.
const demoActor = "operator:demo"

// demoOrg is an organization whose key the demo puts on the drive.
type demoOrg struct {
	file    string // the name of its password file
	subject string // the enroll subject file's JSON
	days    int    // days left on its certificate; 0: the operator's lifetime
}

// demoOrgs are two organizations with valid INN, OGRN and SNILS check
// digits (made up): one key with 20 days left, one with a year.
var demoOrgs = []demoOrg{
	{file: "severnoe-siyanie.txt", days: 20, subject: `{"C":"RU",` +
		`"ST":"78 г. Санкт-Петербург","L":"Санкт-Петербург","street":"Лиговский пр., д. 50, лит. А",` +
		`"O":"ООО «Северное сияние»","OU":"Бухгалтерия","title":"Главный бухгалтер",` +
		`"CN":"ООО «Северное сияние»","surname":"Воронцова","givenName":"Анна Сергеевна",` +
		`"emailAddress":"buh@severnoe-siyanie.example","INNLE":"7801536420",` +
		`"OGRN":"1027801536421","INN":"780412839500","SNILS":"12745836984"}`},
	{file: "uralskie-pribory.txt", subject: `{"C":"RU",` +
		`"ST":"66 Свердловская область","L":"Екатеринбург","street":"ул. Малышева, д. 51",` +
		`"O":"АО «Уральские приборы»","OU":"Администрация","title":"Генеральный директор",` +
		`"CN":"АО «Уральские приборы»","surname":"Шестаков","givenName":"Дмитрий Петрович",` +
		`"emailAddress":"office@uralskie-pribory.example","INNLE":"6671842038",` +
		`"OGRN":"1146671008736","INN":"665847102988","SNILS":"15630278457"}`},
}

// demoFlags are the flags of rekey demo.
type demoFlags struct {
	interactive bool
	profile     string
	dir         string
}

func newDemoCmd(lang i18n.Lang, g *cli.Globals, env *cli.Env) *cobra.Command {
	f := &demoFlags{}
	cmd := &cobra.Command{
		Use:     "demo [--interactive] [--profile P] [--dir DIR]",
		Short:   i18n.T(lang, i18n.DemoCmdShort),
		Long:    i18n.T(lang, i18n.DemoCmdLong),
		Example: i18n.T(lang, i18n.DemoCmdExample),
		Args:    cli.ExactArgs(lang, 0),
		RunE: cli.Action(func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			d, err := newDemo(g.Lang, env, f)
			if err != nil {
				return err
			}
			defer d.close()
			return d.run(ctx)
		}),
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.interactive, "interactive", false, i18n.T(lang, i18n.DemoFlagInteractive))
	fl.StringVar(&f.profile, "profile", operator.DefaultProfile, i18n.T(lang, i18n.DemoFlagProfile))
	fl.StringVar(&f.dir, "dir", "", i18n.T(lang, i18n.DemoFlagDir))
	return cmd
}

// demo is one run: its directories, the operator and the subscriber.
type demo struct {
	lang    i18n.Lang
	env     *cli.Env
	w       io.Writer
	now     func() time.Time
	profile string
	ask     *demoAsker

	dir, opDir, caPassFile, drive, blank, spoolDir, passDir, backupDir string
	crlFile                                                            string
	logs                                                               []*os.File
	rekeydLog, rekeyLog                                                *slog.Logger

	caPass []byte
	op     *rekeyd.Operator
	url    string
	stop   func()
	spool  *subscriber.Spool
	client *subscriber.Client

	orgKeys  []string // the key id of each of demoOrgs
	oldKey   string   // the key renewed
	newKey   string   // its successor
	auditSeq int64    // the last audit record before the exchange
}

// newDemo checks the flags and makes the demo's directories.
func newDemo(lang i18n.Lang, env *cli.Env, f *demoFlags) (*demo, error) {
	if _, err := pki.ProfileByName(f.profile); err != nil {
		return nil, cli.Usage(i18n.T(lang, i18n.DemoErrProfile, f.profile),
			i18n.T(lang, i18n.DemoFlagProfile))
	}
	var term terminal
	if f.interactive {
		if term = newTerminal(env); term == nil {
			return nil, cli.Failure(i18n.T(lang, i18n.DemoErrNoTerminal),
				i18n.T(lang, i18n.DemoHintNoTerminal))
		}
	}
	d := &demo{lang: lang, env: env, w: env.Stdout, now: env.Now, profile: f.profile}
	if d.now == nil {
		d.now = time.Now
	}
	if err := d.makeDirs(f.dir); err != nil {
		return nil, cli.Failure(i18n.T(lang, i18n.DemoErrDir, f.dir, err.Error()),
			i18n.T(lang, i18n.DemoHintDir)).WithCause(err)
	}
	d.ask = newDemoAsker(lang, d.w, term, []byte(password(12)))
	return d, nil
}

// makeDirs creates the demo's directory (dir, or a new temporary one) and
// what is in it.
func (d *demo) makeDirs(dir string) error {
	var err error
	if dir == "" {
		dir, err = os.MkdirTemp(d.env.Getenv("TMPDIR"), "rekey-demo-")
	} else {
		err = emptyDir(dir, d.t(i18n.DemoErrNotEmpty))
	}
	if err != nil {
		return err
	}
	if d.dir, err = filepath.Abs(dir); err != nil {
		return err
	}
	j := func(name string) string { return filepath.Join(d.dir, name) }
	d.opDir, d.caPassFile, d.spoolDir = j("operator"), j("ca-password.txt"), j("spool")
	d.drive, d.blank, d.passDir = j("FLASH-1"), j("FLASH-2"), j("passwords")
	d.backupDir, d.crlFile = j("BACKUP"), j("operator.crl")
	for _, p := range []string{d.drive, d.blank, d.passDir, d.backupDir} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			return err
		}
	}
	d.caPass = []byte(password(26))
	if err := os.WriteFile(d.caPassFile, append(d.caPass, '\n'), 0o600); err != nil {
		return err
	}
	if d.rekeydLog, err = d.logFile("rekeyd.log"); err != nil {
		return err
	}
	d.rekeyLog, err = d.logFile("rekey.log")
	return err
}

// emptyDir makes dir, or accepts it when it exists and is empty; a
// directory with something in it is the error notEmpty.
func emptyDir(dir, notEmpty string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return errors.New(notEmpty)
	}
	return nil
}

func (d *demo) logFile(name string) (*slog.Logger, error) {
	f, err := os.OpenFile(filepath.Join(d.dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND,
		0o600)
	if err != nil {
		return nil, err
	}
	d.logs = append(d.logs, f)
	return slog.New(slog.NewJSONHandler(f, nil)), nil
}

// password returns n random characters (base32), for the demo's keys.
func password(n int) string { return strings.ToLower(rand.Text()[:n]) }

func (d *demo) close() {
	if d.stop != nil {
		d.stop()
	}
	if d.op != nil {
		d.op.Close()
	}
	for _, f := range d.logs {
		f.Close()
	}
}

func (d *demo) t(key i18n.Key, args ...any) string { return i18n.T(d.lang, key, args...) }

func (d *demo) say(key i18n.Key, args ...any) { fmt.Fprintln(d.w, d.t(key, args...)) }

// fail is the error of a step that did not work.
func (d *demo) fail(step string, err error) error {
	var ce *cli.Error
	if errors.As(err, &ce) {
		return err
	}
	return cli.Failure(d.t(i18n.DemoErrStep, step, err.Error())).WithCause(err)
}

// unexpected is the error of a step whose library call did not do what
// the demo shows: a flow that changed, or a bug.
func (d *demo) unexpected(step string, want, got any) error {
	return cli.Failure(d.t(i18n.DemoErrUnexpected, step, fmt.Sprint(want), fmt.Sprint(got)))
}

// when writes a moment in the subscriber's zone, as rekey sync and the
// demo print it.
func when(t time.Time) string {
	return t.In(subscriber.Moscow()).Format("2006-01-02 15:04 MST")
}

// run walks through the manual.
func (d *demo) run(ctx context.Context) error {
	steps := []func(context.Context) error{
		d.intro, d.startOperator, d.enroll, d.keys, d.lastDay, d.unfinished, d.renew,
		d.send, d.policy, d.approve, d.receive, d.archived, d.backup, d.audit, d.explore,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (d *demo) intro(ctx context.Context) error {
	d.say(i18n.DemoTitle, d.profile)
	if d.ask.script != nil {
		d.say(i18n.DemoScripted)
	} else {
		d.say(i18n.DemoInteractive)
	}
	d.say(i18n.DemoDirIntro, d.dir)
	d.say(i18n.DemoDirOperator, d.opDir)
	d.say(i18n.DemoDirCAPass, d.caPassFile)
	d.say(i18n.DemoDirDrive, d.drive)
	d.say(i18n.DemoDirBlank, d.blank)
	d.say(i18n.DemoDirSpool, d.spoolDir)
	d.say(i18n.DemoDirPasswords, d.passDir)
	d.say(i18n.DemoDirLogs, filepath.Join(d.dir, "rekeyd.log"), filepath.Join(d.dir, "rekey.log"))
	return nil
}

// startOperator runs rekeyd init and rekeyd serve in-process, on a free
// port of 127.0.0.1.
func (d *demo) startOperator(ctx context.Context) error {
	d.ask.title("rekeyd", i18n.DemoStepOperator)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return d.fail("rekeyd serve", err)
	}
	d.url = "http://" + ln.Addr().String() + "/.well-known/cmp"
	// The zero fields get rekeyd's defaults.
	policy := operator.Config{CheckAfter: operator.Duration(demoCheckAfter)}
	pass := func() ([]byte, error) { return append([]byte(nil), d.caPass...), nil }
	cfg, err := rekeyd.Init(ctx, d.opDir, &rekeyd.InitOptions{Profile: d.profile,
		Approval: operator.ApprovalManual, CAName: "Демонстрационный УЦ rekey", Password: pass,
		URL: d.url, Listen: ln.Addr().String(), Operator: &policy, Now: d.now})
	if err != nil {
		ln.Close()
		return d.fail("rekeyd init", err)
	}
	d.op, err = rekeyd.Open(ctx, d.opDir, &rekeyd.OpenOptions{Password: pass, Now: d.now,
		Logger: d.rekeydLog})
	if err != nil {
		ln.Close()
		return d.fail("rekeyd serve", err)
	}
	ca := d.op.CACert
	d.say(i18n.DemoOpInit, cfg.Operator.Profile, cfg.Operator.Approval, ca.Subject.CommonName,
		fmt.Sprintf("%x", ca.SerialNumber), when(ca.NotAfter))
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := d.op.Serve(sctx, ln); err != nil {
			d.rekeydLog.Error("serve", "err", err)
		}
	}()
	d.stop = func() { cancel(); <-done; d.stop = nil }
	d.say(i18n.DemoOpServe, d.url)
	return nil
}

// enroll makes each organization's first key on the drive, in the office.
func (d *demo) enroll(ctx context.Context) error {
	d.ask.title("O6", i18n.DemoStepEnroll)
	d.say(i18n.DemoEnrollIntro)
	for _, org := range demoOrgs {
		subject, err := pki.ParseSubjectJSON([]byte(org.subject))
		if err != nil {
			return d.fail("O6", err)
		}
		pw := []byte(password(10))
		if err := os.WriteFile(filepath.Join(d.passDir, org.file), append(pw, '\n'),
			0o600); err != nil {
			return d.fail("O6", err)
		}
		e := &rekeyd.Enrollment{Subject: subject, Actor: demoActor}
		if org.days > 0 {
			e.NotAfter = d.now().Add(time.Duration(org.days) * 24 * time.Hour)
		}
		res, err := d.op.EnrollMedia(ctx, &rekeyd.MediaOptions{Root: d.drive, Password: pw}, e)
		if err != nil {
			return d.fail("O6", err)
		}
		id := res.Container.ID()
		d.orgKeys = append(d.orgKeys, id)
		d.ask.passwords[id] = pw
		k := res.Container.Key()
		left := subscriber.DaysLeft(k.KeyExpires, d.now(), subscriber.Moscow())
		d.say(i18n.DemoEnrolled, subject.Organization, id,
			fmt.Sprintf("%x", res.Certificate.SerialNumber), when(k.KeyExpires),
			i18n.Days(d.lang, left))
	}
	return nil
}

// newClient returns the subscriber's client: the demo's drives, spool and
// asker, with clock now.
func (d *demo) newClient(now func() time.Time) (*subscriber.Client, error) {
	if d.spool == nil {
		sp, err := subscriber.OpenSpool(d.spoolDir)
		if err != nil {
			return nil, err
		}
		d.spool = sp
	}
	return subscriber.New(subscriber.Options{
		Finder:    &media.Finder{Dirs: []string{d.drive, d.blank}},
		Spool:     d.spool,
		Exchanger: &subscriber.CMP{Clock: now},
		Asker:     d.ask,
		Now:       now,
		Lang:      d.lang,
		Logger:    d.rekeyLog,
	})
}

// keys shows the key list (S1, S6) and the reminder (S4), and picks the
// key the reminder is about.
func (d *demo) keys(ctx context.Context) error {
	d.ask.title("S1, S4", i18n.DemoStepKeys)
	c, err := d.newClient(d.now)
	if err != nil {
		return d.fail("S4", err)
	}
	d.client = c
	d.say(i18n.DemoKeysIntro, d.drive)
	if err := d.printKeys(ctx); err != nil {
		return err
	}
	fmt.Fprintln(d.w)
	d.say(i18n.DemoReminderIntro)
	rs, errs := c.Reminders(ctx)
	if len(errs) > 0 {
		return d.fail("S4", errors.Join(errs...))
	}
	for _, r := range rs {
		n := r.Notice()
		d.ask.notice(n.Step, n.Text(d.lang))
		if d.oldKey == "" && r.Command != "" {
			d.oldKey = r.Key
		}
	}
	if d.oldKey == "" {
		return d.fail("S4", errors.New(d.t(i18n.DemoNoReminder)))
	}
	return nil
}

// printKeys prints the key list as rekey keys does.
func (d *demo) printKeys(ctx context.Context) error {
	keys, errs := d.client.Keys(ctx)
	if len(errs) > 0 {
		return d.fail("S1", errors.Join(errs...))
	}
	writeKeys(d.w, d.lang, keys)
	return nil
}

// key returns the status of key id as the client sees it now.
func (d *demo) key(ctx context.Context, id string) (*subscriber.KeyStatus, error) {
	keys, errs := d.client.Keys(ctx)
	for i := range keys {
		if keys[i].Key.ID == id {
			return &keys[i], nil
		}
	}
	return nil, fmt.Errorf("key %s is not on the drive: %w", id, errors.Join(errs...))
}

// lastDay shows S5: the same renewal, asked on the key's last day, is
// refused by the flow. The client's clock is set to that day; nothing is
// written.
func (d *demo) lastDay(ctx context.Context) error {
	d.ask.title("S5", i18n.DemoStepLastDay)
	k, err := d.key(ctx, d.oldKey)
	if err != nil {
		return d.fail("S5", err)
	}
	at := lastDayClock(k.Key.KeyExpires)
	c, err := d.newClient(func() time.Time { return at })
	if err != nil {
		return d.fail("S5", err)
	}
	d.say(i18n.DemoLastDayIntro, when(at), d.oldKey)
	_, err = c.Renew(ctx, d.oldKey)
	if !errors.Is(err, subscriber.ErrLastDay) {
		return d.unexpected("S5", subscriber.ErrLastDay, err)
	}
	var out strings.Builder
	cli.PrintError(&out, "rekey", explain(d.lang, err))
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		d.say(i18n.DemoLastDayOut, line)
	}
	return nil
}

// lastDayClock returns a moment of the last day of a key that may sign
// until expires: halfway between that day's midnight and expires.
func lastDayClock(expires time.Time) time.Time {
	e := expires.In(subscriber.Moscow())
	midnight := time.Date(e.Year(), e.Month(), e.Day(), 0, 0, 0, 0, e.Location())
	return midnight.Add(e.Sub(midnight) / 2)
}

// unfinished shows what S3 looks at before a renewal: the exchanges not
// finished. The flow itself asks (demoAsker.ConfirmUnfinished) when there
// are some.
func (d *demo) unfinished(ctx context.Context) error {
	d.ask.title("S3", i18n.DemoStepUnfinished)
	items, errs := d.spool.Unfinished()
	if len(errs) > 0 {
		return d.fail("S3", errors.Join(errs...))
	}
	if len(items) == 0 {
		d.say(i18n.DemoUnfinishedNo, d.spoolDir)
		return nil
	}
	d.say(i18n.DemoUnfinishedYes, len(items))
	return nil
}

// renew is rekey renew KEY: S6 to S15, asked through the demo's asker.
func (d *demo) renew(ctx context.Context) error {
	d.ask.title("S6", i18n.DemoStepChoose)
	k, err := d.key(ctx, d.oldKey)
	if err != nil {
		return d.fail("S6", err)
	}
	d.say(i18n.DemoChooseIntro, d.oldKey, k.Key.Certificate.Subject.Organization,
		i18n.Days(d.lang, k.DaysLeft))
	fmt.Fprintf(d.w, "  rekey renew %s\n", d.oldKey)
	res, err := d.client.Renew(ctx, d.oldKey)
	if err != nil {
		return explain(d.lang, err)
	}
	if len(res.Keys) != 1 || res.Keys[0].Status != subscriber.RenewedQueued {
		return d.unexpected("S13", "queued", res.Keys)
	}
	rk := res.Keys[0]
	d.newKey = rk.NewKey
	if d.ask.script != nil {
		// With --interactive the person chose it and is asked again.
		d.ask.passwords[d.newKey] = d.ask.newPassword
	}

	d.ask.title("S2, S9", i18n.DemoStepGenerated)
	ct, err := media.Load(filepath.Join(rk.Media, rk.NewKey+media.ContainerSuffix))
	if err != nil {
		return d.fail("S9", err)
	}
	d.say(i18n.DemoGenerated, rk.NewKey, rk.Media)
	d.say(i18n.DemoGeneratedFile, ct.Dir, ct.State(), ct.Manifest.Profile, ct.Manifest.Replaces,
		ct.Encrypted)
	d.say(i18n.DemoPrivateStays)
	return nil
}

// send is the first rekey sync: the request goes to the operator, who
// answers "waiting" (manual approval).
func (d *demo) send(ctx context.Context) error {
	d.ask.title("S16", i18n.DemoStepSend)
	seq, err := d.lastAudit(ctx)
	if err != nil {
		return d.fail("S16", err)
	}
	d.auditSeq = seq
	d.say(i18n.DemoSendIntro)
	res, err := d.client.Sync(ctx)
	if err != nil {
		return explain(d.lang, err)
	}
	for _, p := range res.Pending {
		st := d.t(i18n.Key("state." + string(pendingState(p.Status))))
		d.say(i18n.DemoSendPending, p.Outbox, p.Key, st, when(p.NextAttempt))
	}
	return nil
}

// lastAudit returns the sequence number of the last audit record.
func (d *demo) lastAudit(ctx context.Context) (int64, error) {
	seq, _, err := d.op.Store.AuditHead(ctx)
	return seq, err
}

// policy shows the operator's decision on the request (O1–O3) as its
// audit trail recorded it.
func (d *demo) policy(ctx context.Context) error {
	d.ask.title("O1, O2, O3", i18n.DemoStepPolicy)
	d.say(i18n.DemoPolicyIntro)
	rs, err := d.op.Store.AuditRecords(ctx, d.auditSeq, 100)
	if err != nil {
		return d.fail("O1", err)
	}
	for _, r := range rs {
		fmt.Fprintf(d.w, "  #%d  %s  %s  %s  %s  %s\n", r.Seq, when(r.At), r.Actor, r.Action,
			r.Object, r.Details)
	}
	return nil
}

// approve is rekeyd requests and rekeyd approve ID (O4).
func (d *demo) approve(ctx context.Context) error {
	d.ask.title("O4", i18n.DemoStepQueue)
	d.say(i18n.DemoQueueIntro, d.opDir)
	list, err := d.op.Requests(ctx, rekeyd.RequestFilter{})
	if err != nil {
		return d.fail("O4", err)
	}
	tw := tabwriter.NewWriter(d.w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  "+d.t(i18n.DemoQueueHeader))
	for _, r := range list {
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\n", r.ID, r.State, r.Subscriber, when(r.ReceivedAt),
			r.Age)
	}
	tw.Flush()
	approved := 0
	for _, r := range list {
		if r.State != string(store.StateWaiting) {
			continue
		}
		if err := d.op.Approve(ctx, r.ID, demoActor); err != nil {
			return d.fail("O4", err)
		}
		d.say(i18n.DemoApproved, r.ID, demoActor)
		approved++
	}
	if approved != 1 {
		return d.unexpected("O4", 1, approved)
	}
	return nil
}

// receive is the next rekey sync, once the operator's checkAfter has
// passed: the certificate arrives and is installed (S17).
func (d *demo) receive(ctx context.Context) error {
	d.ask.title("S17", i18n.DemoStepReceive)
	var res *subscriber.SyncResult
	for try := 0; try < 5; try++ {
		if err := d.waitNextAttempt(); err != nil {
			return d.fail("S17", err)
		}
		d.say(i18n.DemoReceiveIntro)
		var err error
		if res, err = d.client.Sync(ctx); err != nil {
			return explain(d.lang, err)
		}
		if len(res.Renewed) > 0 {
			break
		}
	}
	if len(res.Renewed) != 1 {
		return d.fail("S17", errors.New(d.t(i18n.DemoErrClockStopped)))
	}
	r := res.Renewed[0]
	ct, err := media.Load(filepath.Join(r.Media, r.NewKey+media.ContainerSuffix))
	if err != nil {
		return d.fail("S17", err)
	}
	cert := ct.Certificate
	fmt.Fprintln(d.w)
	d.say(i18n.DemoNewCert, fmt.Sprintf("%x", cert.SerialNumber), r.NewKey, when(cert.NotBefore),
		when(cert.NotAfter), when(r.KeyExpires), i18n.Days(d.lang, r.DaysLeft))
	fmt.Fprintln(d.w)
	d.say(i18n.DemoKeysNow, d.drive)
	return d.printKeys(ctx)
}

// waitNextAttempt sleeps until the outbox's next poll is due.
func (d *demo) waitNextAttempt() error {
	items, errs := d.spool.Outbox()
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	var next time.Time
	for _, it := range items {
		if !it.Status.Final() && it.NextAttempt.After(next) {
			next = it.NextAttempt
		}
	}
	if wait := next.Sub(d.now()); wait > 0 {
		wait = wait.Round(100*time.Millisecond) + 100*time.Millisecond
		d.say(i18n.DemoWaiting, wait)
		time.Sleep(wait)
	}
	return nil
}

// archived shows that the old key is archived: it refuses to sign and
// still decrypts what was encrypted to its certificate.
func (d *demo) archived(ctx context.Context) error {
	d.ask.title("S3, S17", i18n.DemoStepArchive)
	ct, err := media.Load(filepath.Join(d.drive, d.oldKey+media.ContainerSuffix))
	if err != nil {
		return d.fail("S17", err)
	}
	d.say(i18n.DemoArchiveState, d.oldKey, d.t(i18n.Key("state."+string(ct.State()))),
		ct.Manifest.Successor)
	uk, err := ct.Unlock(d.ask.passwords[d.oldKey])
	if err != nil {
		return d.fail("S17", err)
	}
	if _, err := uk.Signer(); !errors.Is(err, media.ErrArchived) {
		return d.unexpected("S17", media.ErrArchived, err)
	}
	d.say(i18n.DemoArchiveSigns)
	serial := fmt.Sprintf("%x", ct.Certificate.SerialNumber)
	msg := d.t(i18n.DemoArchiveMsg, serial)
	der, err := cms.Encrypt([]byte(msg), []*pki.Certificate{ct.Certificate}, nil)
	if err != nil {
		return d.fail("S17", err)
	}
	plain, err := cms.Decrypt(der, ct.Certificate, uk.DecryptionKey())
	if err != nil {
		return d.fail("S17", err)
	}
	d.say(i18n.DemoArchiveOK, serial, plain)
	return nil
}

// backup is rekey backup of the new key (S18).
func (d *demo) backup(ctx context.Context) error {
	d.ask.title("S18", i18n.DemoStepBackup)
	d.say(i18n.DemoBackupAdvice)
	d.say(i18n.DemoBackupCmd, d.newKey, d.backupDir)
	if _, err := d.client.Backup(ctx, d.newKey, d.backupDir); err != nil {
		return explain(d.lang, err)
	}
	return nil
}

// audit verifies the audit chain and signs a CRL (O7), then stops the
// operator.
func (d *demo) audit(ctx context.Context) error {
	d.ask.title("O7", i18n.DemoStepAudit)
	der, err := d.op.SignCRL(ctx)
	if err != nil {
		return d.fail("O7", err)
	}
	if err := os.WriteFile(d.crlFile, der, 0o644); err != nil {
		return d.fail("O7", err)
	}
	d.say(i18n.DemoCRLSigned, d.crlFile, i18n.Bytes(d.lang, len(der)))
	n, err := d.op.VerifyAudit(ctx)
	if err != nil {
		return d.fail("O7", err)
	}
	d.say(i18n.DemoAuditOK, n)
	d.stop()
	if err := d.op.Close(); err != nil {
		return d.fail("O7", err)
	}
	d.op = nil
	d.say(i18n.DemoStopped, d.dir)
	return nil
}

// explore prints the commands that show what the demo left, as go run
// commands of the source directory.
func (d *demo) explore(ctx context.Context) error {
	d.ask.title("rekey, rekeyd", i18n.DemoStepExplore)
	if root := moduleRoot(); root != "" {
		d.say(i18n.DemoExploreIn, root)
	} else {
		d.say(i18n.DemoExploreSource)
	}
	newDir := filepath.Join(d.drive, d.newKey+media.ContainerSuffix)
	ca := filepath.Join(d.opDir, rekeyd.CACertFile)
	cmds := []struct {
		comment i18n.Key
		args    []string
	}{
		{i18n.DemoExploreKeys, []string{"rekey", "keys", "--media", d.drive}},
		{i18n.DemoExploreCert, []string{"rekey", "inspect", filepath.Join(newDir, media.CertFile),
			"--issuer", ca}},
		{i18n.DemoExploreBackup, []string{"rekey", "keys", "--media", d.backupDir}},
		{i18n.DemoExploreCRL, []string{"rekey", "inspect", d.crlFile, "--issuer", ca}},
		{i18n.DemoExploreQueue, []string{"rekeyd", "requests", "--dir", d.opDir}},
		{i18n.DemoExploreSubs, []string{"rekeyd", "subscribers", "--dir", d.opDir}},
		{i18n.DemoExploreAudit, []string{"rekeyd", "audit", "verify", "--dir", d.opDir}},
	}
	for _, c := range cmds {
		d.say(c.comment)
		q := make([]string, len(c.args)-1)
		for i, a := range c.args[1:] {
			q[i] = shellQuote(a)
		}
		fmt.Fprintf(d.w, "  go run ./cmd/%s %s\n", c.args[0], strings.Join(q, " "))
	}
	fmt.Fprintln(d.w)
	d.say(i18n.DemoDone)
	return nil
}

var (
	moduleLine = regexp.MustCompile(`(?m)^module rekey\s*$`)
	shellSafe  = regexp.MustCompile(`^[A-Za-z0-9_./:=@%+,-]+$`)
)

// moduleRoot returns the current directory when it is rekey's source
// directory (where go run ./cmd/rekey works), else "".
func moduleRoot() string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(wd, "go.mod"))
	if err != nil || !moduleLine.Match(data) {
		return ""
	}
	return wd
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
