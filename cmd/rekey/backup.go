package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"rekey/internal/cli"
	"rekey/internal/i18n"
	"rekey/media"
)

func newBackupCmd(lang i18n.Lang, g *cli.Globals, env *cli.Env, mf *mediaFlags) *cobra.Command {
	af := &answerFlags{}
	var to string
	cmd := &cobra.Command{
		Use:     "backup KEY --to DIR",
		Short:   i18n.T(lang, i18n.CmdBackupShort),
		Long:    i18n.T(lang, i18n.CmdBackupLong),
		Example: i18n.T(lang, i18n.CmdBackupExample),
		Args:    cli.ExactArgs(lang, 1),
		RunE: cli.Action(func(cmd *cobra.Command, args []string) error {
			a, err := af.asker(g, env)
			if err != nil {
				return err
			}
			defer a.clear()
			f := &flow{g: g, env: env, mf: mf, asker: a}
			return runBackup(cmd.Context(), f, a, args[0], to)
		}),
	}
	cmd.Flags().StringVar(&to, "to", "", i18n.T(lang, i18n.FlagBackupTo))
	cmd.Flags().StringVar(&af.passwordFile, "password-file", "",
		i18n.T(lang, i18n.FlagKeyPasswordFile))
	cmd.MarkFlagRequired("to")
	return cmd
}

func runBackup(ctx context.Context, f *flow, a *asker, id, to string) error {
	lang := f.g.Lang
	c, err := f.client()
	if err != nil {
		return err
	}
	res, err := c.Backup(ctx, id, to)
	if errors.Is(err, media.ErrNotExtractable) {
		return cli.Failure(i18n.T(lang, i18n.ErrTokenNoBackup, id)).WithCause(err)
	}
	if err != nil {
		return explain(lang, err)
	}
	if f.g.JSON {
		return cli.WriteJSON(f.env.Stdout, res)
	}
	a.say("%s", i18n.T(lang, i18n.BackupCopied, res.Key, res.To))
	return nil
}
