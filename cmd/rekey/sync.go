package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"rekey/internal/cli"
	"rekey/internal/i18n"
	"rekey/subscriber"
)

func newSyncCmd(lang i18n.Lang, g *cli.Globals, env *cli.Env, mf *mediaFlags) *cobra.Command {
	af := &answerFlags{}
	cmd := &cobra.Command{
		Use:     "sync",
		Short:   i18n.T(lang, i18n.CmdSyncShort),
		Long:    i18n.T(lang, i18n.CmdSyncLong),
		Example: i18n.T(lang, i18n.CmdSyncExample),
		Args:    cli.ExactArgs(lang, 0),
		RunE: cli.Action(func(cmd *cobra.Command, args []string) error {
			a, err := af.asker(g, env)
			if err != nil {
				return err
			}
			defer a.clear()
			f := &flow{g: g, env: env, mf: mf, asker: a, writes: true}
			return runSync(cmd.Context(), f, a)
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&af.passwordFile, "password-file", "", i18n.T(lang, i18n.FlagKeyPasswordFile))
	fl.StringVar(&af.newPasswordFile, "new-password-file", "",
		i18n.T(lang, i18n.FlagNewPasswordFile))
	return cmd
}

func runSync(ctx context.Context, f *flow, a *asker) error {
	lang := f.g.Lang
	c, err := f.client()
	if err != nil {
		return err
	}
	res, err := c.Sync(ctx)
	if res == nil {
		return explain(lang, err)
	}
	if f.g.JSON {
		if jerr := cli.WriteJSON(f.env.Stdout, res); jerr != nil {
			return jerr
		}
		return explain(lang, err)
	}
	for _, r := range res.Renewed {
		a.say("%s", i18n.T(lang, i18n.SyncRenewedLine, r.NewKey, r.OldKey, r.Media,
			when(r.KeyExpires), r.DaysLeft))
	}
	for _, p := range res.Pending {
		st := i18n.T(lang, i18n.Key("state."+string(pendingState(p.Status))))
		if p.LastError != "" {
			a.say("%s", i18n.T(lang, i18n.SyncPendingErr, p.Key, p.Outbox, st, p.Attempts,
				p.LastError))
			continue
		}
		next := "-"
		if !p.NextAttempt.IsZero() {
			next = when(p.NextAttempt)
		}
		a.say("%s", i18n.T(lang, i18n.SyncPending, p.Key, p.Outbox, st, next))
	}
	if len(res.Renewed) == 0 && len(res.Pending) == 0 && err == nil {
		fmt.Fprintln(a.out, i18n.T(lang, i18n.SyncNothing))
	}
	return explain(lang, err)
}

// pendingState is the key state shown for an outbox status.
func pendingState(s subscriber.Status) subscriber.State {
	switch s {
	case subscriber.StatusDraft, subscriber.StatusQueued:
		return subscriber.StateRequested
	}
	return subscriber.StateWaiting
}
