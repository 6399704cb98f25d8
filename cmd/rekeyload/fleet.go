package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"rekey/operator"
	"rekey/pki"
	"rekey/rekeyd"
)

// caPasswordEnv is the environment variable through which `rekeyd serve`
// and the in-process operator get the CA key's password.
const caPasswordEnv = "REKEYD_CA_PASSWORD"

// subscriber is an enrolled subscriber: its current certificate and key,
// and the new keys of its coming renewals, generated before the clock
// starts.
type subscriber struct {
	index int
	cert  *pki.Certificate
	key   crypto.Signer
	next  []crypto.Signer
}

// fleet is an operator directory with its enrolled subscribers.
type fleet struct {
	dir      string
	password string
	caCert   *pki.Certificate
	subs     []*subscriber
}

// fleetOptions describe a new operator directory and its subscribers.
type fleetOptions struct {
	dir         string // created when it does not exist; must hold no operator
	profile     string // gost2012-256 or ecdsa-p256
	database    string // "" for SQLite in dir, else a postgres:// DSN
	subscribers int
	renewals    int // per subscriber: new keys generated for each
	workers     int // concurrent enrollments
}

// loadPolicy is the operator's policy of a load run: automatic approval,
// no practical rate limit (a subscriber may renew many times in a run),
// polls answered after one second.
func loadPolicy(profile string) *operator.Config {
	return &operator.Config{Profile: profile, Approval: operator.ApprovalAuto,
		CAName: "rekeyload CA", RateLimitPerDay: 1 << 30,
		CheckAfter: operator.Duration(time.Second)}
}

// newFleet creates the operator directory with rekeyd.Init and enrolls
// the subscribers in-process with rekeyd.Operator.EnrollCSR, several at a
// time so that the database's group commit works for us.
func newFleet(ctx context.Context, o *fleetOptions) (*fleet, error) {
	if _, err := pki.ProfileByName(o.profile); err != nil {
		return nil, fmt.Errorf("profile %q: %w (use gost2012-256 or ecdsa-p256)", o.profile, err)
	}
	f := &fleet{dir: o.dir, password: randomPassword()}
	pw := func() ([]byte, error) { return []byte(f.password), nil }
	_, err := rekeyd.Init(ctx, o.dir, &rekeyd.InitOptions{Operator: loadPolicy(o.profile),
		Database: o.database, Password: pw,
		KeyEncryption: &pki.KeyEncryptionOptions{Iterations: 1000}})
	if err != nil {
		return nil, fmt.Errorf("creating the operator in %s: %w", o.dir, err)
	}
	if err := f.enroll(ctx, o); err != nil {
		return nil, err
	}
	return f, nil
}

// openOperator opens the fleet's operator in-process with its CA key; its
// log is discarded.
func (f *fleet) openOperator(ctx context.Context) (*rekeyd.Operator, error) {
	op, err := rekeyd.Open(ctx, f.dir, &rekeyd.OpenOptions{
		Password: func() ([]byte, error) { return []byte(f.password), nil },
		Logger:   slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		return nil, fmt.Errorf("opening the operator in %s: %w", f.dir, err)
	}
	return op, nil
}

// enroll registers o.subscribers subscribers, each with a certificate of
// a fresh key, and generates o.renewals new keys for each.
func (f *fleet) enroll(ctx context.Context, o *fleetOptions) error {
	op, err := f.openOperator(ctx)
	if err != nil {
		return err
	}
	defer op.Close()
	f.caCert = op.CACert
	prof, err := pki.ProfileByName(o.profile)
	if err != nil {
		return err
	}
	f.subs = make([]*subscriber, o.subscribers)
	workers := max(o.workers, 1)
	jobs := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				s, err := enrollOne(ctx, op, prof, i, o.renewals)
				if err != nil {
					errs <- err
					return
				}
				f.subs[i] = s
			}
		})
	}
	err = feed(ctx, jobs, o.subscribers, errs)
	wg.Wait()
	close(errs)
	return errors.Join(err, <-errs)
}

// feed sends 0…n-1 to jobs until a worker reports an error, then closes
// jobs.
func feed(ctx context.Context, jobs chan<- int, n int, errs <-chan error) error {
	defer close(jobs)
	for i := range n {
		select {
		case jobs <- i:
		case err := <-errs:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// enrollOne enrolls subscriber i through a PKCS#10 request, as `rekeyd
// enroll --csr` does, and makes its renewal keys.
func enrollOne(ctx context.Context, op *rekeyd.Operator, prof *pki.Profile, i, renewals int) (
	*subscriber, error) {
	key, err := prof.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating a key: %w", err)
	}
	csr, err := pki.CreateCertificateRequest(&pki.RequestTemplate{
		Subject: &pki.Subject{CommonName: "rekeyload"}}, key)
	if err != nil {
		return nil, fmt.Errorf("making a certificate request: %w", err)
	}
	res, err := op.EnrollCSR(ctx, csr, &rekeyd.Enrollment{Subject: subjectOf(i),
		Actor: "rekeyload"})
	if err != nil {
		return nil, fmt.Errorf("enrolling subscriber %d: %w", i, err)
	}
	s := &subscriber{index: i, cert: res.Certificate, key: key}
	for range renewals {
		k, err := prof.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generating a key: %w", err)
		}
		s.next = append(s.next, k)
	}
	return s, nil
}

// subjectOf is the subject of subscriber i: a valid qualified-certificate
// subject (check digits included) with a name of its own.
func subjectOf(i int) *pki.Subject {
	name := fmt.Sprintf("ООО Нагрузка %06d", i)
	return &pki.Subject{Country: "RU", Locality: "Москва", Organization: name,
		CommonName: name, Surname: "Иванов", GivenName: "Иван Иванович",
		INNLE: "7707083893", OGRN: "1027700132195", SNILS: "11223344595"}
}

// randomPassword is a fresh CA key password for a throwaway operator.
func randomPassword() string {
	return "rekeyload-" + rand.Text()
}

// tempDir makes a directory for a throwaway operator.
func tempDir() (string, error) {
	d, err := os.MkdirTemp("", "rekeyload-")
	if err != nil {
		return "", fmt.Errorf("making a temporary directory: %w", err)
	}
	return filepath.Join(d, "operator"), nil
}

// defaultWorkers is the number of concurrent enrollments.
func defaultWorkers() int { return 4 * runtime.GOMAXPROCS(0) }
