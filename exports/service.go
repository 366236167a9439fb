package exports

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"billhound/archive"
	"billhound/credentials"
	"billhound/notify"
	"billhound/redact"
	"billhound/store"
)

// DefaultBackoff is the pause after each failed attempt: 1 minute, 10 minutes, 1 hour, 6
// hours, then daily until DefaultMaxAttempts.
var DefaultBackoff = []time.Duration{time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour}

// DefaultMaxAttempts: about two weeks of daily tries before billhound waits for a Retry.
const DefaultMaxAttempts = 18

// Enqueuer hands an export to the job queue (package jobs), which calls Deliver.
type Enqueuer interface {
	EnqueueExport(ctx context.Context, exportID int64) error
}

// Service sends exports. Its zero parts take defaults; Store, Vault and Archive are needed.
type Service struct {
	Store   *store.Store
	Vault   *credentials.Vault
	Archive *archive.Archive
	Mail    *notify.Notifier // the SMTP server of e-mail targets
	HTTP    *http.Client     // WebDAV and webhooks; nil: a client with SendTimeout
	Logger  *slog.Logger
	// Jobs queues new exports; nil (a CLI process) leaves them pending for the server's queue,
	// which looks for due exports every minute.
	Jobs Enqueuer
	// Inline sends in the caller when there is no job queue (a server without one, in tests).
	Inline      bool
	Backoff     []time.Duration
	MaxAttempts int
	Now         func() time.Time
	// TextWait is how long an attempt waits for a newly archived invoice's text to be read:
	// the number, date and amount found in it name the exported file. 0: no wait (nothing
	// indexes text in this process).
	TextWait time.Duration
}

// DefaultTextWait bounds the wait for the text index (it reads a batch in well under this).
const DefaultTextWait = 20 * time.Second

// SendTimeout bounds one attempt.
const SendTimeout = 2 * time.Minute

// claimLease is how long an attempt holds its export: longer than SendTimeout, so only a
// process that died leaves a claim that runs out.
const claimLease = SendTimeout + time.Minute

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// InvoiceArchived adds the exports of a newly archived invoice to every target that takes its
// portal's invoices and queues them. It is the runner's hook; errors are logged, not returned:
// the invoice is archived either way, and `billhound export` can send it later.
func (s *Service) InvoiceArchived(ctx context.Context, inv store.Invoice) {
	ids, err := s.add(&inv)
	if err != nil {
		s.log().Error("cannot add the invoice's exports", "invoice", inv.ID, "err", err)
		return
	}
	s.enqueue(ctx, ids)
}

// add makes the missing exports of an invoice and returns the new ones.
func (s *Service) add(inv *store.Invoice) ([]int64, error) {
	targets, err := s.Store.ExportTargetsFor(inv.PortalID)
	if err != nil || len(targets) == 0 {
		return nil, err
	}
	tids := make([]int64, len(targets))
	for i, t := range targets {
		tids[i] = t.ID
	}
	return s.Store.AddExports(inv.ID, tids, s.now())
}

func (s *Service) enqueue(ctx context.Context, ids []int64) {
	if s.Jobs == nil {
		for _, id := range ids {
			if s.Inline {
				_ = s.Deliver(ctx, id) // the outcome is in the row
			}
		}
		return
	}
	for _, id := range ids {
		if err := s.Jobs.EnqueueExport(ctx, id); err != nil {
			s.log().Warn("cannot queue an export; the periodic check will", "export", id, "err", err)
		}
	}
}

// Due lists the exports to attempt now (the job queue's periodic check queues them).
func (s *Service) Due(now time.Time) ([]int64, error) { return s.Store.DueExports(now, 500) }

// NextAttempt is when a failed export is tried again (zero: not automatically).
func (s *Service) NextAttempt(id int64) time.Time {
	e, err := s.Store.ExportByID(id)
	if err != nil || e.NextAttemptAt == nil || e.Status != store.ExportFailed {
		return time.Time{}
	}
	return *e.NextAttemptAt
}

// Deliver makes one attempt at an export if it is due and no other process is sending it.
// It returns an error when the attempt failed and will be retried (at NextAttempt); a failure
// that is not retried any more is recorded and returns nil.
func (s *Service) Deliver(ctx context.Context, id int64) error {
	s.awaitText(ctx, id)
	e, ok, err := s.Store.ClaimExport(id, s.now(), claimLease)
	if err != nil || !ok {
		return err
	}
	remote, sendErr := s.attempt(ctx, e)
	now := s.now()
	if sendErr == nil {
		s.log().Info("invoice exported", "export", id, "invoice", e.InvoiceID, "target", e.TargetID, "to", remote)
		return s.Store.FinishExport(id, true, "", remote, nil, now)
	}
	var next *time.Time
	var perm *permanentError
	if !errors.As(sendErr, &perm) && e.Attempts < s.maxAttempts() {
		at := now.Add(s.backoff(e.Attempts))
		next = &at
	}
	msg := sendErr.Error()
	if next == nil && !errors.As(sendErr, &perm) {
		msg += fmt.Sprintf(" (billhound gave up after %d attempts; fix the target and press Retry)", e.Attempts)
	}
	s.log().Warn("export failed", "export", id, "invoice", e.InvoiceID, "target", e.TargetID, "attempt", e.Attempts, "err", msg)
	if err := s.Store.FinishExport(id, false, msg, "", next, now); err != nil {
		return err
	}
	if next == nil {
		return nil
	}
	return fmt.Errorf("export %d failed (attempt %d): %s", id, e.Attempts, msg)
}

// awaitText lets the text index read a just-archived invoice first, so a template's {number},
// {date} and {amount} have what the file says when the portal's script gave none. An older
// invoice, or one whose text is taking long, goes as it is.
func (s *Service) awaitText(ctx context.Context, exportID int64) {
	wait := s.TextWait
	if wait <= 0 {
		return
	}
	e, err := s.Store.ExportByID(exportID)
	if err != nil || e.Attempts > 0 {
		return
	}
	deadline := time.Now().Add(wait)
	for {
		inv, err := s.Store.InvoiceByID(e.InvoiceID)
		if err != nil || inv.TextState != 0 || time.Since(inv.CreatedAt) > 2*wait || time.Now().After(deadline) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (s *Service) maxAttempts() int {
	if s.MaxAttempts > 0 {
		return s.MaxAttempts
	}
	return DefaultMaxAttempts
}

// backoff is the pause after failed attempt n (1-based).
func (s *Service) backoff(n int) time.Duration {
	b := s.Backoff
	if len(b) == 0 {
		b = DefaultBackoff
	}
	return b[min(max(n-1, 0), len(b)-1)]
}

// permanentError is a failure a retry cannot fix (the invoice's file is gone, the target was
// deleted or turned off): recorded without a next attempt.
type permanentError struct{ msg string }

func (e *permanentError) Error() string { return e.msg }

// attempt sends the export's invoice to its target; the error is redacted, for the user.
func (s *Service) attempt(ctx context.Context, e *store.Export) (string, error) {
	t, err := s.Store.ExportTarget(e.TargetID)
	if err != nil {
		return "", &permanentError{"the export target was deleted"}
	}
	if !t.Enabled {
		return "", &permanentError{fmt.Sprintf("the target %s is turned off; turn it on and press Retry", t.Name)}
	}
	inv, err := s.Store.InvoiceByID(e.InvoiceID)
	if err != nil {
		return "", &permanentError{"the invoice is no longer in the archive"}
	}
	portal := ""
	if p, err := s.Store.Portal(inv.PortalID); err == nil {
		portal = p.Name
	}
	data, err := os.ReadFile(s.Archive.Path(inv.Path))
	if err != nil {
		return "", &permanentError{fmt.Sprintf("the invoice's file %s cannot be read (%v); restore it from a backup and press Retry", inv.Path, err)}
	}
	f := file{meta: MetaOf(inv, portal), data: data, contentType: inv.ContentType, sha256: inv.SHA256,
		key: fmt.Sprintf("billhound-export-%d-%d", e.ID, e.Resends)}
	return s.send(ctx, t, f)
}

// file is one thing to send.
type file struct {
	meta        Meta
	data        []byte
	contentType string
	sha256      string
	key         string // the webhook's Idempotency-Key: the same for every retry of one send
	test        bool
}

// send delivers f to t, with the time limit of one attempt; errors are redacted.
func (s *Service) send(ctx context.Context, t *store.ExportTarget, f file) (string, error) {
	c, err := ConfigOf(t)
	if err != nil {
		return "", err
	}
	secret, err := s.Vault.ExportSecret(t.ID, t.SecretSealed)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, SendTimeout)
	defer cancel()
	var remote string
	switch t.Kind {
	case KindFolder:
		remote, err = sendFolder(c, f)
	case KindEmail:
		remote, err = s.sendEmail(ctx, c, f)
	case KindWebDAV:
		remote, err = sendWebDAV(ctx, s.client(), c, secret, f)
	case KindWebhook:
		remote, err = sendWebhook(ctx, s.client(), c, secret, f)
	default:
		err = &permanentError{fmt.Sprintf("billhound does not know the target kind %q", t.Kind)}
	}
	if err != nil {
		r := redact.New()
		r.Add(secret, redact.Text)
		var perm *permanentError
		if errors.As(err, &perm) {
			return "", &permanentError{r.Apply(perm.msg)}
		}
		return "", errors.New(r.Apply(err.Error()))
	}
	return remote, nil
}

func (s *Service) client() *http.Client {
	if s.HTTP != nil {
		return s.HTTP
	}
	return &http.Client{Timeout: SendTimeout}
}
