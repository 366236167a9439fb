package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"billhound/exports"
	"billhound/store"
)

// runExport re-sends the exports of the invoices dated since a day, here and now; the claim
// on each export keeps a running server from sending the same one at the same time.
func runExport(env *Env, args []string) error {
	fs := flags(env, "export")
	since := fs.String("since", "", "re-send the invoices dated on or after this day (YYYY-MM-DD)")
	target := fs.String("target", "", "only to this export target (its name); default: every target that is on")
	a, err := openFor(env, fs, args, logLevelForCLI(env))
	if err != nil {
		return err
	}
	defer a.close()
	if *since == "" || fs.NArg() > 0 {
		return usageError("usage: billhound export --since YYYY-MM-DD [--target NAME]")
	}
	ids, err := a.exports.ResendSince(*since, *target)
	var ie *exports.InputError
	if errors.As(err, &ie) {
		return usageError("%s", ie.Msg)
	}
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		fmt.Fprintf(env.Stdout, "nothing to send: no invoices dated since %s go to an export target that is on\n", *since)
		return nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if failed := deliverNow(ctx, env.Stdout, a, ids); failed > 0 {
		return fail("%d of %d exports failed; they are retried by the server, or run this again once the target is fixed", failed, len(ids))
	}
	return nil
}

// deliverNow makes one attempt at each export and prints how it went; it returns how many
// failed. An export the server is sending right now is left to it.
func deliverNow(ctx context.Context, w io.Writer, a *app, ids []int64) (failed int) {
	for _, id := range ids {
		_ = a.exports.Deliver(ctx, id) // the outcome is in the row
		x, err := a.store.ExportByID(id)
		if err != nil {
			fmt.Fprintf(w, "export %d: %v\n", id, err)
			failed++
			continue
		}
		what := fmt.Sprintf("invoice %d", x.InvoiceID)
		if inv, err := a.store.InvoiceByID(x.InvoiceID); err == nil && inv.Number != "" {
			what = "invoice " + inv.Number
		}
		to := fmt.Sprintf("target %d", x.TargetID)
		if t, err := a.store.ExportTarget(x.TargetID); err == nil {
			to = t.Name
		}
		switch {
		case x.Status == store.ExportSent:
			fmt.Fprintf(w, "sent    %s to %s (%s)\n", what, to, x.Remote)
		case x.Status == store.ExportFailed:
			failed++
			fmt.Fprintf(w, "failed  %s to %s: %s\n", what, to, x.LastError)
		default:
			fmt.Fprintf(w, "pending %s to %s (being sent by another billhound process)\n", what, to)
		}
	}
	return failed
}

// exportNew sends a run's new invoices to the export targets right away: without a server's
// job queue in this process they would wait for the server's next look for due exports.
func exportNew(ctx context.Context, w io.Writer, a *app, invs []store.Invoice) {
	var ids []int64
	for _, inv := range invs {
		got, err := a.store.ExportIDs(inv.ID, nil)
		if err != nil {
			a.log.Warn("cannot list the invoice's exports", "invoice", inv.ID, "err", err)
		}
		ids = append(ids, got...)
	}
	if len(ids) > 0 {
		fmt.Fprintf(w, "exports: %d\n", len(ids))
		deliverNow(ctx, w, a, ids)
	}
}
