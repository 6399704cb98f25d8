package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"rekey/internal/cli"
	"rekey/internal/i18n"
	"rekey/media"
	"rekey/pki"
	"rekey/subscriber"
)

func newKeysCmd(lang i18n.Lang, g *cli.Globals, env *cli.Env, mf *mediaFlags) *cobra.Command {
	return &cobra.Command{
		Use:     "keys",
		Short:   i18n.T(lang, i18n.CmdKeysShort),
		Long:    i18n.T(lang, i18n.CmdKeysLong),
		Example: i18n.T(lang, i18n.CmdKeysExample),
		Args:    cli.ExactArgs(lang, 0),
		RunE: cli.Action(func(cmd *cobra.Command, args []string) error {
			f := &flow{g: g, env: env, mf: mf}
			return runKeys(cmd.Context(), f)
		}),
	}
}

func runKeys(ctx context.Context, f *flow) error {
	lang := f.g.Lang
	c, err := f.client()
	if err != nil {
		return err
	}
	keys, errs := c.Keys(ctx)
	for _, e := range errs {
		fmt.Fprintln(f.env.Stderr, i18n.T(lang, i18n.KeysMediaError, trimSub(e)))
	}
	if f.g.JSON {
		out := make([]subscriber.KeyJSON, len(keys))
		for i := range keys {
			out[i] = keys[i].JSON()
		}
		return cli.WriteJSON(f.env.Stdout, out)
	}
	if len(keys) == 0 {
		fmt.Fprintln(f.env.Stdout, i18n.T(lang, i18n.KeysNone))
		fmt.Fprintln(f.env.Stdout, i18n.T(lang, i18n.KeysNoneHint))
		return nil
	}
	writeKeys(f.env.Stdout, lang, keys)
	return nil
}

// writeKeys prints the key list as a table.
func writeKeys(w io.Writer, lang i18n.Lang, keys []subscriber.KeyStatus) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, i18n.T(lang, i18n.KeysHeader))
	msk := subscriber.Moscow()
	for _, k := range keys {
		last, days := i18n.T(lang, i18n.KeysNoLastDay), i18n.T(lang, i18n.KeysNoLastDay)
		var org, holder, inn string
		if cert := k.Key.Certificate; cert != nil {
			last = k.Key.KeyExpires.In(msk).Format("2006-01-02")
			days = strconv.Itoa(k.DaysLeft)
			org, holder, inn = subjectColumns(cert.Subject)
		}
		where := k.Key.Media
		switch {
		case k.Key.Kind == media.KindToken && k.Key.TokenSerial != "":
			// Two tokens may share a label: the serial tells them apart.
			where = i18n.T(lang, i18n.KeysTokenMedia, k.Key.Media, k.Key.TokenSerial)
		case k.Key.Kind == media.KindToken:
			where = "token:" + where
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.Key.ID,
			i18n.T(lang, i18n.Key("state."+string(k.State))), last, days, org, holder, inn, where)
	}
	tw.Flush()
}

// subjectColumns returns the organization, the holder and the INN of a
// certificate's subject.
func subjectColumns(s *pki.Subject) (org, holder, inn string) {
	if s == nil {
		return "", "", ""
	}
	org = s.Organization
	holder = strings.TrimSpace(s.Surname + " " + s.GivenName)
	if holder == "" {
		holder = s.CommonName
	}
	inn = s.INN
	if inn == "" {
		inn = s.INNLE
	}
	return org, holder, inn
}
