package e2e

import (
	"billhound/internal/shareddata"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"billhound/server"
	"billhound/twofa"
)

// sharedImage is an image of the real QR photo sets beside the repository.
func sharedImage(t *testing.T, parts ...string) string {
	t.Helper()
	dir, err := shareddata.QRPhotos()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(append([]string{dir}, parts...)...)
}

func TestCLIQRAndTOTP(t *testing.T) {
	t.Parallel()
	code, out, _ := cli(t, nil, "qr", "decode", sharedImage(t, "authenticator-export", "example_export.png"))
	uris := lines(strings.TrimSpace(out))
	if code != 0 || len(uris) != 3 || !strings.Contains(out, "secret=JBSWY3DPEHPK3PXQ") {
		t.Fatalf("qr decode of an export: exit %d\n%s", code, out)
	}
	notImage := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notImage, []byte("hello"), 0o644)
	code, _, errOut := cli(t, nil, "qr", "decode", notImage)
	if code != 1 || !strings.Contains(errOut, "not an image") {
		t.Fatalf("qr decode of a text file: exit %d %q", code, errOut)
	}
	code, _, errOut = cli(t, nil, "qr", "decode", sharedImage(t, "authenticator-export", "qr_but_without_otp.png"))
	if code != 1 || !strings.Contains(errOut, "not a 2FA") {
		t.Fatalf("qr decode without otpauth: exit %d %q", code, errOut)
	}

	k, _ := twofa.ParseSecret("JBSWY3DPEHPK3PXP")
	before := time.Now()
	code, out, _ = cli(t, nil, "totp", "--secret", "jbsw y3dp ehpk 3pxp")
	want1, _ := k.Code(before)
	want2, _ := k.Code(time.Now())
	got := strings.TrimSpace(out)
	if code != 0 || (got != want1 && got != want2) {
		t.Fatalf("totp --secret: exit %d %q, want %s", code, got, want1)
	}
	code, out, _ = cli(t, nil, "totp", "--uri", "otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP&digits=8")
	if code != 0 || !regexp.MustCompile(`^\d{8}\n$`).MatchString(out) {
		t.Fatalf("totp --uri with 8 digits: exit %d %q", code, out)
	}
	code, _, errOut = cli(t, nil, "totp", "--uri", "otpauth://totp/X:y")
	if code != 1 || !strings.Contains(errOut, "secret") {
		t.Fatalf("malformed URI: exit %d %q", code, errOut)
	}
	code, _, errOut = cli(t, nil, "totp", "--secret", "ABCDEFGH")
	if code != 1 || !strings.Contains(errOut, "16") {
		t.Fatalf("short key: exit %d %q", code, errOut)
	}
	code, _, _ = cli(t, nil, "totp")
	if code != 2 {
		t.Fatalf("totp without a source: exit %d, want 2 (usage)", code)
	}
}

// TestCLIPortalRun adds a portal and runs it from the terminal, with no server running.
func TestCLIPortalRun(t *testing.T) {
	t.Parallel()
	secret := "KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF"
	addr := freeAddr(t)
	start(t, addr, nil, "demo-portal", "--addr", addr, "--password", demoPassword, "--totp-secret", secret)
	data := t.TempDir()
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte(demoPassword+"\n"), 0o600)
	env := []string{"BILLHOUND_DATA=" + data}

	code, out, errOut := cli(t, env, "portal", "add", "Nimbus CLI", "--script", "demo.js", "--username", "demo",
		"--password-file", pwFile, "--totp-secret", secret, "--url", "http://"+addr+"/login")
	if code != 0 || !strings.Contains(out, "Nimbus CLI") {
		t.Fatalf("portal add: exit %d %s %s", code, out, errOut)
	}
	code, _, errOut = cli(t, env, "portal", "add", "Nimbus field", "--script", "demo.js", "--field", "iban=DE00")
	if code != 1 || !strings.Contains(errOut, "does not ask for it") {
		t.Fatalf("portal add with a field the script does not declare: exit %d %q", code, errOut)
	}
	code, _, errOut = cli(t, env, "portal", "add", "Nimbus\u202Efdp.exe", "--script", "demo.js")
	if code != 1 || !strings.Contains(errOut, "text-direction character") {
		t.Fatalf("portal add with a right-to-left override in the name: exit %d %q", code, errOut)
	}
	code, out, _ = cli(t, env, "portal", "list")
	if code != 0 || !strings.Contains(out, "Nimbus CLI") || !strings.Contains(out, "totp") || strings.Contains(out, demoPassword) {
		t.Fatalf("portal list: exit %d\n%s", code, out)
	}

	code, out, errOut = cli(t, env, "run", "Nimbus CLI")
	newCount := regexp.MustCompile(`(?m)^new: (\d+)$`).FindStringSubmatch(out)
	if code != 0 || newCount == nil || newCount[1] == "0" || !strings.Contains(out, "succeeded") {
		t.Fatalf("first run: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = cli(t, env, "run", "Nimbus CLI")
	if code != 0 || !strings.Contains(out, "new: 0") || !strings.Contains(out, "already archived: "+newCount[1]) {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = cli(t, env, "invoices", "--portal", "Nimbus CLI", "--json")
	var list struct {
		Items []struct{ Number, Date, Path string }
		Next  string
		Total int
	}
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list.Items) == 0 || list.Total != len(list.Items) || list.Next != "" {
		t.Fatalf("invoices --json: exit %d %s", code, out)
	}
	for _, it := range list.Items {
		file := filepath.Join(data, "archive", it.Path)
		if _, err := os.Stat(file); err != nil || it.Path != filepath.Join("nimbus-cli", it.Date[:4], it.Date+"_"+it.Number+".pdf") {
			t.Fatalf("archived file %q: %v", it.Path, err)
		}
	}
	sameShapeAsAPI(t, out)

	os.WriteFile(pwFile, []byte("wrong"), 0o600)
	cli(t, env, "portal", "add", "Nimbus wrong", "--script", "demo.js", "--username", "demo", "--password-file", pwFile, "--url", "http://"+addr+"/login")
	code, out, errOut = cli(t, env, "run", "Nimbus wrong")
	if code != 1 || !strings.Contains(errOut, "Invalid username or password") || !strings.Contains(errOut, "artifacts") ||
		!strings.Contains(errOut, "Wrong username or password (credentials)") || !strings.Contains(out, "failed in") {
		t.Fatalf("wrong password run: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out, "failed: 0") || strings.Contains(out, "new: 0") {
		t.Fatalf("a failed run reports counts of nothing:\n%s", out)
	}
	// The artifacts the error names are the files in the folder, by the same names.
	for _, name := range regexp.MustCompile(`\b\d\d-[a-z-]+\.(?:png|html)\b`).FindAllString(errOut, -1) {
		if matches, _ := filepath.Glob(filepath.Join(data, "runs", "*", name)); len(matches) == 0 {
			t.Errorf("the error names %s but no such artifact exists:\n%s", name, errOut)
		}
	}
	code, _, errOut = cli(t, env, "run", "Nobody")
	if code != 1 || !strings.Contains(errOut, "Nimbus CLI") {
		t.Fatalf("unknown portal: exit %d %q", code, errOut)
	}
}

// sameShapeAsAPI checks that `invoices --json` prints what GET /api/invoices answers: an
// object {items, next, total} whose items have the same field names, no more and no fewer
// (snippet only comes with a search).
func sameShapeAsAPI(t *testing.T, out string) {
	t.Helper()
	var list map[string]json.RawMessage
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 3 || json.Unmarshal(list["items"], &got) != nil || len(got) == 0 {
		t.Fatalf("invoices --json is not {items, next, total}: %v\n%s", err, out)
	}
	want := map[string]bool{}
	typ := reflect.TypeFor[server.InvoiceView]()
	for i := 0; i < typ.NumField(); i++ {
		name, opts, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if !strings.Contains(opts, "omitempty") {
			want[name] = true
		}
	}
	for k := range got[0] {
		if !want[k] {
			t.Errorf("invoices --json has %q, the API does not", k)
		}
		delete(want, k)
	}
	for k := range want {
		t.Errorf("invoices --json lacks the API's %q", k)
	}
}
