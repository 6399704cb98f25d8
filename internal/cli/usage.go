package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"rekey/internal/i18n"
)

// usageTemplate is cobra's usage text with the headings left to fill in
// the run's language.
const usageTemplate = `{{if .Runnable}}%[1]s
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}{{if not .Runnable}}%[1]s{{end}}
  {{.CommandPath}} [command]{{end}}{{if gt (len .Aliases) 0}}

%[2]s
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

%[3]s
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

%[4]s{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

%[5]s
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

%[6]s
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

%[7]s{{end}}
`

// Localize sets the usage text of root and of every command below it in
// lang, and the description of their --help flags. Call it after the tree
// is built.
func Localize(root *cobra.Command, lang i18n.Lang) {
	root.SetUsageTemplate(fmt.Sprintf(usageTemplate,
		i18n.T(lang, i18n.UsageTemplateHead),
		i18n.T(lang, i18n.UsageAliases),
		i18n.T(lang, i18n.UsageExamples),
		i18n.T(lang, i18n.UsageCommands),
		i18n.T(lang, i18n.UsageFlags),
		i18n.T(lang, i18n.UsageGlobalFlags),
		i18n.T(lang, i18n.UsageMore, "{{.CommandPath}}"),
	))
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			c.Short = i18n.T(lang, i18n.CmdHelpShort)
			c.Long = i18n.T(lang, i18n.CmdHelpLong)
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		if f := c.Flags().Lookup("help"); f != nil {
			f.Usage = i18n.T(lang, i18n.FlagHelp)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
