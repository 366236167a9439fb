package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
			u.settingsLayout()
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

// settingsLayout checks what the eye checks on the Settings page: every section has a heading,
// every card has the same width, and the "On this page" link to Exports brings its heading into
// view below the sticky top bar. It leaves the page scrolled to the top for the screenshot.
func (u *ui) settingsLayout() {
	u.t.Helper()
	for _, h := range []string{"Notifications", "Codes sent by e-mail or SMS", "Exports"} {
		u.must(u.page.GetByRole("heading", playwright.PageGetByRoleOptions{Name: h, Level: playwright.Int(2), Exact: playwright.Bool(true)}).WaitFor())
	}
	widths, err := u.page.Locator("main .card").EvaluateAll(`cards => [...new Set(cards.map(c => Math.round(c.getBoundingClientRect().width)))]`)
	u.must(err)
	if ws, _ := widths.([]any); len(ws) != 1 {
		u.t.Fatalf("the Settings cards have widths %v, want one width", widths)
	}
	_, err = u.page.Evaluate(`() => window.scrollTo(0, 0)`)
	u.must(err)
	toc := u.page.GetByRole("navigation", playwright.PageGetByRoleOptions{Name: "On this page"})
	u.must(toc.GetByRole("link", playwright.LocatorGetByRoleOptions{Name: "Exports", Exact: playwright.Bool(true)}).Click())
	// The scroll is smooth: look again until it has stopped, then where the heading is.
	last := ""
	for deadline := time.Now().Add(5 * time.Second); ; {
		at, err := u.page.Evaluate(`() => {
			const r = document.getElementById('exports-head').getBoundingClientRect();
			const bar = document.querySelector('header.topbar').getBoundingClientRect().bottom;
			return {y: String(Math.round(scrollY)), below: r.top >= bar && r.bottom <= innerHeight};
		}`)
		u.must(err)
		m := at.(map[string]any)
		y, _ := m["y"].(string)
		if y == last && y != "0" {
			if m["below"] != true {
				u.t.Fatal("the On this page link to Exports left its heading hidden under the top bar or off screen")
			}
			break
		}
		if time.Now().After(deadline) {
			u.t.Fatal("the On this page link to Exports did not scroll to it")
		}
		last = y
		time.Sleep(150 * time.Millisecond)
	}
	_, err = u.page.Evaluate(`() => window.scrollTo(0, 0)`)
	u.must(err)
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
