// Package subscriber is the subscriber's side of rekey as a library: the
// key list with its states and reminders, the manual's renewal flow
// (requirements S1–S18 of seed/requirements.md), the mail exchange that
// sends requests and installs certificates, and backups. The rekey
// command line drives it now and a local web UI will later; neither holds
// flow logic. Every question goes through an Asker, every CMP exchange
// through an Exchanger (CMP is the one over package cmp), and the clock
// and time zone are injected (Options.Now, Options.Location, by default
// Europe/Moscow, where a key's last day is counted).
//
// # The flows
//
//   - Keys and Reminders: each key with its state — valid, expiring
//     (ReminderDays days or less left), last day, expired, renewal
//     requested, waiting (for the certificate), renewed, archived — from
//     the media states, the outbox and the clock; and the reminder of S4
//     for each expiring key, with the command that renews it.
//   - Renew (S3–S15): warns about unfinished exchanges (S3), refuses a key
//     on its last day or expired with the office text (S5), shows the form
//     filled from the current certificate with whom to contact for changed
//     details or a compromised key (S7), offers the media, the
//     current key's first (S8), asks the new password twice or the
//     token's PIN (S10, S11; an empty password only after a warning and a
//     yes), asks the current key's password or PIN (S12), writes the new
//     key pending (S9, S13) and queues the renewal request signed with the
//     current key; several keys one after the other (S14); then the
//     closing advice (S15). Nothing is sent.
//   - Sync (S16, S17): sends what is queued (the current key's media must
//     be there), polls what waits no earlier than the operator's
//     checkAfter plus a jitter, confirms the certificate (certConf),
//     installs it beside the new key, archives the old key (it still
//     decrypts what was encrypted to it) and reports the new validity.
//   - Backup (S18): a verified copy of a container; a token key cannot be
//     copied and Backup says why.
//
// # Whom to contact
//
// The office text of S5 and S7, of the operator's refusals and of the
// KeyError that the command line turns into a hint is the current key's
// own: the operator's office contact that `rekeyd enroll --media` wrote
// on its media (media.Key.Office, a container's office.json, in Russian
// and English; Options.Lang picks one). A renewal copies it to the new
// key's container or token record, so it stays with the subscriber's
// keys. Options.Office overrides it for every key; a key whose media has
// none (an older container) gets a generic text. A refusal for the
// message's time (badTime, RefusedError.BadTime) sends nobody to the
// office: the computer's clock is wrong, not the key.
//
// # The spool
//
// The outbox and inbox live in one directory of the user's state
// (DefaultSpoolDir: $XDG_STATE_HOME/rekey/spool or
// ~/.local/state/rekey/spool; the command line may name another):
//
//	SPOOL/
//	  lock                                  flock: one flow at a time
//	  outbox/20261203T201830Z-3f2a9c01d4e5.json   one item per message
//	  inbox/20261203T215502Z-0b7e41c2aa90.json    one item per thing received
//
// An item's name is its id: the UTC time it was made and 12 random hex
// digits, so names sort by age. Items are strict JSON (unknown fields, a
// missing field, an unknown status or kind, a newer "format", data after
// the object and a name that is not the item's id are refused); an item
// that cannot be read is reported with its path and the others are read.
// Every write is atomic: a temporary file (its name starts with a dot,
// and readers skip such names), fsync, rename over the item, fsync of
// the directory.
//
// An outbox item records its kind ("key-update" now; "submission" for the
// document exchange to come), the key that signs, the new key and its
// media (renewals), the operator's URL, the CMP transaction state to
// resume from (opaque here), the status, the attempts that failed to
// reach the operator with the last error, and the earliest next poll. An
// inbox item records what came (a "certificate" now; "cms" for the
// confirmations to come), the outbox item it answers, the key it is for
// and whether it was processed. S3's unfinished exchanges are the outbox
// items not final and the inbox items not processed.
//
// # Steps and crashes
//
// Renew and Sync record each step before the next begins, so a process
// killed anywhere leaves a state the next Sync completes, without a
// second request or a second installation. The media side is package
// media's (see its documentation); the order here is:
//
//  1. Renew writes a draft outbox item (no key yet). A crash here leaves
//     a draft that names no key and no pending key on its media: Sync
//     abandons it, and the key may be renewed again.
//  2. The new key is generated and written, pending (media.Create or the
//     token's Generate: whole or absent). A crash here leaves a draft
//     without the key's id and a pending key that replaces the current
//     one on the draft's media, made after the draft: Sync finds it, asks
//     the new key's password for its proof of possession and the current
//     key's, builds the request and queues it.
//  3. The draft names the new key; then the request is built and signed
//     (Exchanger.KeyUpdate) and the item becomes queued. A crash between
//     the two is finished as in 2.
//  4. Sync sends; the answer (waiting, or the certificate) is recorded:
//     sent, or the certificate written to the inbox and the item marked
//     received. A crash before the answer is recorded sends again on the
//     next sync (see CMP for what the operator sees).
//  5. certConf is sent, and the item marked confirmed. A crash before the
//     mark confirms again; the operator accepts a repeated confirmation.
//  6. The certificate is installed into the new key (two atomic media
//     steps; media.Finish completes the second); the old key is archived
//     (every copy present); the inbox item is marked processed; the
//     outbox item done. Each of these is idempotent, so a crash anywhere
//     here repeats them harmlessly; media.Finish, run first by every sync,
//     also archives an old key whose successor is already active.
//
// Until step 6 the current key is active and signs; after it the new key
// does. The tests inject a failure after each of these steps and check
// that a key signs and that the next syncs finish exactly once.
//
// Sync is safe from cron: the spool lock keeps a second run out, an
// operator that cannot be reached leaves the item queued with the
// attempt counted (UnreachableError, ErrUnreachable), and so does an
// operator's refusal that is its passing state rather than a decision
// (an internal error, systemFailure; transactionIdInUse for a kur sent
// again after a lost answer, once: UnreachableError.Answered,
// OutboxItem.Passing), so that the same kur goes again; a missing media
// leaves it too (MediaMissingError, ErrMediaMissing), and polls wait for
// the operator's checkAfter. A request not sent by the current key's last
// day is refused here (the operator would refuse it, O1): the key is then
// replaced in the office.
//
// # Errors
//
// Errors start with "subscriber: ". The command line branches with
// errors.Is on ErrLastDay, ErrExpired, ErrMediaMissing, ErrWrongPassword,
// ErrUnreachable, ErrRefused, ErrCancelled, ErrRenewalPending and
// ErrNotRenewable, and with errors.As on *RefusedError (the operator's
// texts in Russian and English), *MediaMissingError (which media),
// *UnreachableError (attempts), *KeyError (which key of several, and
// whom to contact about it) and
// *ItemError (which spool file). No error, notice or log record holds a
// password or a PIN; the flow clears them after use.
package subscriber
