package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/playwright-community/playwright-go"
)

// TestExportTargetsInBrowser adds a folder target on the Settings page, sends a test file to
// it, and sees a target that cannot work say why, at desktop width and on a phone.
func TestExportTargetsInBrowser(t *testing.T) {
	t.Parallel()
	for _, vp := range []struct {
		name string
		w, h int
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		t.Run(vp.name, func(t *testing.T) {
			u := openUI(t, vp.name, vp.w, vp.h)
			u.must(u.page.Locator("#nav-settings").Click())
			u.must(u.page.Locator("#export-add").WaitFor())
			folder := filepath.Join(t.TempDir(), "consume")
			os.Mkdir(folder, 0o755)
			u.addTarget("Paperless", "folder", "#export-path", folder)
			u.addTarget("Books", "webhook", "#export-url", "http://127.0.0.1:9/hook")
			targets := u.page.Locator("[data-testid=export-target]")
			u.must(targets.First().WaitFor())
			for i, want := range []string{"Test file sent to billhound-test/", "cannot reach the webhook"} {
				row := targets.Filter(playwright.LocatorFilterOptions{HasText: []string{"Books", "Paperless"}[1-i]})
				u.must(row.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Send a test"}).Click())
				u.must(row.GetByRole("status").WaitFor())
				if got := u.text("[data-testid=export-target]:has-text('" + []string{"Paperless", "Books"}[i] + "') [role=status]"); !strings.Contains(got, want) {
					t.Fatalf("test result %q, want %q", got, want)
				}
			}
			if files := pdfsAndTexts(folder); len(files) != 1 {
				t.Fatalf("the folder holds %v after the test", files)
			}
			u.noSideScroll("settings with export targets")
			snap(t, u.page, "exports-settings-"+vp.name)
		})
	}
}

func (u *ui) addTarget(name, kind, field, value string) {
	u.t.Helper()
	u.must(u.page.Locator("#export-add").Click())
	u.must(u.page.Locator("#export-name").Fill(name))
	_, err := u.page.Locator("#export-kind").SelectOption(playwright.SelectOptionValues{Values: &[]string{kind}})
	u.must(err)
	u.must(u.page.Locator(field).Fill(value))
	u.must(u.page.Locator("#export-save").Click())
	u.must(u.page.Locator("[data-testid=export-target]", playwright.PageLocatorOptions{HasText: name}).WaitFor())
}

func pdfsAndTexts(dir string) []string {
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}
