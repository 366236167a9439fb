// Package archivegen fills a store with a realistic archive of generated invoices: several
// portals, dates over years, amounts in a few currencies, numbers, titles and the text a real
// invoice says (for full-text search), all in one transaction, so benchmarks and UI work can
// have 100,000 invoices in seconds. The files themselves are written only when asked
// (Options.Root), as small real PDFs.
package archivegen

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"billhound/store"
)

// Options shape the generated archive. The zero value is a sensible default.
type Options struct {
	Portals []string  // portal names; default: eight real-looking vendors (Hetzner, Telekom, ...)
	Years   int       // invoice dates spread over this many years before Until; default 6
	Until   time.Time // the newest invoice date; default today
	Seed    uint64    // the random seed: the same seed gives the same archive; default 1
	Root    string    // when set, each invoice's file is also written there (a small PDF)
}

// Result says what was generated.
type Result struct {
	Portals []store.Portal // the portals the invoices belong to (found by name or created)
	FirstID int64          // the generated invoices' ids are FirstID..LastID
	LastID  int64
}

// Seed inserts n invoices (and their full-text rows) into st in one transaction. Portals are
// looked up by name and created when missing (script "demo"). Numbers and hashes are unique per
// seed; seeding twice with the same seed into one store conflicts.
func Seed(st *store.Store, n int, opts Options) (Result, error) {
	opts = withDefaults(opts)
	var res Result
	for _, name := range opts.Portals {
		p, err := portal(st, name)
		if err != nil {
			return res, err
		}
		res.Portals = append(res.Portals, *p)
	}
	db, err := st.SQL()
	if err != nil {
		return res, err
	}
	// One connection with a large page cache and statement journals in memory for the bulk
	// insert (the indexes take random dates), set back before it returns to the pool.
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY`); err != nil {
		return res, err
	}
	defer conn.ExecContext(ctx, `PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT; PRAGMA shrink_memory`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	var maxID int64
	if err := tx.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM invoices`).Scan(&maxID); err != nil {
		return res, err
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x61726368697665))
	span := int(opts.Years * 366)
	// Rows go in batches of many rows per statement: each statement costs a savepoint, at
	// which FTS5 flushes its pending terms, so one row per statement is ten times slower.
	batch := make([]invoice, 0, batchSize)
	for i := range n {
		p := &res.Portals[rng.IntN(len(res.Portals))]
		inv := generate(rng, p, opts, i, span)
		inv.ID = maxID + int64(i) + 1
		inv.meta = p.Name + " " + inv.Number + " " + inv.Title + " " + inv.FileName
		batch = append(batch, inv)
		if len(batch) == batchSize || i == n-1 {
			if err := insertBatch(tx, batch); err != nil {
				return res, fmt.Errorf("generated invoices up to %d: %w", i, err)
			}
			batch = batch[:0]
		}
		if opts.Root != "" {
			if err := writeFile(opts.Root, &inv); err != nil {
				return res, err
			}
		}
	}
	if n > 0 {
		res.FirstID, res.LastID = maxID+1, maxID+int64(n)
	}
	return res, tx.Commit()
}

const batchSize = 50

func withDefaults(o Options) Options {
	if len(o.Portals) == 0 {
		o.Portals = []string{"Hetzner", "Telekom", "Amazon Business", "Vodafone", "IONOS", "Stadtwerke München", "Adobe", "DigitalOcean"}
	}
	if o.Years <= 0 {
		o.Years = 6
	}
	if o.Until.IsZero() {
		o.Until = time.Now().UTC()
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

func portal(st *store.Store, name string) (*store.Portal, error) {
	p, err := st.PortalByName(name)
	if err == nil {
		return p, nil
	}
	p = &store.Portal{Name: name, Script: "demo"}
	if err := st.CreatePortal(p); err != nil {
		return nil, fmt.Errorf("create portal %s: %w", name, err)
	}
	return p, nil
}

// invoice is one generated invoice with the text its file says.
type invoice struct {
	store.Invoice
	meta, body string
}

func insertBatch(tx *sql.Tx, batch []invoice) error {
	const cols = 17
	rows := strings.Repeat("(?"+strings.Repeat(", ?", cols-1)+"), ", len(batch))
	args := make([]any, 0, cols*len(batch))
	for _, inv := range batch {
		args = append(args, inv.ID, inv.PortalID, inv.Number, inv.Date, inv.Amount, inv.AmountCents, inv.Currency,
			inv.Title, inv.Path, inv.FileName, inv.Size, inv.SHA256, inv.ContentType, inv.SourceURL, inv.CreatedAt, 1,
			store.TextKey(inv.Date, inv.ID))
	}
	_, err := tx.Exec(`INSERT INTO invoices (id, portal_id, number, date, amount, amount_cents, currency,
		title, path, file_name, size, sha256, content_type, source_url, created_at, text_state, text_key)
		VALUES `+strings.TrimSuffix(rows, ", "), args...)
	if err != nil {
		return err
	}
	rows = strings.Repeat("(?, ?, ?), ", len(batch))
	args = args[:0]
	for _, inv := range batch {
		args = append(args, store.TextKey(inv.Date, inv.ID), inv.meta, inv.body)
	}
	_, err = tx.Exec(`INSERT INTO invoice_text(rowid, meta, body) VALUES `+strings.TrimSuffix(rows, ", "), args...)
	return err
}

func writeFile(root string, inv *invoice) error {
	path := filepath.Join(root, inv.Path)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, PDF(inv.body), 0o600)
}

func hexSum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
