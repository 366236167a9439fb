package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"billhound/twofa"
)

// refuses runs billhound, expecting it to stop by itself with an error within half a minute
// (a server that starts instead is killed, and the test fails), and returns its output.
func refuses(t *testing.T, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, billhoundBin, args...)
	cmd.Env = append(os.Environ(), "BILLHOUND_PLAYWRIGHT_DRIVER="+driverDir())
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("billhound %s started instead of refusing:\n%s", strings.Join(args, " "), out.String())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 0 {
		t.Fatalf("billhound %s: %v, want a non-zero exit\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func assertMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != want {
		t.Errorf("%s: mode %v, want %v", path, info.Mode().Perm(), want)
	}
}

// totpCode asks the server for a portal's current 2FA code and checks it is the code of the
// key the test gave it.
func (in *instance) totpCode(portalID int64, want twofa.Key) string {
	in.t.Helper()
	var c struct {
		Code string `json:"code"`
		Step int64  `json:"step"`
	}
	if code := in.call("GET", fmt.Sprintf("/api/portals/%d/totp/code", portalID), nil, &c); code != 200 {
		in.t.Fatalf("2FA code: %d", code)
	}
	if exp, _ := want.CodeAt(c.Step); c.Code != exp {
		in.t.Fatalf("2FA code %q at step %d, want %q: the stored secret changed", c.Code, c.Step, exp)
	}
	return c.Code
}

// TestKeySafety: with secrets stored, a missing or wrong key stops billhound with a way out
// and no new key; `billhound key rotate` re-seals them all; the data dir and database are
// private.
func TestKeySafety(t *testing.T) {
	t.Parallel()
	secret := "KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF"
	totpKey, err := twofa.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	demoAddr := freeAddr(t)
	start(t, demoAddr, nil, "demo-portal", "--addr", demoAddr, "--password", demoPassword, "--totp-secret", secret)
	data := filepath.Join(t.TempDir(), "data")
	os.Mkdir(data, 0o755) // as an older billhound or a user may have made it
	env := []string{"BILLHOUND_DATA=" + data}
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte(demoPassword), 0o600)
	if code, out, errOut := cli(t, env, "portal", "add", "Nimbus", "--script", "demo.js", "--username", "demo",
		"--password-file", pwFile, "--totp-secret", secret, "--url", "http://"+demoAddr+"/login"); code != 0 {
		t.Fatalf("portal add: exit %d %s %s", code, out, errOut)
	}
	keyPath := filepath.Join(data, "secret.key")
	assertMode(t, data, 0o700)
	assertMode(t, keyPath, 0o600)
	assertMode(t, filepath.Join(data, "billhound.db"), 0o600)

	in := serveOn(t, data, freeAddr(t), true)
	for _, f := range []string{"billhound.db-wal", "billhound.db-shm"} {
		assertMode(t, filepath.Join(data, f), 0o600)
	}
	id := in.portalID("Nimbus")
	in.totpCode(id, totpKey)
	if code, _, errOut := cli(t, env, "key", "rotate"); code != 1 || !strings.Contains(errOut, "stop it") {
		t.Fatalf("key rotate beside a running server: exit %d %q", code, errOut)
	}
	in.server.cmd.Process.Signal(os.Interrupt)
	in.server.cmd.Wait()

	// The key file is gone: every command refuses, says where the key belongs, makes none.
	original, _ := os.ReadFile(keyPath)
	os.Rename(keyPath, keyPath+".backup")
	out := refuses(t, nil, "serve", "--addr", freeAddr(t), "--data", data)
	for _, want := range []string{"the secret key is missing", keyPath, "backed-up secret.key", "BILLHOUND_SECRET_KEY_FILE"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing key: the message lacks %q:\n%s", want, out)
		}
	}
	refuses(t, env, "portal", "list")
	if _, err := os.Stat(keyPath); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a new key file was written over sealed data: %v", err)
	}

	// A wrong key, in the file or in the environment.
	os.WriteFile(keyPath, []byte(strings.Repeat("ab", 32)+"\n"), 0o600)
	if out := refuses(t, nil, "serve", "--addr", freeAddr(t), "--data", data); !strings.Contains(out, "is not the key the stored passwords") {
		t.Errorf("wrong key file: %s", out)
	}
	os.Rename(keyPath+".backup", keyPath)
	wrongEnv := append([]string{"BILLHOUND_SECRET_KEY=" + strings.Repeat("cd", 32)}, env...)
	if out := refuses(t, wrongEnv, "serve", "--addr", freeAddr(t)); !strings.Contains(out, "from BILLHOUND_SECRET_KEY is not the key") {
		t.Errorf("wrong key variable: %s", out)
	}

	// Rotation: a new key file, the old key opens nothing, every secret still works.
	code, stdout, errOut := cli(t, env, "key", "rotate")
	if code != 0 || !strings.Contains(stdout, "stored secrets are sealed with a new key") {
		t.Fatalf("key rotate: exit %d %s %s", code, stdout, errOut)
	}
	rotated, _ := os.ReadFile(keyPath)
	if bytes.Equal(rotated, original) || strings.Contains(stdout+errOut, strings.TrimSpace(string(rotated))) {
		t.Fatal("the key did not change, or the new key file's content was printed")
	}
	assertMode(t, keyPath, 0o600)
	if _, err := os.Stat(keyPath + ".old"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the old key is still kept beside the new one: %v", err)
	}
	oldEnv := append([]string{"BILLHOUND_SECRET_KEY=" + strings.TrimSpace(string(original))}, env...)
	refuses(t, oldEnv, "portal", "list")

	in = serveOn(t, data, freeAddr(t), false)
	in.totpCode(id, totpKey)
	var r runJSON
	if code := in.call("POST", fmt.Sprintf("/api/portals/%d/runs", id), nil, &r); code != 202 {
		t.Fatalf("start run: %d", code)
	}
	if r = in.waitRun(r.ID); r.Status != "succeeded" || r.NewCount == 0 {
		t.Fatalf("a run with the re-sealed password and 2FA secret: %s %q\n%s", r.Status, r.Error, r.logText())
	}
}

// TestKeyRotationRecovers: a rotation cut short is settled at the next start, whichever side
// of the database commit it stopped on.
func TestKeyRotationRecovers(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	env := []string{"BILLHOUND_DATA=" + data}
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte("s3cret"), 0o600)
	if code, out, errOut := cli(t, env, "portal", "add", "P", "--script", "demo.js", "--password-file", pwFile); code != 0 {
		t.Fatalf("portal add: exit %d %s %s", code, out, errOut)
	}
	keyPath := filepath.Join(data, "secret.key")
	good, _ := os.ReadFile(keyPath)

	// Stopped before the commit: secret.key already new, the database still on the old key.
	os.WriteFile(keyPath+".old", good, 0o600)
	os.WriteFile(keyPath, []byte(strings.Repeat("ef", 32)+"\n"), 0o600)
	if code, out, errOut := cli(t, env, "portal", "list"); code != 0 || !strings.Contains(out, "P") {
		t.Fatalf("after a rotation stopped before its commit: exit %d %s %s", code, out, errOut)
	}
	if now, _ := os.ReadFile(keyPath); !bytes.Equal(now, good) {
		t.Fatal("the previous key was not put back")
	}

	// Stopped after the commit: only secret.key.old is left over.
	os.WriteFile(keyPath+".old", []byte(strings.Repeat("ef", 32)+"\n"), 0o600)
	if code, _, errOut := cli(t, env, "portal", "list"); code != 0 {
		t.Fatalf("after a rotation stopped before its cleanup: exit %d %s", code, errOut)
	}
	if _, err := os.Stat(keyPath + ".old"); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the leftover old key was not removed")
	}

	// A key from the environment: the new one is printed, to be put in its place.
	envKey := strings.Repeat("12", 32)
	data2 := t.TempDir()
	env2 := []string{"BILLHOUND_DATA=" + data2, "BILLHOUND_SECRET_KEY=" + envKey}
	cli(t, env2, "portal", "add", "P", "--script", "demo.js", "--password-file", pwFile)
	code, stdout, errOut := cli(t, env2, "key", "rotate")
	if code != 0 || !strings.Contains(stdout, "Put the new key in BILLHOUND_SECRET_KEY") {
		t.Fatalf("key rotate with the key in the environment: exit %d %s %s", code, stdout, errOut)
	}
	var newKey string
	fmt.Sscanf(stdout, "new secret key: %s", &newKey)
	if len(newKey) != 64 || newKey == envKey {
		t.Fatalf("new key %q", newKey)
	}
	if _, err := os.Stat(filepath.Join(data2, "secret.key")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a key file was written although the key comes from the environment")
	}
	refuses(t, env2, "portal", "list")
	if code, _, errOut := cli(t, []string{"BILLHOUND_DATA=" + data2, "BILLHOUND_SECRET_KEY=" + newKey}, "portal", "list"); code != 0 {
		t.Fatalf("the new key is refused: %s", errOut)
	}
}
