// Command rekey is the subscriber's client: it lists the keys on the
// subscriber's media, reminds before they expire, renews them remotely
// (rekey renew, then rekey sync), backs them up and shows certificates and
// other objects (rekey inspect). This package only maps flags and prompts
// to library calls: the renewal flow is package subscriber, the key media
// package media, inspection package inspect.
//
// # Environment
//
//   - REKEY_MEDIA: extra media roots, colon-separated (like --media).
//   - REKEY_MOUNTS: the mount points searched for drives, colon-separated
//     glob patterns, or "none" (only --media and REKEY_MEDIA); unset, the
//     usual /media/*/*, /run/media/*/* and /mnt/*.
//   - REKEY_PKCS11: PKCS#11 modules, colon-separated (like --pkcs11).
//   - REKEY_SPOOL: the outbox and inbox directory (like --spool).
//   - REKEY_CONFIG: the settings file, by default
//     $XDG_CONFIG_HOME/rekey/config.json or ~/.config/rekey/config.json:
//     strict JSON {"pkcs11": [MODULE…], "media": [DIR…]}, added to
//     --pkcs11 and --media (see config.go).
//
// # Test-only environment
//
// Two variables exist for the end-to-end tests and must not be set
// otherwise:
//
//   - REKEY_TEST_CRASH_AT=STEP makes the process kill itself with SIGKILL
//     right after the renewal step STEP is recorded ("renew:created",
//     "renew:queued", "sync:sent", "sync:received", …; see package
//     subscriber), to test that the next rekey sync resumes.
//   - REKEY_TEST_NOW=TIME (RFC 3339) sets the clock, to test the refusals
//     on a key's last day and after it.
package main

import (
	"os"
	"time"

	"rekey/internal/cli"
)

// testCrashAt is REKEY_TEST_CRASH_AT; see the package documentation.
var testCrashAt string

func main() {
	env := cli.OSEnv()
	testCrashAt = os.Getenv("REKEY_TEST_CRASH_AT")
	if s := os.Getenv("REKEY_TEST_NOW"); s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			env.Now = func() time.Time { return t }
		}
	}
	os.Exit(run(os.Args[1:], env))
}

// run executes one command line and returns the exit status.
func run(args []string, env *cli.Env) int {
	lang := cli.LangFromArgs(args, env.Getenv)
	root := newRoot(lang, env)
	return cli.Run(root, args, env, lang)
}
