package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBackupRestoreWhileServing backs up a data dir while its server runs, restores it into a
// new data dir and checks that a server started on it has the portals, the invoices (same
// bytes), the sealed secrets (the portal's 2FA code) and the API token.
func TestBackupRestoreWhileServing(t *testing.T) {
	t.Parallel()
	secret := "KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF"
	demoAddr := freeAddr(t)
	start(t, demoAddr, nil, "demo-portal", "--addr", demoAddr, "--password", demoPassword, "--totp-secret", secret)
	in := serveData(t, t.TempDir())
	in.portal = "http://" + demoAddr
	in.setupAdmin()
	p := in.addPortal("Nimbus", demoPassword)
	if code := in.call("PUT", fmt.Sprintf("/api/portals/%d/totp", p.ID), map[string]string{"secret": secret}, nil); code != 200 {
		t.Fatalf("store the 2FA secret: %d", code)
	}
	if r := in.startRun(p.ID); r.Status != "succeeded" || r.NewCount == 0 {
		t.Fatalf("run: %s %s\n%s", r.Status, r.Error, r.logText())
	}
	var tok struct{ Token string }
	if code := in.call("POST", "/api/account/tokens", map[string]string{"name": "backup test"}, &tok); code != 201 {
		t.Fatalf("create token: %d", code)
	}
	var beforePage struct{ Items []invoiceJSON }
	in.call("GET", "/api/invoices", nil, &beforePage)
	before := beforePage.Items

	// The running server is healthy, says so to `billhound health`, and counts the invoices.
	var health struct{ Status string }
	if code := in.call("GET", "/healthz", nil, &health); code != 200 || health.Status != "ok" {
		t.Fatalf("healthz: %d %v", code, health)
	}
	if code, out, errOut := cli(t, nil, "health", "--addr", strings.TrimPrefix(in.base, "http://")); code != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("billhound health: %d %s %s", code, out, errOut)
	}
	if code, out := bearerGet(t, in.base+"/metrics", tok.Token); code != 200 || !strings.Contains(out, fmt.Sprintf("billhound_invoices_archived %d", len(before))) {
		t.Fatalf("metrics: %d\n%s", code, out)
	}

	dir := t.TempDir()
	full, bare := filepath.Join(dir, "full.tar.gz"), filepath.Join(dir, "bare.tar.gz")
	env := []string{"BILLHOUND_DATA=" + in.data}
	if code, out, errOut := cli(t, env, "backup", full, "--with-key"); code != 0 || !strings.Contains(out, "with the secret key") {
		t.Fatalf("backup --with-key: %d %s %s", code, out, errOut)
	}
	if code, out, errOut := cli(t, env, "backup", bare); code != 0 || !strings.Contains(out, "not in it") {
		t.Fatalf("backup: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := cli(t, env, "backup", bare); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("backup over an existing file: %d %s", code, errOut)
	}
	if info, _ := os.Stat(full); info == nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode: %v", info)
	}
	// Restore refuses the running server's data dir, with and without --force.
	if code, _, errOut := cli(t, env, "restore", full); code != 1 || !strings.Contains(errOut, "not empty") {
		t.Fatalf("restore into a data dir in use: %d %s", code, errOut)
	}
	if code, _, errOut := cli(t, env, "restore", full, "--force"); code != 1 || !strings.Contains(errOut, "running") {
		t.Fatalf("restore --force under a running server: %d %s", code, errOut)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	if code, out, errOut := cli(t, []string{"BILLHOUND_DATA=" + restored}, "restore", full); code != 0 || !strings.Contains(out, "opens the stored") {
		t.Fatalf("restore: %d %s %s", code, out, errOut)
	}
	filepath.Walk(restored, func(path string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is mode %v after restore", path, info.Mode().Perm())
		}
		return nil
	})
	noKey := filepath.Join(t.TempDir(), "nokey")
	if code, out, errOut := cli(t, []string{"BILLHOUND_DATA=" + noKey}, "restore", bare); code != 0 || !strings.Contains(out, "holds no secret key") {
		t.Fatalf("restore without a key: %d %s %s", code, out, errOut)
	}

	// A server on the restored data dir: same account, portals, invoices, secrets and token.
	in2 := serveData(t, restored)
	if code := in2.call("POST", "/api/login", map[string]string{"username": "admin", "password": "correct horse battery"}, nil); code != 200 {
		t.Fatalf("sign in on the restored server: %d", code)
	}
	var afterPage struct{ Items []invoiceJSON }
	in2.call("GET", "/api/invoices", nil, &afterPage)
	after := afterPage.Items
	if len(after) != len(before) || len(after) == 0 {
		t.Fatalf("restored invoices: %d, before: %d", len(after), len(before))
	}
	for i := range before {
		a, b := fetch(t, in.client, in.base+before[i].URL), fetch(t, in2.client, in2.base+after[i].URL)
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Fatalf("invoice %s differs after restore (%d vs %d bytes)", before[i].Number, len(a), len(b))
		}
	}
	var code struct{ Code string }
	if st := in2.call("GET", fmt.Sprintf("/api/portals/%d/totp/code", p.ID), nil, &code); st != 200 || len(code.Code) != 6 {
		t.Fatalf("the restored 2FA secret: %d %v", st, code)
	}
	if st, out := bearerGet(t, in2.base+"/api/portals", tok.Token); st != 200 || !strings.Contains(out, "Nimbus") {
		t.Fatalf("the API token on the restored server: %d %s", st, out)
	}
}

// serveData starts a server on a data dir, as an instance without its own demo portal.
func serveData(t *testing.T, data string) *instance {
	addr := freeAddr(t)
	jar, _ := cookiejar.New(nil)
	in := &instance{t: t, data: data, base: "http://" + addr, client: &http.Client{Jar: jar, Timeout: 60 * time.Second}}
	in.server = start(t, addr, []string{"BILLHOUND_RUN_TIMEOUT=2m", "BILLHOUND_MIN_FREE_DISK=1MB"}, "serve", "--addr", addr, "--data", data)
	return in
}

func bearerGet(t *testing.T, url, token string) (int, string) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func fetch(t *testing.T, c *http.Client, url string) []byte {
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}
