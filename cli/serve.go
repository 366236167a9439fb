package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"billhound/runner"
	"billhound/server"
)

func runServe(env *Env, args []string) error {
	fs := flags(env, "serve")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return usageError("%v", err)
	}
	log := newLogger(cfg.LogLevel)
	a, err := openApp(cfg, log)
	if err != nil {
		return err
	}
	defer a.close()
	// Runs left "running" by a killed process would otherwise block their portal forever.
	if err := a.store.FailStaleRuns(a.runner.StaleAfter()); err != nil {
		return err
	}
	srv := server.New(server.Deps{Store: a.store, Vault: a.vault, Runner: a.runner, Archive: a.archive, UI: env.UI, Logger: log})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	log.Info("billhound is listening", "url", "http://"+displayAddr(ln.Addr()), "data", cfg.DataDir)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	sched := &runner.Scheduler{Runner: a.runner}
	sched.Start()
	defer sched.Stop() // before a.close stops the runs: no new run may start meanwhile

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	select {
	case err := <-errc:
		return err
	case s := <-sig:
		log.Info("shutting down", "signal", s.String())
	}
	// HTTP first (no new runs start), then the scheduler (deferred), then runs, browser and
	// database in a.close.
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
