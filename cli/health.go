package cli

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sort"
	"time"
)

// runHealth asks the server's /healthz: the Docker image's HEALTHCHECK (it may have no curl).
func runHealth(env *Env, args []string) error {
	fs := flags(env, "health")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return usageError("%v", err)
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return usageError("BILLHOUND_ADDR %q has no port", cfg.Addr)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	url := "http://" + net.JoinHostPort(host, port) + "/healthz"
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return fail("no answer from %s: %v", url, err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return fail("%s did not answer like billhound (HTTP %d)", url, resp.StatusCode)
	}
	if resp.StatusCode == http.StatusOK {
		fmt.Fprintln(env.Stdout, "ok")
		return nil
	}
	names := make([]string, 0, len(body.Checks))
	for n := range body.Checks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if body.Checks[n] != "ok" {
			fmt.Fprintf(env.Stdout, "%s: %s\n", n, body.Checks[n])
		}
	}
	return &exitError{code: 1, msg: "not healthy"}
}
