package runner

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"billhound/store"
)

// TestScriptGetsItsCredentialFields: every field of @fields reaches `credentials`, and none of
// the secret values reach the run log, even when the script logs them.
func TestScriptGetsItsCredentialFields(t *testing.T) {
	r, st := newTestRunner(t)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "<!doctype html><title>Shop</title>")
	}))
	defer site.Close()
	script := "// ==Portal==\n// @name Shop\n// @url " + site.URL + "/\n// @fields username password customer pin\n// ==/Portal==\n" +
		"log('fields ' + Object.keys(credentials).sort().join(','));\n" +
		"log('pin has ' + credentials.pin.length + ' digits: ' + credentials.pin);\n" +
		"log('password ' + credentials.password);\n"
	p := &store.Portal{Name: "Shop", Script: script, Username: "buyer"}
	if err := st.CreatePortal(p); err != nil {
		t.Fatal(err)
	}
	var err error
	if p.PasswordSealed, err = r.Vault.SealPassword(p.ID, "pw-93jd-long"); err != nil {
		t.Fatal(err)
	}
	if p.FieldsSealed, err = r.Vault.SealFields(p.ID, map[string]string{"customer": "C-778812", "pin": "90417"}); err != nil {
		t.Fatal(err)
	}
	if err := st.UpdatePortal(p); err != nil {
		t.Fatal(err)
	}
	res, err := r.RunNow(context.Background(), p.ID, "cli")
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.Status != store.RunSucceeded {
		t.Fatalf("run %s: %s", res.Run.Status, res.Run.Error)
	}
	logs, _ := st.RunLogs(res.Run.ID)
	var text strings.Builder
	for _, l := range logs {
		text.WriteString(l.Message + "\n")
	}
	got := text.String()
	for _, want := range []string{"fields customer,password,pin,username", "pin has 5 digits"} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}
	for _, secret := range []string{"90417", "pw-93jd-long"} {
		if strings.Contains(got, secret) {
			t.Errorf("the run log shows %q:\n%s", secret, got)
		}
	}
}
