package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"rekey/internal/cli"
	"rekey/internal/i18n"
	"rekey/subscriber"
)

// answerFlags are the flags that answer the flow's questions in scripts.
type answerFlags struct {
	passwordFile    string
	newPasswordFile string
	emptyPassword   bool
	yes             bool
	toMedia         string
}

// asker builds the Asker of a command from its flags and the terminal.
func (af *answerFlags) asker(g *cli.Globals, env *cli.Env) (*asker, error) {
	a := &asker{lang: g.Lang, out: env.Stdout, term: newTerminal(env), yes: af.yes,
		emptyPassword: af.emptyPassword, toMedia: af.toMedia, attempts: 3}
	if g.JSON {
		a.out = env.Stderr
	}
	var err error
	if af.passwordFile != "" {
		if a.keyPassword, err = cli.ReadPasswordFile(g.Lang, af.passwordFile); err != nil {
			return nil, err
		}
	}
	if af.newPasswordFile != "" {
		if a.newPassword, err = cli.ReadPasswordFile(g.Lang, af.newPasswordFile); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func (a *asker) clear() {
	clear(a.keyPassword)
	clear(a.newPassword)
}

func newRenewCmd(lang i18n.Lang, g *cli.Globals, env *cli.Env, mf *mediaFlags) *cobra.Command {
	af := &answerFlags{}
	var all bool
	cmd := &cobra.Command{
		Use:     "renew KEY… | --all-expiring",
		Short:   i18n.T(lang, i18n.CmdRenewShort),
		Long:    i18n.T(lang, i18n.CmdRenewLong),
		Example: i18n.T(lang, i18n.CmdRenewExample),
		RunE: cli.Action(func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !all || len(args) > 0 && all {
				return cli.Usage(i18n.T(g.Lang, i18n.ErrRenewArgs),
					i18n.T(g.Lang, i18n.HintHelp, cmd.CommandPath()))
			}
			a, err := af.asker(g, env)
			if err != nil {
				return err
			}
			defer a.clear()
			f := &flow{g: g, env: env, mf: mf, asker: a, writes: true}
			return runRenew(cmd.Context(), f, a, args, all)
		}),
	}
	fl := cmd.Flags()
	fl.BoolVar(&all, "all-expiring", false, i18n.T(lang, i18n.FlagAllExpiring))
	fl.StringVar(&af.toMedia, "to-media", "", i18n.T(lang, i18n.FlagToMedia))
	fl.StringVar(&af.passwordFile, "password-file", "", i18n.T(lang, i18n.FlagKeyPasswordFile))
	fl.StringVar(&af.newPasswordFile, "new-password-file", "",
		i18n.T(lang, i18n.FlagNewPasswordFile))
	fl.BoolVar(&af.emptyPassword, "empty-password", false, i18n.T(lang, i18n.FlagEmptyPassword))
	fl.BoolVar(&af.yes, "yes", false, i18n.T(lang, i18n.FlagYes))
	return cmd
}

func runRenew(ctx context.Context, f *flow, a *asker, ids []string, all bool) error {
	lang := f.g.Lang
	c, err := f.client()
	if err != nil {
		return err
	}
	if all {
		ids = append(ids, c.ExpiringKeys(ctx)...)
		if len(ids) == 0 {
			if f.g.JSON {
				return cli.WriteJSON(f.env.Stdout, &subscriber.RenewResult{
					Keys: []subscriber.RenewedKey{}})
			}
			fmt.Fprintln(f.env.Stdout, i18n.T(lang, i18n.RenewNoExpiring))
			return nil
		}
	}
	res, err := c.Renew(ctx, ids...)
	if res != nil {
		if f.g.JSON {
			if res.Keys == nil {
				res.Keys = []subscriber.RenewedKey{}
			}
			if jerr := cli.WriteJSON(f.env.Stdout, res); jerr != nil {
				return jerr
			}
		} else {
			queued := 0
			for _, k := range res.Keys {
				if k.Status == subscriber.RenewedQueued {
					queued++
				}
			}
			a.say("%s", i18n.T(lang, i18n.RenewSummary, queued, len(ids)))
		}
	}
	return explain(lang, err)
}
