package main

import (
	"github.com/spf13/cobra"

	"rekey/internal/cli"
	"rekey/internal/i18n"
)

// newRoot builds the command tree with its help texts in lang.
func newRoot(lang i18n.Lang, env *cli.Env) *cobra.Command {
	g := &cli.Globals{}
	root := &cobra.Command{
		Use:   "rekey",
		Short: i18n.T(lang, i18n.CmdRekeyShort),
		Long:  i18n.T(lang, i18n.CmdRekeyLong),
	}
	g.Register(root, env, lang)
	root.AddCommand(newInspectCmd(lang, g, env))
	cli.Localize(root, lang)
	return root
}
