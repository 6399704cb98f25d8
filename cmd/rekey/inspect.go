package main

import (
	"errors"

	"github.com/spf13/cobra"

	"rekey/inspect"
	"rekey/internal/cli"
	"rekey/internal/i18n"
	"rekey/pki"
)

func newInspectCmd(lang i18n.Lang, g *cli.Globals, env *cli.Env) *cobra.Command {
	var issuerPath, passwordPath string
	cmd := &cobra.Command{
		Use:     "inspect FILE",
		Short:   i18n.T(lang, i18n.CmdInspectShort),
		Long:    i18n.T(lang, i18n.CmdInspectLong),
		Example: i18n.T(lang, i18n.CmdInspectExample),
		Args:    cli.ExactArgs(lang, 1),
		RunE: cli.Action(func(cmd *cobra.Command, args []string) error {
			return runInspect(g, env, args[0], issuerPath, passwordPath)
		}),
	}
	cmd.Flags().StringVar(&issuerPath, "issuer", "", i18n.T(lang, i18n.FlagIssuer))
	cmd.Flags().StringVar(&passwordPath, "password-file", "", i18n.T(lang, i18n.FlagPasswordFile))
	return cmd
}

func runInspect(g *cli.Globals, env *cli.Env, path, issuerPath, passwordPath string) error {
	lang, now := g.Lang, env.Now()
	data, err := cli.ReadFile(lang, path)
	if err != nil {
		return err
	}
	opts := inspect.Options{Now: now}
	if issuerPath != "" {
		if opts.Issuer, err = loadIssuer(lang, issuerPath); err != nil {
			return err
		}
	}
	if passwordPath != "" {
		if opts.Password, err = cli.ReadPasswordFile(lang, passwordPath); err != nil {
			return err
		}
	}
	report, err := inspect.Inspect(data, opts)
	if errors.Is(err, inspect.ErrUnknownFormat) {
		return cli.Failure(i18n.T(lang, i18n.ErrUnknownFormat, path),
			i18n.T(lang, i18n.HintUnknownFormat)).WithCause(err)
	}
	if err != nil {
		return err
	}
	if g.JSON {
		err = report.WriteJSON(env.Stdout, lang)
	} else {
		err = report.WriteText(env.Stdout, lang)
	}
	if err != nil {
		return err
	}
	return problemsError(lang, report.Problems())
}

func loadIssuer(lang i18n.Lang, path string) (*pki.Certificate, error) {
	data, err := cli.ReadFile(lang, path)
	if err != nil {
		return nil, err
	}
	c, err := inspect.LoadCertificate(data)
	if err != nil {
		return nil, cli.Failure(i18n.T(lang, i18n.ErrIssuerFile, path, err.Error()),
			i18n.T(lang, i18n.HintIssuerFile)).WithCause(err)
	}
	return c, nil
}

// problemsError turns the report's problems into one error with a line
// for each and the hints that apply; nil when there are none.
func problemsError(lang i18n.Lang, problems []inspect.Problem) error {
	if len(problems) == 0 {
		return nil
	}
	e := cli.Failure(problems[0].Text(lang))
	seen := map[i18n.Key]bool{}
	for i, p := range problems {
		if i > 0 {
			e.More = append(e.More, p.Text(lang))
		}
		if h, ok := problemHints[p.Code]; ok && !seen[h] {
			seen[h] = true
			e.Hints = append(e.Hints, i18n.T(lang, h))
		}
	}
	return e
}

// problemHints are the hints for the problem codes that have one.
var problemHints = map[string]i18n.Key{
	inspect.CodeSignatureLegacy:      i18n.HintLegacy,
	inspect.CodeSignatureUnsupported: i18n.HintUnsupported,
	inspect.CodeWrongPassword:        i18n.HintWrongPassword,
	inspect.CodeIssuerMismatch:       i18n.HintIssuerMismatch,
}
