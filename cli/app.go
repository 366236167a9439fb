package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"billhound/archive"
	"billhound/browser"
	"billhound/config"
	"billhound/credentials"
	"billhound/exports"
	"billhound/liveview"
	"billhound/netpolicy"
	"billhound/notify"
	"billhound/runner"
	"billhound/scripts"
	"billhound/store"
	"billhound/textract"
)

// app is one process's wiring of billhound's parts over a data dir. The server and the CLI
// commands build the same app, so they see the same data.
type app struct {
	cfg     *config.Config
	log     *slog.Logger
	store   *store.Store
	vault   *credentials.Vault
	archive *archive.Archive
	browser *browser.Manager
	runner  *runner.Runner
	unlock  func() // releases the data dir's lock (see lockData)
	notify  *notify.Notifier
	exports *exports.Service
	texts   *textract.Indexer // fills the archive's full-text index (serve runs it)
}

// newLogger logs to stderr at level; format "json" writes one JSON object a line for log
// collectors, anything else slog's key=value text.
func newLogger(level, format string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: l}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

func openApp(cfg *config.Config, log *slog.Logger) (*app, error) {
	if err := privateDir(cfg.DataDir, log); err != nil {
		return nil, err
	}
	unlock, err := lockData(cfg.DataDir, false)
	if errors.Is(err, errDataBusy) {
		return nil, fmt.Errorf("a key rotation is running on %s; start billhound again once it has finished", cfg.DataDir)
	}
	if err != nil {
		return nil, fmt.Errorf("lock the data directory %s: %w", cfg.DataDir, err)
	}
	st, err := store.Open(filepath.Join(cfg.DataDir, "billhound.db"))
	if err != nil {
		unlock()
		return nil, err
	}
	box, _, err := openKey(cfg, st, log)
	if err != nil {
		st.Close()
		unlock()
		return nil, err
	}
	// Runs whose process died would otherwise show as running and block their portal.
	if n, err := st.ReapRuns(); err != nil {
		log.Warn("cannot check for interrupted runs", "err", err)
	} else if n > 0 {
		log.Warn("runs of a billhound process that stopped unexpectedly are marked interrupted", "runs", n)
	}
	a := &app{cfg: cfg, log: log, store: st, unlock: unlock}
	a.vault = &credentials.Vault{Store: st, Box: box}
	a.notify = &notify.Notifier{Store: st, Box: box, PublicURL: cfg.Public(), Logger: log}
	a.archive = &archive.Archive{Root: filepath.Join(cfg.DataDir, "archive")}
	a.browser = browser.New(browser.Options{
		DriverDir: findBeside(cfg.DriverDir), ChromiumPath: cfg.ChromiumPath, Headless: true, Mode: browser.Mode(cfg.BrowserMode),
		IdleTimeout: cfg.BrowserIdle, Logger: log, RemoteWS: cfg.BrowserWS, Locale: cfg.Locale, TimezoneID: cfg.Timezone,
	})
	a.runner = &runner.Runner{
		Store: st, Vault: a.vault, Archive: a.archive, Browser: a.browser,
		Engine: scripts.NewEngine(scripts.EngineOptions{DefaultTimeout: cfg.RunTimeout, Logger: log,
			MaxDownload: cfg.MaxDownload, TempDir: tempDir(cfg, log), MemoryLimit: cfg.ScriptMemory}),
		Artifacts: filepath.Join(cfg.DataDir, "runs"),
		Profiles:  filepath.Join(cfg.DataDir, "profiles"),
		Timeout:   cfg.RunTimeout,
		MaxRuns:   cfg.MaxRuns,
		Logger:    log,
		// The configured address even without a server in this process (`billhound run`):
		// a server of the same data dir usually listens there. serve adds the real one.
		Policy: netpolicy.New(cfg.Addr),
		Live:   liveview.NewHub(log),
		// A run that asks the user is announced on every notification channel that is on.
		Notifier: a.notify,
	}
	// Each new invoice goes on to the export targets: queued by serve's job queue, left
	// pending for it (or `billhound export`) elsewhere.
	a.exports = &exports.Service{Store: st, Vault: a.vault, Archive: a.archive, Mail: a.notify, Logger: log,
		TextWait: exports.DefaultTextWait}
	a.runner.Exports = a.exports
	a.texts = textract.NewIndexer(st, a.archive, log)
	a.runner.Texts = a.texts
	return a, nil
}

// tempDir is where runs spool downloads: inside the data dir, on disk (not a RAM-backed /tmp),
// and on the archive's filesystem. Folders left by a process that died are removed.
func tempDir(cfg *config.Config, log *slog.Logger) string {
	dir := filepath.Join(cfg.DataDir, "tmp")
	if n := scripts.CleanTempDir(dir, cfg.RunTimeout+time.Hour); n > 0 {
		log.Info("removed download folders of runs that ended without cleaning up", "count", n)
	}
	return dir
}

// close stops runs, then the browser, then the database: each still needs the next.
func (a *app) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.runner.Shutdown(ctx); err != nil {
		a.log.Warn("runs did not stop in time", "err", err)
	}
	a.browser.Close()
	a.store.Close()
	a.unlock()
}

// privateDir makes the data dir, or narrows an existing one, to its owner only: it holds the
// key, the database and the invoices.
func privateDir(dir string, log *slog.Logger) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data directory %s: %w", dir, err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("data directory %s: %w", dir, err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			log.Warn("the data directory is readable by others; make it mode 0700", "dir", dir, "err", err)
		}
	}
	return nil
}

// findPortal accepts a portal's name or id.
func (a *app) findPortal(nameOrID string) (*store.Portal, error) {
	p, err := a.store.PortalByName(nameOrID)
	if err == store.ErrNotFound {
		var id int64
		if _, serr := fmt.Sscan(nameOrID, &id); serr == nil {
			p, err = a.store.Portal(id)
		}
	}
	if err == store.ErrNotFound {
		names := []string{}
		if ps, lerr := a.store.Portals(); lerr == nil {
			for _, p := range ps {
				names = append(names, p.Name)
			}
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("no portal named %q; there are no portals yet (add one with `billhound portal add`)", nameOrID)
		}
		return nil, fmt.Errorf("no portal named %q; portals: %s", nameOrID, strings.Join(names, ", "))
	}
	return p, err
}

// findBeside resolves a relative path against the working directory, or else against the
// binary's folder, so `./billhound` finds the driver `make` installed from anywhere.
func findBeside(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if exe, err := os.Executable(); err == nil {
		if cand := filepath.Join(filepath.Dir(exe), path); fileExists(cand) {
			return cand
		}
	}
	return path
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// openFor parses a command's flags (with every config flag) and opens the app over its data
// dir, logging at level.
func openFor(env *Env, fs *flag.FlagSet, args []string, level string) (*app, error) {
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return openApp(cfg, newLogger(level, cfg.LogFormat))
}
