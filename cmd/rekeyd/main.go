// Command rekeyd is the operator: the certification authority, its renewal
// policy and approval queue, and its CMP server. This package only maps
// flags and prompts to calls of package rekeyd, where the work is done.
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
