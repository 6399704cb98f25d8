// Package acceptance is the acceptance suite of rekey: one test per
// requirement of seed/requirements.md, S1–S18 for the subscriber and
// O1–O8 for the operator, each named with its id (TestS01_…, TestO1_…).
//
// Every test drives the real programs as a person or a script would: the
// rekey and rekeyd binaries are built once per run (TestMain, go build),
// `rekeyd init` creates an operator in a temporary directory, `rekeyd
// serve` runs as a subprocess on 127.0.0.1 and is stopped at the end, and
// the subscriber's `rekey keys`, `renew`, `sync`, `backup` and `inspect`
// run against media directories named with REKEY_MEDIA, a spool in
// REKEY_SPOOL and HOME and XDG_STATE_HOME in temporary directories, so
// that no state of the machine is read or left behind. The assertions are
// what the requirement states and a user can observe: exit statuses, the
// printed Russian and English texts, files on the media, certificates
// (checked with openssl verify where OpenSSL is installed), the CRL and
// the audit trail. Where the subscriber's CLI cannot produce a request an
// operator must refuse (a subject change, a reused key, a foreign
// certificate), the test speaks CMP to rekeyd serve with the cmp package's
// client, as any CMP client could.
//
// Interactive questions (the password asked twice, the media choice, the
// yes/no prompts) are answered on a pseudo-terminal that the test opens,
// since rekey asks them only on a terminal.
//
// By default rekey also searches the usual mount points of removable
// drives (/media/*/*, /run/media/*/*, /mnt/*) besides the media named. So
// that the tests never look at the machine's drives, every rekey process
// runs with REKEY_MOUNTS=none (see cmd/rekey and media.EnvMounts): it
// searches only REKEY_MEDIA and --media. This needs no privilege.
//
// Clocks: rekey reads REKEY_TEST_NOW and rekeyd REKEYD_NOW (test-only
// variables, see cmd/rekey and cmd/rekeyd), to show the last day and an
// expired key without waiting a year. The operator's check_after is set
// to one second in its rekeyd.json so that the "within a day" delivery
// takes a second.
//
// Peers: tests that need OpenSSL (with the GOST engine) or SoftHSM2 skip
// when the peer is missing, unless REKEY_REQUIRE_OPENSSL or
// REKEY_REQUIRE_SOFTHSM is set, as the README's test command does; see
// internal/ossltest and internal/softhsmtest.
//
// A requirement that cannot be fully shown yet says so in its test's
// name: TestS03_UnfinishedExchangesWarn_OutboxOnly_DocumentWorkflowsLater
// shows the check of the client's own outbox and inbox and the yes/no
// question; the submissions' document workflows arrive later.
//
// Run it with
//
//	go test ./acceptance/
//
// (not with -short, which skips it). The tests run in parallel, each with
// its own directories and port.
package acceptance
