package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"billhound/archive"
	"billhound/failure"
	"billhound/redact"
	"billhound/scripts"
	"billhound/store"
	"billhound/twofa"
)

// runHost is the scripts.Host of one run: the only door from a script to billhound.
type runHost struct {
	r      *Runner
	run    *store.Run
	portal *store.Portal
	red    *redact.Redactor
	since  *time.Time
	// session is what the run's browser started from, and whether the script forgot it (under mu)
	session runSession

	creds map[string]string
	key   *twofa.Key
	twofa string // the script header's @twofa
	clock *clockWatch

	mu        sync.Mutex
	saved     []store.Invoice
	known     []string
	knownIDs  map[string]bool
	failed    []string
	artifacts int
	diskFull  error              // the first write that failed for lack of space
	raised    failure.Kind       // the last kind the script raised with fail.*()
	page      *scripts.PageState // what the page showed when the run failed
	codeWait  time.Duration      // time spent waiting for fresh 2FA codes
}

var _ scripts.Host = (*runHost)(nil)

// openSecrets decrypts the portal's password, other fields and TOTP key for this run only, and
// teaches the redactor every secret of the portal (recovery codes too: a portal may show them).
func (h *runHost) openSecrets() error {
	v := h.r.Vault
	red, err := v.Redactor(h.portal)
	if err != nil {
		return err
	}
	h.red = red
	password, err := v.Password(h.portal)
	if err != nil {
		return err
	}
	extra, err := v.Fields(h.portal)
	if err != nil {
		return err
	}
	h.creds = map[string]string{"username": h.portal.Username, "password": password}
	for name, value := range extra {
		h.creds[name] = value
	}
	k, ok, err := v.TOTP(h.portal)
	if err != nil {
		return err
	}
	if ok {
		h.key = &k
	}
	return nil
}

// Redactor is the run's redactor, shared with the script engine so that both hide the same
// secrets, one-time codes included.
func (h *runHost) Redactor() *redact.Redactor { return h.red }

func (h *runHost) Credentials() map[string]string {
	out := make(map[string]string, len(h.creds))
	for k, v := range h.creds {
		out[k] = v
	}
	return out
}

func (h *runHost) TOTP(ctx context.Context) (string, error) {
	if h.key == nil {
		switch h.twofa {
		case scripts.TwoFAManual, scripts.TwoFASMS, scripts.TwoFAEmail:
			return h.codeFromUser(ctx)
		}
		return "", failure.New(failure.CodeUnavailable, "this portal has no 2FA secret; set one up on the portal's page")
	}
	start := time.Now()
	code, step, err := h.r.Vault.NextCode(ctx, *h.key, h.portalNow)
	if err != nil {
		return "", err
	}
	h.red.Add(code, redact.Text)
	waited := time.Since(start)
	h.mu.Lock()
	h.codeWait += waited
	h.mu.Unlock()
	if waited > time.Second {
		// Worth saying: otherwise a run seems to hang for up to half a minute.
		h.Log("info", fmt.Sprintf("waited %s for a fresh 2FA code (the last one was used or about to expire)", waited.Round(time.Second)))
	}
	if h.key.TimeBased() {
		h.Log("info", fmt.Sprintf("2FA code for time step %d handed to the script", step))
	} else {
		h.Log("info", fmt.Sprintf("2FA code for counter %d handed to the script", step))
	}
	return code, nil
}

// RecoveryCode hands the script one unused recovery code and removes it from the portal's
// stored ones, for portals that ask for one when the authenticator is not at hand.
func (h *runHost) RecoveryCode() (string, error) {
	code, left, err := h.r.Vault.TakeRecoveryCode(h.portal.ID)
	if err != nil {
		return "", err
	}
	h.red.Add(code, redact.RecoveryCode)
	level, note := "info", ""
	if left <= 2 {
		level, note = "warn", "; store new ones from the portal's 2FA settings soon"
	}
	h.Log(level, fmt.Sprintf("a recovery code was handed to the script; %d left%s", left, note))
	return code, nil
}

func (h *runHost) Known(id string) (bool, error) {
	known, err := h.r.Store.KnownNumber(h.portal.ID, id)
	if known {
		h.noteKnown(id)
	}
	return known, err
}

func (h *runHost) noteKnown(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.knownIDs[id] {
		h.knownIDs[id] = true
		h.known = append(h.known, id)
	}
}

func (h *runHost) Since() *time.Time { return h.since }

func (h *runHost) Log(level, message string) {
	message = h.red.Apply(message)
	if err := h.r.Store.AddRunLog(h.run.ID, level, message); err != nil {
		h.r.Logger.Warn("cannot store a run log line", "run", h.run.ID, "err", err)
	}
}

var (
	unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)
	numbered   = regexp.MustCompile(`^[0-9]{2,}-`)
)

// Artifact keeps a file with the run under a safe, unique, numbered name. A name the engine
// numbered already ("01-auto-login.png", the name its error quotes) is kept as it is.
func (h *runHost) Artifact(name string, data []byte) error {
	h.mu.Lock()
	h.artifacts++
	n := h.artifacts
	h.mu.Unlock()
	name = strings.Trim(unsafeName.ReplaceAllString(filepath.Base(name), "-"), ".-")
	if name == "" {
		name = "artifact"
	}
	if isText(name, data) { // a page's HTML, a JSON dump: the portal may echo a secret into it
		data = h.red.ApplyBytes(data)
	}
	dir := h.r.ArtifactDir(h.run.ID)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return h.noteDiskFull(archive.DiskError(err, dir))
	}
	file := filepath.Join(dir, name)
	if _, err := os.Stat(file); !numbered.MatchString(name) || err == nil {
		file = filepath.Join(dir, fmt.Sprintf("%02d-%s", n, name))
	}
	return h.noteDiskFull(archive.WriteFile(file, data, 0o640))
}

// noteDiskFull remembers a write that failed for lack of space: the run then fails with that
// error even if the script caught it, since nothing more can be filed.
func (h *runHost) noteDiskFull(err error) error {
	if errors.Is(err, archive.ErrDiskFull) {
		h.mu.Lock()
		if h.diskFull == nil {
			h.diskFull = err
		}
		h.mu.Unlock()
	}
	return err
}

// SaveInvoice files a document once: a number or content already archived is a duplicate.
func (h *runHost) SaveInvoice(ctx context.Context, doc scripts.Document) (scripts.SaveResult, error) {
	res, err := h.save(doc)
	if err != nil {
		h.mu.Lock()
		h.failed = append(h.failed, describe(doc))
		h.mu.Unlock()
		h.Log("error", fmt.Sprintf("could not file %s: %v", describe(doc), err))
	}
	return res, err
}

func (h *runHost) save(doc scripts.Document) (scripts.SaveResult, error) {
	m := doc.Meta
	day, err := archive.ParseDate(m.Date)
	if err != nil {
		h.Log("warn", err.Error()+"; the file is named by today's date")
	}
	amount, currency, err := archive.ParseAmount(m.Amount)
	if err != nil {
		h.Log("warn", err.Error())
	}
	if m.Currency != "" {
		currency = strings.ToUpper(m.Currency)
	}
	body, _, err := doc.Open()
	if err != nil {
		return scripts.SaveResult{}, err
	}
	defer body.Close()
	// Staged first: the content's hash (the dedupe key) is known only once it is on disk.
	staged, err := h.r.Archive.Stage(archive.Item{PortalSlug: h.portal.Slug, Number: m.ID, Date: day}, body, time.Now())
	if err != nil {
		return scripts.SaveResult{}, h.noteDiskFull(err)
	}
	defer staged.Discard()
	sum := staged.SHA256
	if dup, err := h.r.Store.FindDuplicate(h.portal.ID, m.ID, sum); err != nil {
		return scripts.SaveResult{}, err
	} else if dup != nil {
		h.noteKnown(firstNonEmpty(m.ID, dup.Number, sum[:12]))
		h.Log("info", fmt.Sprintf("%s is already archived as %s", describe(doc), dup.Path))
		return scripts.SaveResult{Duplicate: true, Path: dup.Path}, nil
	}
	filed, err := staged.Commit()
	if err != nil {
		return scripts.SaveResult{}, h.noteDiskFull(err)
	}
	inv := store.Invoice{
		PortalID: h.portal.ID, RunID: &h.run.ID, Number: m.ID, Amount: amount, Currency: currency,
		Title: m.Title, Path: filed.Path, FileName: filed.FileName, Size: filed.Size,
		SHA256: filed.SHA256, ContentType: filed.ContentType, SourceURL: doc.SourceURL,
	}
	if !day.IsZero() {
		inv.Date = day.Format("2006-01-02")
	}
	if err := h.r.Store.CreateInvoice(&inv); err != nil {
		h.r.Archive.Remove(filed.Path)
		if errors.Is(err, store.ErrConflict) { // filed meanwhile by another process
			h.noteKnown(firstNonEmpty(m.ID, sum[:12]))
			return scripts.SaveResult{Duplicate: true}, nil
		}
		return scripts.SaveResult{}, err
	}
	if filed.ContentType != "application/pdf" {
		h.Log("warn", fmt.Sprintf("%s is %s, not a PDF", describe(doc), filed.ContentType))
	}
	h.mu.Lock()
	h.saved = append(h.saved, inv)
	h.mu.Unlock()
	if h.r.Texts != nil {
		h.r.Texts.Kick()
	}
	h.Log("info", fmt.Sprintf("saved %s (%s) as %s", describe(doc), humanSize(inv.Size), filed.Path))
	return scripts.SaveResult{Saved: true, Path: filed.Path}, nil
}

// isText tells text from images and PDFs: by the name, or else by the content, since binary
// formats hold NUL bytes or invalid UTF-8.
func isText(name string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".html", ".htm", ".txt", ".json", ".log", ".xml", ".csv", ".js", ".css":
		return true
	case ".png", ".jpg", ".jpeg", ".pdf", ".gif", ".webp":
		return false
	}
	return bytes.IndexByte(data, 0) < 0 && utf8.Valid(data)
}

func describe(doc scripts.Document) string {
	switch {
	case doc.Meta.ID != "":
		return "invoice " + doc.Meta.ID
	case doc.SuggestedName != "":
		return "file " + doc.SuggestedName
	case doc.SourceURL != "":
		return doc.SourceURL
	}
	return "a document"
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
