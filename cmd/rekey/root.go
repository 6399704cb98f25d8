package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"rekey/internal/cli"
	"rekey/internal/i18n"
)

// newRoot builds the command tree with its help texts in lang.
func newRoot(lang i18n.Lang, env *cli.Env) *cobra.Command {
	g := &cli.Globals{}
	mf := &mediaFlags{}
	root := &cobra.Command{
		Use:   "rekey",
		Short: i18n.T(lang, i18n.CmdRekeyShort),
		Long:  i18n.T(lang, i18n.CmdRekeyLong),
	}
	g.Register(root, env, lang)
	mf.register(root, lang)
	resolve := root.PersistentPreRunE
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if err := resolve(cmd, args); err != nil {
			return err
		}
		remind(cmd, g, env, mf)
		return nil
	}
	root.AddCommand(newInspectCmd(lang, g, env))
	root.AddCommand(newKeysCmd(lang, g, env, mf))
	root.AddCommand(newRenewCmd(lang, g, env, mf))
	root.AddCommand(newSyncCmd(lang, g, env, mf))
	root.AddCommand(newBackupCmd(lang, g, env, mf))
	root.AddCommand(newDemoCmd(lang, g, env))
	cli.Localize(root, lang)
	return root
}

// remind prints the reminder of S4 to standard error before any command:
// each key whose last day is 30 days away or less, with the command that
// renews it (or the office, on its last day and after). It never fails a
// command: media it cannot read are the commands' own business.
func remind(cmd *cobra.Command, g *cli.Globals, env *cli.Env, mf *mediaFlags) {
	if cmd.Name() == "help" || cmd.Name() == "demo" {
		return // the demo shows the reminders of its own drive
	}
	c, err := (&flow{g: g, env: env, mf: mf}).client()
	if err != nil {
		return
	}
	rs, _ := c.Reminders(cmd.Context())
	for _, r := range rs {
		fmt.Fprintln(env.Stderr, r.Notice().Text(g.Lang))
	}
}
