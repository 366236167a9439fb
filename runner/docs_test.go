package runner

import (
	"context"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"billhound/demoportal"
	"billhound/store"
	"billhound/twofa"
)

// TestDocsExamplesRun runs every ```js block of README.md and docs/SCRIPT_API.md, as written,
// against the demo portal with 2FA on (the portal's URL set to the demo portal, as a user sets
// it in the UI). Each must succeed and see the demo portal's invoices.
func TestDocsExamplesRun(t *testing.T) {
	const secret = "KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF"
	block := regexp.MustCompile("(?s)```js\n(.*?)```")
	var examples []string
	for _, file := range []string{"../README.md", "../docs/SCRIPT_API.md"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		found := block.FindAllStringSubmatch(string(b), -1)
		if len(found) == 0 {
			t.Fatalf("%s has no js example", file)
		}
		for _, m := range found {
			examples = append(examples, m[1])
		}
	}
	r, st := newTestRunner(t)
	key, err := twofa.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	for i, src := range examples {
		demo := httptest.NewServer(demoportal.New(demoportal.Options{Accounts: []demoportal.Account{
			{Username: demoportal.DefaultUsername, Password: demoportal.DefaultPassword, TOTPSecret: secret}}}))
		p := &store.Portal{Name: "Example " + string(rune('A'+i)), Script: src, URL: demo.URL + "/login", Username: demoportal.DefaultUsername}
		if err := st.CreatePortal(p); err != nil {
			t.Fatalf("example %d: %v\n%s", i+1, err, src)
		}
		setPassword(t, r, st, p, demoportal.DefaultPassword)
		if err := r.Vault.SetTOTP(p.ID, key, "typed"); err != nil {
			t.Fatal(err)
		}
		res, err := r.RunNow(context.Background(), p.ID, "cli")
		demo.Close()
		if err != nil || res.Run.Status != store.RunSucceeded {
			logs, _ := st.RunLogs(res.Run.ID)
			for _, l := range logs {
				t.Log(l.Message)
			}
			t.Fatalf("example %d does not run as written: %v %s: %s\n%s", i+1, err, res.Run.Status, res.Run.Error, src)
		}
		if strings.Contains(src, "download(") && res.Run.NewCount == 0 {
			t.Errorf("example %d archived nothing", i+1)
		}
		if took := res.Run.FinishedAt.Sub(res.Run.StartedAt); took > 30*1e9 {
			t.Errorf("example %d took %s", i+1, took)
		}
	}
}
