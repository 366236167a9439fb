package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"billhound/jobs"
	"billhound/server"
)

func runServe(env *Env, args []string) error {
	fs := flags(env, "serve")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return usageError("%v", err)
	}
	log := newLogger(cfg.LogLevel, cfg.LogFormat)
	a, err := openApp(cfg, log)
	if err != nil {
		return err
	}
	defer a.close()
	queue, err := jobs.Open(context.Background(), a.runner, jobs.Options{
		MaxRuns: cfg.MaxRuns, Backoff: cfg.RetryBackoff, NoRetry: len(cfg.RetryBackoff) == 0, Logger: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	a.runner.Policy.AddOwnAddr(ln.Addr().String()) // the real port, also when cfg.Addr asked for ":0"
	if cfg.PublicURL == "" {                       // the port may have been chosen by the system (":0")
		a.notify.PublicURL = "http://" + displayAddr(ln.Addr())
	}
	srv := server.New(server.Deps{Store: a.store, Vault: a.vault, Runner: a.runner, Queue: queue, Archive: a.archive,
		Notifier: a.notify, Live: a.runner.Live, UI: env.UI, Logger: log, TrustedProxies: cfg.TrustedProxies,
		Ops: server.Ops{Queue: queue, Browser: a.browser, DataDir: cfg.DataDir, MinFreeDisk: cfg.MinFreeDisk, MetricsPublic: cfg.MetricsPublic}})
	if err := queue.Start(context.Background()); err != nil {
		ln.Close()
		return err
	}
	// Deferred, so it runs after the HTTP server stopped (no new runs are asked for) and
	// before a.close stops the browser and the database the runs need.
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := queue.Stop(ctx); err != nil {
			log.Warn("the job queue did not stop in time", "err", err)
		}
	}()
	log.Info("billhound is listening", "url", "http://"+displayAddr(ln.Addr()), "data", cfg.DataDir, "max_runs", cfg.MaxRuns)
	if token := srv.SetupToken(); token != "" {
		// Like PocketBase's installer: only who can read this log can create the admin.
		log.Warn("no admin account yet: create it with this one-time link", "url", "http://"+displayAddr(ln.Addr())+"/setup?token="+token)
	}
	// The archive's text index: a backfill of what is not indexed yet, then each new invoice.
	// Stopped (deferred) before a.close closes the database it writes to.
	textCtx, stopTexts := context.WithCancel(context.Background())
	textsDone := make(chan struct{})
	go func() { a.texts.Run(textCtx); close(textsDone) }()
	defer func() { stopTexts(); <-textsDone }()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	select {
	case err := <-errc:
		return err
	case s := <-sig:
		log.Info("shutting down", "signal", s.String())
	}
	// HTTP first (no new runs are asked for), then the job queue (deferred: its runs end as
	// interrupted), then the browser and the database in a.close.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(ctx)
}

func displayAddr(a net.Addr) string {
	t, ok := a.(*net.TCPAddr)
	if !ok || !t.IP.IsUnspecified() {
		return a.String()
	}
	return fmt.Sprintf("localhost:%d", t.Port)
}
