package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

type portalJSON struct {
	ID    int64 `json:"id"`
	TwoFA struct {
		Configured bool   `json:"configured"`
		Issuer     string `json:"issuer"`
	} `json:"twofa"`
}

type codeJSON struct {
	Code      string `json:"code"`
	Remaining int    `json:"remaining"`
}

func (in *instance) setupAdmin() {
	in.t.Helper()
	body := map[string]string{"username": "admin", "password": "correct horse battery", "token": in.setupToken()}
	if code := in.call("POST", "/api/setup", body, nil); code != 201 {
		in.t.Fatalf("setup: %d", code)
	}
}

// bundledDemoScript is the demo portal's script as the UI offers it.
func (in *instance) bundledDemoScript() string {
	in.t.Helper()
	var list []struct{ File, Source string }
	if code := in.call("GET", "/api/bundled-scripts", nil, &list); code != 200 {
		in.t.Fatalf("bundled scripts: %d", code)
	}
	for _, s := range list {
		if s.File == "demo.js" {
			return s.Source
		}
	}
	in.t.Fatal("no bundled demo.js")
	return ""
}

func (in *instance) addPortal(name, password string) portalJSON {
	in.t.Helper()
	var p portalJSON
	body := map[string]string{"name": name, "script": in.bundledDemoScript(), "url": in.portal + "/login", "username": "demo", "password": password}
	if code := in.call("POST", "/api/portals", body, &p); code != 201 {
		in.t.Fatalf("add portal: %d", code)
	}
	return p
}

// uploadQR sends an image as a user's upload and returns the status and the decoded answer.
func (in *instance) uploadQR(portalID int64, name string, image []byte) (int, map[string]any) {
	in.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("image", name)
	fw.Write(image)
	mw.Close()
	req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/api/portals/%d/totp", in.base, portalID), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var out map[string]any
	code := in.do(req, &out)
	return code, out
}

func (in *instance) startRun(portalID int64) runJSON {
	in.t.Helper()
	var r runJSON
	if code := in.call("POST", fmt.Sprintf("/api/portals/%d/runs", portalID), nil, &r); code != 202 {
		in.t.Fatalf("start run: %d", code)
	}
	return in.waitRun(r.ID)
}

var stepInLog = regexp.MustCompile(`time step (\d+)`)

// TestScreenshotToArchive is the user story end to end: a screenshot of the portal's 2FA page
// goes in, invoices come out, twice in a row, and a wrong password fails clearly.
func TestScreenshotToArchive(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	in.setupAdmin()
	demo := openDemo(t, in.portal)
	demo.signIn()
	shot, secret := demo.qrScreenshot()
	os.WriteFile(filepath.Join(artifactDir(t), "demo-portal-2fa-page.png"), shot, 0o644)

	p := in.addPortal("Nimbus Cloud", demoPassword)
	code, answer := in.uploadQR(p.ID, "screenshot.png", shot)
	if code != 200 {
		t.Fatalf("QR upload: %d %v", code, answer)
	}
	shown := answer["code"].(map[string]any)["code"].(string)
	if !regexp.MustCompile(`^\d{6}$`).MatchString(shown) {
		t.Fatalf("shown code %q is not 6 digits", shown)
	}
	if recovery := demo.confirm(shown); len(recovery) == 0 {
		t.Fatal("the portal did not accept the code billhound showed")
	}
	listed := demo.invoices()

	// First run: every invoice, with the numbers and dates the portal lists.
	first := in.startRun(p.ID)
	if first.Status != "succeeded" {
		t.Fatalf("first run %s: %s\n%s", first.Status, first.Error, first.logText())
	}
	if first.NewCount != len(listed) {
		t.Fatalf("first run saved %d invoices, the portal lists %d\n%s", first.NewCount, len(listed), first.logText())
	}
	var archived struct{ Items []invoiceJSON }
	in.call("GET", fmt.Sprintf("/api/invoices?portal=%d", p.ID), nil, &archived)
	byNumber := map[string]invoiceJSON{}
	for _, inv := range archived.Items {
		byNumber[inv.Number] = inv
	}
	for _, l := range listed {
		inv, ok := byNumber[l.number]
		if !ok {
			t.Fatalf("invoice %s is not in the archive", l.number)
		}
		if inv.Date != isoDate(t, l.date) || inv.ContentType != "application/pdf" || inv.Currency != "EUR" {
			t.Errorf("invoice %s archived as %+v; the portal shows %s %s", l.number, inv, l.date, l.amount)
		}
		wantFile := filepath.Join(in.data, "archive", "nimbus-cloud", inv.Date[:4], inv.Date+"_"+l.number+".pdf")
		onDisk, err := os.ReadFile(wantFile)
		if err != nil {
			t.Fatalf("archive file: %v", err)
		}
		req, _ := http.NewRequest("GET", in.base+inv.URL, nil)
		resp, err := in.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		got.ReadFrom(resp.Body)
		resp.Body.Close()
		if !bytes.Equal(got.Bytes(), onDisk) || !bytes.HasPrefix(onDisk, []byte("%PDF-")) || !bytes.Contains(onDisk, []byte(l.number)) {
			t.Fatalf("downloaded %s is not the archived PDF of %s", inv.URL, l.number)
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
			t.Errorf("download of %s: Content-Disposition %q", l.number, cd)
		}
	}

	// Second run right after: starts from the session the first one kept, needs no code, adds nothing.
	second := in.startRun(p.ID)
	if second.Status != "succeeded" || second.NewCount != 0 || second.KnownCount != len(listed) {
		t.Fatalf("second run: %s new=%d known=%d err=%q\n%s", second.Status, second.NewCount, second.KnownCount, second.Error, second.logText())
	}
	if log := second.logText(); !strings.Contains(log, "session restored") || stepInLog.MatchString(log) {
		t.Fatalf("the second run did not start signed in from the kept session:\n%s", log)
	}
	// With the session forgotten, the third logs in again: a later time step, never the same code.
	if code := in.call("DELETE", fmt.Sprintf("/api/portals/%d/session", p.ID), nil, nil); code != 204 {
		t.Fatalf("forget the session: %d", code)
	}
	third := in.startRun(p.ID)
	if third.Status != "succeeded" || third.NewCount != 0 {
		t.Fatalf("third run: %s new=%d err=%q\n%s", third.Status, third.NewCount, third.Error, third.logText())
	}
	s1, s3 := stepInLog.FindStringSubmatch(first.logText()), stepInLog.FindStringSubmatch(third.logText())
	if s1 == nil || s3 == nil || s1[1] >= s3[1] {
		t.Fatalf("2FA steps of the first and third runs: %v, %v", s1, s3)
	}

	// The command line works on the same data beside the running server.
	codeCLI, out, errOut := cli(t, nil, "invoices", "--json", "--data", in.data)
	var cliInvoices struct{ Items []map[string]any }
	if codeCLI != 0 || json.Unmarshal([]byte(out), &cliInvoices) != nil || len(cliInvoices.Items) != len(listed) {
		t.Fatalf("billhound invoices --json: exit %d, %s %s", codeCLI, out, errOut)
	}

	// A wrong password: a failed run that says why and shows the page.
	bad := in.addPortal("Nimbus wrong password", "not-the-password")
	failed := in.startRun(bad.ID)
	if failed.Status != "failed" || !strings.Contains(failed.Error, "Invalid username or password") {
		t.Fatalf("wrong password run: %s %q", failed.Status, failed.Error)
	}
	var shotURL string
	for _, a := range failed.Artifacts {
		if strings.HasSuffix(a.Name, ".png") {
			shotURL = a.URL
		}
	}
	if shotURL == "" {
		t.Fatalf("failed run has no screenshot: %+v", failed.Artifacts)
	}
	req, _ := http.NewRequest("GET", in.base+shotURL, nil)
	resp, err := in.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var png bytes.Buffer
	png.ReadFrom(resp.Body)
	resp.Body.Close()
	if !bytes.HasPrefix(png.Bytes(), []byte("\x89PNG")) || png.Len() < 1000 {
		t.Fatalf("failure screenshot is not a PNG (%d bytes)", png.Len())
	}
	os.WriteFile(filepath.Join(artifactDir(t), "wrong-password-failure.png"), png.Bytes(), 0o644)

	// Secrets are not in the database file, its WAL, the run logs or artifacts.
	assertNoSecrets(t, in.data, []string{demoPassword, "not-the-password", secret})
}

func assertNoSecrets(t *testing.T, dataDir string, secrets []string) {
	t.Helper()
	filepath.Walk(dataDir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || filepath.Base(path) == "secret.key" {
			return nil
		}
		data, _ := os.ReadFile(path)
		for _, s := range secrets {
			if s != "" && bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains the secret %q", path, s[:3]+"…")
			}
		}
		return nil
	})
}
