package main

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"rekey/internal/cli"
	"rekey/internal/i18n"
	"rekey/pki"
	"rekey/rekeyd"
	"rekey/store"
)

// enrollFlags are the flags of rekeyd enroll.
type enrollFlags struct {
	subject, notAfter, csr, out, media, passwordFile, secretOut string
	days                                                        int
}

func (a *app) enrollCmd(lang i18n.Lang) *cobra.Command {
	var f enrollFlags
	cmd := &cobra.Command{
		Use: "enroll --dir DIR --subject FILE.json [--days N | --not-after TIME] " +
			"(--csr FILE [--out CERT.pem] | --media DIR [--password-file F] | --secret-out FILE)",
		Short: i18n.T(lang, i18n.DCmdEnrollShort),
		Long:  i18n.T(lang, i18n.DCmdEnrollLong),
		Example: "  rekeyd enroll --dir /var/lib/rekeyd --subject ivanov.json --csr ivanov.csr --out ivanov.pem\n" +
			"  rekeyd enroll --dir /var/lib/rekeyd --subject ivanov.json --media /media/usb --password-file pw\n" +
			"  rekeyd enroll --dir /var/lib/rekeyd --subject ivanov.json --secret-out ivanov-secret.json",
		Args: cobra.NoArgs,
		RunE: cli.Action(func(cmd *cobra.Command, _ []string) error {
			return a.enroll(cmd, &f)
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&f.subject, "subject", "", i18n.T(lang, i18n.DFlagSubject))
	fl.IntVar(&f.days, "days", 0, i18n.T(lang, i18n.DFlagDays))
	fl.StringVar(&f.notAfter, "not-after", "", i18n.T(lang, i18n.DFlagNotAfter))
	fl.StringVar(&f.csr, "csr", "", i18n.T(lang, i18n.DFlagCSR))
	fl.StringVar(&f.out, "out", "", i18n.T(lang, i18n.DFlagCertOut))
	fl.StringVar(&f.media, "media", "", i18n.T(lang, i18n.DFlagEnrollMedia))
	fl.StringVar(&f.passwordFile, "password-file", "", i18n.T(lang, i18n.DFlagKeyPasswordFile))
	fl.StringVar(&f.secretOut, "secret-out", "", i18n.T(lang, i18n.DFlagSecretOut))
	return cmd
}

func (a *app) enroll(cmd *cobra.Command, f *enrollFlags) error {
	l := a.lang()
	usage := func(key i18n.Key, args ...any) error {
		return cli.Usage(i18n.T(l, key, args...), i18n.T(l, i18n.HintHelp, cmd.CommandPath()))
	}
	modes := 0
	for _, s := range []string{f.csr, f.media, f.secretOut} {
		if s != "" {
			modes++
		}
	}
	switch {
	case f.subject == "":
		return usage(i18n.DErrNoSubject)
	case modes != 1:
		return usage(i18n.DErrEnrollMode)
	case f.days != 0 && f.notAfter != "":
		return usage(i18n.DErrDaysAndNotAfter)
	case f.days < 0:
		return usage(i18n.DErrDays, f.days)
	case f.out != "" && f.csr == "":
		return usage(i18n.DErrOutWithoutCSR)
	case f.passwordFile != "" && f.media == "":
		return usage(i18n.DErrPasswordWithoutMedia)
	}
	data, err := cli.ReadFile(l, f.subject)
	if err != nil {
		return err
	}
	subject, err := pki.ParseSubjectJSON(data)
	if err != nil {
		return cli.Failure(i18n.T(l, i18n.DErrSubject, f.subject, trim(err)),
			i18n.T(l, i18n.DHintSubject)).WithCause(err)
	}
	var keyPassword []byte
	if f.media != "" {
		if f.passwordFile == "" {
			return usage(i18n.DErrNoKeyPassword)
		}
		if keyPassword, err = cli.ReadPasswordFile(l, f.passwordFile); err != nil {
			return err
		}
	}
	var csr []byte
	if f.csr != "" {
		if csr, err = readCSR(l, f.csr); err != nil {
			return err
		}
	}
	ctx := cmd.Context()
	op, err := a.open(ctx, f.secretOut == "")
	if err != nil {
		return err
	}
	defer op.Close()
	e := &rekeyd.Enrollment{Subject: subject, Actor: a.actor()}
	if e.NotAfter, err = a.notAfter(f, op); err != nil {
		return err
	}
	switch {
	case f.secretOut != "":
		return a.issueSecret(ctx, op, subject, f.secretOut)
	case f.csr != "":
		res, err := op.EnrollCSR(ctx, csr, e)
		if err != nil {
			return enrollError(l, err)
		}
		certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: res.Certificate.Raw})
		if f.out == "" {
			_, err := a.env.Stdout.Write(certPEM)
			return err
		}
		if err := os.WriteFile(f.out, certPEM, 0o644); err != nil {
			return cli.Failure(i18n.T(l, i18n.DErrWrite, f.out, err.Error()))
		}
		fmt.Fprintln(a.env.Stdout, i18n.T(l, i18n.DEnrolledCSR, res.Subscriber.ID,
			fmt.Sprintf("%x", res.Certificate.SerialNumber), f.out))
		return nil
	}
	res, err := op.EnrollMedia(ctx, &rekeyd.MediaOptions{Root: f.media, Password: keyPassword}, e)
	if err != nil {
		return enrollError(l, err)
	}
	fmt.Fprintln(a.env.Stdout, i18n.T(l, i18n.DEnrolledMedia, res.Subscriber.ID,
		fmt.Sprintf("%x", res.Certificate.SerialNumber), res.Container.Dir))
	return nil
}

// enrollError explains a failed enrollment.
func enrollError(l i18n.Lang, err error) error {
	if errors.Is(err, rekeyd.ErrKeyCertified) {
		return cli.Failure(i18n.T(l, i18n.DErrKeyCertified)).WithCause(err)
	}
	return cli.Failure(i18n.T(l, i18n.DErrEnroll, trim(err))).WithCause(err)
}

// readCSR reads a PKCS#10 request in PEM or DER.
func readCSR(l i18n.Lang, path string) ([]byte, error) {
	data, err := cli.ReadFile(l, path)
	if err != nil {
		return nil, err
	}
	if b, _ := pem.Decode(data); b != nil {
		if b.Type != "CERTIFICATE REQUEST" && b.Type != "NEW CERTIFICATE REQUEST" {
			return nil, cli.Failure(i18n.T(l, i18n.DErrCSRType, path, b.Type))
		}
		data = b.Bytes
	}
	return data, nil
}

// notAfter is the end of the certificate that --days or --not-after ask.
func (a *app) notAfter(f *enrollFlags, op *rekeyd.Operator) (time.Time, error) {
	if f.days > 0 {
		return op.Now().Add(time.Duration(f.days) * 24 * time.Hour), nil
	}
	if f.notAfter == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, f.notAfter); err == nil {
		return t, nil
	}
	loc, err := time.LoadLocation(op.Config.Operator.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	d, err := time.ParseInLocation("2006-01-02", f.notAfter, loc)
	if err != nil {
		return time.Time{}, cli.Usage(i18n.T(a.lang(), i18n.DErrNotAfter, f.notAfter))
	}
	return d.Add(24*time.Hour - time.Second), nil
}

// issueSecret issues a one-time secret and writes it to path (mode 0600).
func (a *app) issueSecret(ctx context.Context, op *rekeyd.Operator, subject *pki.Subject,
	path string) error {
	sec, err := op.IssueSecret(ctx, subject, a.actor())
	if err != nil {
		return err
	}
	data := fmt.Sprintf("{\n  \"reference\": %q,\n  \"secret\": %q,\n  \"expires\": %q\n}\n",
		sec.Reference, sec.Value, sec.Expires.Format(time.RFC3339))
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		return cli.Failure(i18n.T(a.lang(), i18n.DErrWrite, path, err.Error()))
	}
	fmt.Fprintln(a.env.Stdout, i18n.T(a.lang(), i18n.DSecretIssued, sec.Reference, path,
		sec.Expires.Format(time.RFC3339)))
	return nil
}

// parseIDs reads request IDs.
func parseIDs(l i18n.Lang, args []string) ([]int64, error) {
	ids := make([]int64, 0, len(args))
	for _, s := range args {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil, cli.Usage(i18n.T(l, i18n.DErrRequestID, s))
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// parseState reads --state.
func parseState(l i18n.Lang, s string) (store.State, error) {
	st := store.State(strings.ToLower(s))
	if !st.Valid() {
		return "", cli.Usage(i18n.T(l, i18n.DErrState, s,
			"received, waiting, approved, issued, confirmed, rejected, expired"))
	}
	return st, nil
}

// decisionError explains a failed approve or reject.
func (a *app) decisionError(id int64, err error) error {
	l := a.lang()
	switch {
	case errors.Is(err, store.ErrNotFound):
		return cli.Failure(i18n.T(l, i18n.DErrNoRequest, id),
			i18n.T(l, i18n.DHintRequests)).WithCause(err)
	case errors.Is(err, store.ErrStateChanged):
		return cli.Failure(i18n.T(l, i18n.DErrRequestState, id),
			i18n.T(l, i18n.DHintRequests)).WithCause(err)
	}
	return err
}

// notFound maps store.ErrNotFound to msg.
func (a *app) notFound(err error, msg string) error {
	if errors.Is(err, store.ErrNotFound) {
		return cli.Failure(msg).WithCause(err)
	}
	return err
}

func printRequests(w io.Writer, l i18n.Lang, list []rekeyd.RequestInfo) {
	if len(list) == 0 {
		fmt.Fprintln(w, i18n.T(l, i18n.DNoRequests))
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, i18n.T(l, i18n.DRequestsHeader))
	for _, r := range list {
		mark := ""
		if r.Overdue {
			mark = " !"
		}
		fmt.Fprintf(tw, "%d\t%s%s\t%s\t%s\t%s\n", r.ID, r.State, mark, r.Subscriber,
			r.ReceivedAt.Format(time.RFC3339), r.Age)
	}
	tw.Flush()
}

func printSubscribers(w io.Writer, l i18n.Lang, list []rekeyd.SubscriberInfo) {
	if len(list) == 0 {
		fmt.Fprintln(w, i18n.T(l, i18n.DNoSubscribers))
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, i18n.T(l, i18n.DSubscribersHeader))
	for _, s := range list {
		end, days := "—", "—"
		if s.KeyExpires != nil {
			end = s.KeyExpires.Format("2006-01-02")
			days = strconv.Itoa(*s.DaysLeft)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Name, s.Status, s.Serial, end, days)
	}
	tw.Flush()
}
