package textract

import (
	"context"
	"log/slog"
	"time"

	"billhound/archive"
	"billhound/store"
)

// Indexer fills the archive's full-text index: it extracts the text of every invoice that has
// none yet (text_state 0: newly archived ones, and all of an archive from before the index, the
// backfill) and fills the number, date and amount a script did not give from that text.
type Indexer struct {
	Store     *store.Store
	Archive   *archive.Archive
	Extractor *Extractor
	Logger    *slog.Logger

	kick chan struct{}
}

// batch is how many invoices one pass reads with one extraction child.
const batch = 50

// NewIndexer makes an Indexer; Run it in the background.
func NewIndexer(st *store.Store, a *archive.Archive, log *slog.Logger) *Indexer {
	return &Indexer{Store: st, Archive: a, Extractor: &Extractor{}, Logger: log, kick: make(chan struct{}, 1)}
}

// Kick tells a running indexer that new invoices are archived. It never blocks.
func (ix *Indexer) Kick() {
	select {
	case ix.kick <- struct{}{}:
	default:
	}
}

// Run indexes what is pending, then again on every Kick (and once a minute, for invoices
// archived by another process such as `billhound run`), until ctx ends.
func (ix *Indexer) Run(ctx context.Context) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		if n, err := ix.IndexPending(ctx); err != nil && ctx.Err() == nil {
			ix.Logger.Warn("indexing the invoices' text failed; it is retried later", "err", err)
		} else if n > 0 {
			ix.Logger.Info("indexed the text of archived invoices", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-ix.kick:
		case <-tick.C:
		}
	}
}

// IndexPending indexes every invoice without text and returns how many it did.
func (ix *Indexer) IndexPending(ctx context.Context) (int, error) {
	done := 0
	for ctx.Err() == nil {
		invs, err := ix.Store.InvoicesWithoutText(batch)
		if err != nil || len(invs) == 0 {
			return done, err
		}
		if err := ix.index(ctx, invs); err != nil {
			return done, err
		}
		done += len(invs)
	}
	return done, ctx.Err()
}

func (ix *Indexer) index(ctx context.Context, invs []store.Invoice) error {
	// PDFs of the batch go to one child; other types are read here.
	var pdfs []string
	for _, inv := range invs {
		if inv.ContentType == "application/pdf" {
			pdfs = append(pdfs, ix.Archive.Path(inv.Path))
		}
	}
	texts, errs := ix.Extractor.PDFTexts(ctx, pdfs)
	if ctx.Err() != nil {
		return ctx.Err() // a cancelled child's "no text" is not the file's answer
	}
	k := 0
	for _, inv := range invs {
		var text string
		var err error
		if inv.ContentType == "application/pdf" {
			text, err = texts[k], errs[k]
			k++
		} else {
			text, err = Text(ctx, ix.Extractor, ix.Archive.Path(inv.Path), inv.ContentType)
		}
		if err != nil {
			// A broken file has no text; it stays searchable by its metadata.
			ix.Logger.Info("an invoice's file has no readable text", "invoice", inv.ID, "path", inv.Path, "err", err)
		}
		if inv.Number == "" || inv.Date == "" || inv.Amount == "" {
			f := FindMeta(text)
			if err := ix.Store.FillInvoiceMeta(inv.ID, f.Number, f.Date, f.Amount, f.Currency); err != nil {
				return err
			}
		}
		if err := ix.Store.SetInvoiceText(inv.ID, text); err != nil {
			return err
		}
	}
	return nil
}
