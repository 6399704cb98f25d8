// Command rekey is the subscriber's client: it shows keys and certificates
// and renews them remotely. This package only maps flags and prompts to
// library calls; see packages inspect and (later) subscriber for the work.
package main

import (
	"os"

	"rekey/internal/cli"
)

func main() {
	os.Exit(run(os.Args[1:], cli.OSEnv()))
}

// run executes one command line and returns the exit status.
func run(args []string, env *cli.Env) int {
	lang := cli.LangFromArgs(args, env.Getenv)
	root := newRoot(lang, env)
	return cli.Run(root, args, env, lang)
}
