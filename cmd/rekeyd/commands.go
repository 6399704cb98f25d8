package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"

	"rekey/internal/cli"
	"rekey/internal/i18n"
	"rekey/operator"
	"rekey/rekeyd"
)

func (a *app) initCmd(lang i18n.Lang) *cobra.Command {
	var o rekeyd.InitOptions
	cmd := &cobra.Command{
		Use:     "init --dir DIR",
		Short:   i18n.T(lang, i18n.DCmdInitShort),
		Long:    i18n.T(lang, i18n.DCmdInitLong),
		Example: "  rekeyd init --dir /var/lib/rekeyd --approval manual --ca-name \"ООО Удостоверяющий центр\"",
		Args:    cobra.NoArgs,
		RunE: cli.Action(func(cmd *cobra.Command, _ []string) error {
			dir, err := a.directory()
			if err != nil {
				return err
			}
			if o.Now, err = a.clock(); err != nil {
				return err
			}
			o.Password = a.password(true)
			cfg, err := rekeyd.Init(cmd.Context(), dir, &o)
			if errors.Is(err, rekeyd.ErrExists) {
				return cli.Failure(i18n.T(a.lang(), i18n.DErrExists, dir),
					i18n.T(a.lang(), i18n.DHintExists)).WithCause(err)
			}
			if err != nil {
				var ce *cli.Error
				if errors.As(err, &ce) {
					return err
				}
				return cli.Failure(i18n.T(a.lang(), i18n.DErrInit, trim(err))).WithCause(err)
			}
			fmt.Fprintln(a.env.Stdout, i18n.T(a.lang(), i18n.DInitDone, dir,
				cfg.Operator.Profile, cfg.Operator.Approval, filepath.Join(dir, rekeyd.CACertFile)))
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.Profile, "profile", operator.DefaultProfile, i18n.T(lang, i18n.DFlagProfile))
	f.StringVar(&o.Approval, "approval", operator.ApprovalManual, i18n.T(lang, i18n.DFlagApproval))
	f.StringVar(&o.Database, "db", "", i18n.T(lang, i18n.DFlagDB))
	f.StringVar(&o.CAName, "ca-name", "", i18n.T(lang, i18n.DFlagCAName))
	f.StringVar(&o.CAKey, "ca-key", "", i18n.T(lang, i18n.DFlagCAKey))
	f.StringVar(&o.URL, "url", "", i18n.T(lang, i18n.DFlagURL))
	f.StringVar(&o.Listen, "listen", "", i18n.T(lang, i18n.DFlagListen))
	return cmd
}

func (a *app) serveCmd(lang i18n.Lang) *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "serve --dir DIR [--listen ADDR]",
		Short: i18n.T(lang, i18n.DCmdServeShort),
		Long:  i18n.T(lang, i18n.DCmdServeLong),
		Args:  cobra.NoArgs,
		RunE: cli.Action(func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			tuneGC()
			op, err := a.open(ctx, true)
			if err != nil {
				return err
			}
			defer op.Close()
			if listen == "" {
				listen = op.Config.Listen
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return cli.Failure(i18n.T(a.lang(), i18n.DErrListen, listen, err.Error()),
					i18n.T(a.lang(), i18n.DHintListen)).WithCause(err)
			}
			return op.Serve(ctx, ln)
		}),
	}
	cmd.Flags().StringVar(&listen, "listen", "", i18n.T(lang, i18n.DFlagListen))
	return cmd
}

// serveGCPercent is the garbage collector's target of `rekeyd serve`
// unless GOGC is set: a renewal allocates some 300 KB (client included,
// cmd/rekeyload) that die with its two requests, and at the default 100 %
// marking took about 5 % of the CPU at full load; 400 % trades a few
// megabytes of heap for collecting a quarter as often.
const serveGCPercent = 400

// tuneGC applies serveGCPercent when the environment does not choose.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(serveGCPercent)
	}
}

func (a *app) requestsCmd(lang i18n.Lang) *cobra.Command {
	var state string
	var overdue bool
	cmd := &cobra.Command{
		Use:   "requests [--state S] [--overdue] [--json]",
		Short: i18n.T(lang, i18n.DCmdRequestsShort),
		Long:  i18n.T(lang, i18n.DCmdRequestsLong),
		Args:  cobra.NoArgs,
		RunE: cli.Action(func(cmd *cobra.Command, _ []string) error {
			f := rekeyd.RequestFilter{Overdue: overdue}
			if state != "" {
				s, err := parseState(a.lang(), state)
				if err != nil {
					return err
				}
				f.States = append(f.States, s)
			}
			op, err := a.open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer op.Close()
			list, err := op.Requests(cmd.Context(), f)
			if err != nil {
				return err
			}
			if a.g.JSON {
				return cli.WriteJSON(a.env.Stdout, list)
			}
			printRequests(a.env.Stdout, a.lang(), list)
			return nil
		}),
	}
	cmd.Flags().StringVar(&state, "state", "", i18n.T(lang, i18n.DFlagState))
	cmd.Flags().BoolVar(&overdue, "overdue", false, i18n.T(lang, i18n.DFlagOverdue))
	return cmd
}

func (a *app) approveCmd(lang i18n.Lang) *cobra.Command {
	return &cobra.Command{
		Use:   "approve ID...",
		Short: i18n.T(lang, i18n.DCmdApproveShort),
		Long:  i18n.T(lang, i18n.DCmdApproveLong),
		Args:  cobra.MinimumNArgs(1),
		RunE: cli.Action(func(cmd *cobra.Command, args []string) error {
			ids, err := parseIDs(a.lang(), args)
			if err != nil {
				return err
			}
			op, err := a.open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer op.Close()
			for _, id := range ids {
				if err := op.Approve(cmd.Context(), id, a.actor()); err != nil {
					return a.decisionError(id, err)
				}
				fmt.Fprintln(a.env.Stdout, i18n.T(a.lang(), i18n.DApproved, id))
			}
			return nil
		}),
	}
}

func (a *app) rejectCmd(lang i18n.Lang) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "reject ID --reason TEXT",
		Short: i18n.T(lang, i18n.DCmdRejectShort),
		Long:  i18n.T(lang, i18n.DCmdRejectLong),
		Args:  cli.ExactArgs(lang, 1),
		RunE: cli.Action(func(cmd *cobra.Command, args []string) error {
			ids, err := parseIDs(a.lang(), args)
			if err != nil {
				return err
			}
			if reason == "" {
				return cli.Usage(i18n.T(a.lang(), i18n.DErrNoReason),
					i18n.T(a.lang(), i18n.HintHelp, cmd.CommandPath()))
			}
			op, err := a.open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer op.Close()
			if err := op.Reject(cmd.Context(), ids[0], a.actor(), reason); err != nil {
				return a.decisionError(ids[0], err)
			}
			fmt.Fprintln(a.env.Stdout, i18n.T(a.lang(), i18n.DRejected, ids[0]))
			return nil
		}),
	}
	cmd.Flags().StringVar(&reason, "reason", "", i18n.T(lang, i18n.DFlagRejectReason))
	return cmd
}

func (a *app) revokeCmd(lang i18n.Lang) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "revoke SERIAL --reason keyCompromise|affiliationChanged|superseded|cessationOfOperation",
		Short: i18n.T(lang, i18n.DCmdRevokeShort),
		Long:  i18n.T(lang, i18n.DCmdRevokeLong),
		Args:  cli.ExactArgs(lang, 1),
		RunE: cli.Action(func(cmd *cobra.Command, args []string) error {
			r, ok := rekeyd.RevocationReasons[reason]
			if !ok {
				return cli.Usage(i18n.T(a.lang(), i18n.DErrRevokeReason, reason),
					i18n.T(a.lang(), i18n.HintHelp, cmd.CommandPath()))
			}
			serial, err := rekeyd.ParseSerial(args[0])
			if err != nil {
				return cli.Usage(i18n.T(a.lang(), i18n.DErrSerial, args[0]))
			}
			op, err := a.open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer op.Close()
			if _, err := op.Revoke(cmd.Context(), serial, r, a.actor()); err != nil {
				return a.notFound(err, i18n.T(a.lang(), i18n.DErrNoCertificate, args[0]))
			}
			fmt.Fprintln(a.env.Stdout, i18n.T(a.lang(), i18n.DRevoked, args[0], reason))
			return nil
		}),
	}
	cmd.Flags().StringVar(&reason, "reason", "", i18n.T(lang, i18n.DFlagRevokeReason))
	return cmd
}

func (a *app) crlCmd(lang i18n.Lang) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "crl --out FILE",
		Short: i18n.T(lang, i18n.DCmdCRLShort),
		Long:  i18n.T(lang, i18n.DCmdCRLLong),
		Args:  cobra.NoArgs,
		RunE: cli.Action(func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return cli.Usage(i18n.T(a.lang(), i18n.DErrNoOut),
					i18n.T(a.lang(), i18n.HintHelp, cmd.CommandPath()))
			}
			op, err := a.open(cmd.Context(), true)
			if err != nil {
				return err
			}
			defer op.Close()
			der, err := op.SignCRL(cmd.Context())
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, der, 0o644); err != nil {
				return cli.Failure(i18n.T(a.lang(), i18n.DErrWrite, out, err.Error()))
			}
			fmt.Fprintln(a.env.Stdout, i18n.T(a.lang(), i18n.DCRLWritten, out))
			return nil
		}),
	}
	cmd.Flags().StringVar(&out, "out", "", i18n.T(lang, i18n.DFlagCRLOut))
	return cmd
}

func (a *app) subscribersCmd(lang i18n.Lang) *cobra.Command {
	var within string
	cmd := &cobra.Command{
		Use:   "subscribers [--expiring-within 30d] [--json]",
		Short: i18n.T(lang, i18n.DCmdSubscribersShort),
		Long:  i18n.T(lang, i18n.DCmdSubscribersLong),
		Args:  cobra.NoArgs,
		RunE: cli.Action(func(cmd *cobra.Command, _ []string) error {
			var d operator.Duration
			if within != "" {
				if err := d.UnmarshalJSON([]byte(`"` + within + `"`)); err != nil || d <= 0 {
					return cli.Usage(i18n.T(a.lang(), i18n.DErrDuration, within))
				}
			}
			op, err := a.open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer op.Close()
			list, err := op.Subscribers(cmd.Context(), d.D())
			if err != nil {
				return err
			}
			if a.g.JSON {
				if list == nil {
					list = []rekeyd.SubscriberInfo{}
				}
				return cli.WriteJSON(a.env.Stdout, list)
			}
			printSubscribers(a.env.Stdout, a.lang(), list)
			return nil
		}),
	}
	cmd.Flags().StringVar(&within, "expiring-within", "", i18n.T(lang, i18n.DFlagExpiringWithin))
	return cmd
}

func (a *app) auditCmd(lang i18n.Lang) *cobra.Command {
	audit := &cobra.Command{
		Use:   "audit",
		Short: i18n.T(lang, i18n.DCmdAuditShort),
		Args:  cobra.NoArgs,
	}
	audit.AddCommand(&cobra.Command{
		Use:   "verify --dir DIR",
		Short: i18n.T(lang, i18n.DCmdAuditVerifyShort),
		Long:  i18n.T(lang, i18n.DCmdAuditVerifyLong),
		Args:  cobra.NoArgs,
		RunE: cli.Action(func(cmd *cobra.Command, _ []string) error {
			op, err := a.open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer op.Close()
			n, err := op.VerifyAudit(cmd.Context())
			if err != nil {
				return cli.Failure(i18n.T(a.lang(), i18n.DErrAuditBroken, trim(err)),
					i18n.T(a.lang(), i18n.DHintAuditBroken)).WithCause(err)
			}
			fmt.Fprintln(a.env.Stdout, i18n.T(a.lang(), i18n.DAuditOK, n))
			return nil
		}),
	})
	return audit
}

// actor names the person at the console in the audit trail.
func (a *app) actor() string {
	if u := a.env.Getenv("USER"); u != "" {
		return "operator:" + u
	}
	return "operator"
}
