package exports_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"billhound/exports"
	"billhound/exports/exporttest"
	"billhound/notify"
	"billhound/store"
)

func TestFolderExportStaysInsideAndIsSentOnce(t *testing.T) {
	e := newEnv(t, "../../etc Evil/Co")
	dir := mkdir(t)
	e.target(t, "paperless", exports.KindFolder, exports.Config{Path: dir, Template: "{portal}/{year}/{date}_{number}.pdf"}, "")
	ids := e.archived(t)
	if err := e.svc.Deliver(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	files := exporttest.Files(t, dir)
	want := "_.._etc Evil_Co/2025/2025-03-14_INV-7.pdf"
	if len(files) != 1 || files[want] != string(e.pdf) {
		t.Fatalf("folder holds %v, want only %s with the PDF", keys(files), want)
	}
	x := e.export(t, ids[0])
	if x.Status != store.ExportSent || x.SentAt == nil || x.Remote != want || x.Attempts != 1 {
		t.Fatalf("export after sending: %+v", x)
	}
	// Never twice: the runner's hook again and another attempt change nothing.
	e.svc.InvoiceArchived(ctx, e.inv)
	if err := e.svc.Deliver(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if again, _ := e.st.ExportIDs(e.inv.ID, nil); len(again) != 1 || e.export(t, ids[0]).Attempts != 1 {
		t.Fatalf("a second hook or attempt sent again: %v, %+v", again, e.export(t, ids[0]))
	}
}

func TestTemplatesCannotLeaveTheFolder(t *testing.T) {
	for _, tmpl := range []string{"../{number}", "/etc/{number}", "a//b", "{portal}/./x", "{nope}.pdf", "{number", `a\..\b`} {
		if err := exports.CheckTemplate(tmpl); err == nil {
			t.Errorf("template %q accepted", tmpl)
		}
	}
	m := exports.Meta{ID: 3, Portal: "..", Number: "../../x", Date: "2025-01-02", FileName: "a.pdf"}
	got, err := exports.Render("{portal}/{month}/{number}.{ext}", m)
	if err != nil || got != "_/01/_.._x.pdf" {
		t.Fatalf("Render = %q, %v", got, err)
	}
	if _, err := exports.Render("{portal}", exports.Meta{Portal: "...", Date: "2025-01-02"}); err != nil {
		t.Fatal(err)
	}
}

func TestEmailExportAttachesTheInvoice(t *testing.T) {
	e := newEnv(t, "Hetzner")
	mb, port := exporttest.StartSMTP(t)
	set := notify.Settings{Email: notify.Email{Host: "127.0.0.1", Port: port, Security: notify.SecurityNone,
		From: "billhound@example.com", To: "me@example.com"}} // notifications by mail stay off
	if err := notify.Save(e.st, e.svc.Mail.Box, &set); err != nil {
		t.Fatal(err)
	}
	e.target(t, "accounting", exports.KindEmail, exports.Config{To: "inbox@books.example"}, "")
	ids := e.archived(t)
	if err := e.svc.Deliver(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	mails := mb.All()
	if len(mails) != 1 || mails[0].To[0] != "inbox@books.example" {
		t.Fatalf("mails: %+v", mails)
	}
	m, err := mail.ReadMessage(bytes.NewReader(mails[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if subj := m.Header.Get("Subject"); subj != "Invoice INV-7 from Hetzner (2025-03-14)" {
		t.Errorf("subject %q", subj)
	}
	name, data := attachment(t, m)
	if name != "Hetzner_2025-03-14_INV-7.pdf" || !bytes.Equal(data, e.pdf) {
		t.Fatalf("attachment %q (%d bytes), want the invoice", name, len(data))
	}
}

// attachment finds the mail's attached file.
func attachment(t *testing.T, m *mail.Message) (string, []byte) {
	t.Helper()
	_, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("no attachment: %v", err)
		}
		if p.FileName() != "" {
			raw, _ := io.ReadAll(p)
			data, err := decodeBase64(raw)
			if err != nil {
				t.Fatal(err)
			}
			return p.FileName(), data
		}
	}
}

func TestWebDAVDownFirstGetsItLaterExactlyOnce(t *testing.T) {
	e := newEnv(t, "Hetzner")
	dir := t.TempDir()
	port := exporttest.FreePort(t) // nothing listens yet
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/invoices"
	id := e.target(t, "nextcloud", exports.KindWebDAV, exports.Config{URL: url, Username: "billhound"}, "dav-pass-123")
	tg, _ := e.st.ExportTarget(id)
	if !exports.ViewOf(tg).SecretSet || strings.Contains(tg.Config, "dav-pass") {
		t.Fatalf("the password is not sealed apart: %+v", tg)
	}
	ids := e.archived(t)
	if err := e.svc.Deliver(ctx, ids[0]); err == nil {
		t.Fatal("an attempt against a server that is down succeeded")
	}
	x := e.export(t, ids[0])
	if x.Status != store.ExportFailed || !strings.Contains(x.LastError, "cannot reach the WebDAV server") ||
		x.NextAttemptAt == nil || x.NextAttemptAt.Sub(e.now) != time.Minute {
		t.Fatalf("after a failed attempt: %+v", x)
	}
	// Not due yet: nothing happens.
	if err := e.svc.Deliver(ctx, ids[0]); err != nil || e.export(t, ids[0]).Attempts != 1 {
		t.Fatalf("attempted before the backoff ended: %v %+v", err, e.export(t, ids[0]))
	}
	exporttest.StartWebDAV(t, dir, port, "billhound", "dav-pass-123")
	e.now = e.now.Add(61 * time.Second)
	if due, _ := e.svc.Due(e.now); len(due) != 1 {
		t.Fatalf("due: %v", due)
	}
	if err := e.svc.Deliver(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // more attempts, even a late duplicate job, send nothing
		e.now = e.now.Add(time.Hour)
		if err := e.svc.Deliver(ctx, ids[0]); err != nil {
			t.Fatal(err)
		}
	}
	files := exporttest.Files(t, dir)
	if len(files) != 1 || files["invoices/Hetzner/2025/2025-03-14_INV-7.pdf"] != string(e.pdf) {
		t.Fatalf("WebDAV folder holds %v", keys(files))
	}
	if x := e.export(t, ids[0]); x.Status != store.ExportSent || x.Attempts != 2 || x.LastError != "" {
		t.Fatalf("after the retry: %+v", x)
	}
}

func TestWebDAVWrongPasswordSaysSo(t *testing.T) {
	e := newEnv(t, "Hetzner")
	dav := exporttest.StartWebDAV(t, t.TempDir(), 0, "billhound", "right-pass")
	e.target(t, "nextcloud", exports.KindWebDAV, exports.Config{URL: dav.URL, Username: "billhound"}, "wrong-pass-9")
	ids := e.archived(t)
	e.svc.Deliver(ctx, ids[0])
	if x := e.export(t, ids[0]); !strings.Contains(x.LastError, "check the user name and password") {
		t.Fatalf("error %q", x.LastError)
	}
}

func TestWebhookSendsMetadataFileAndSignature(t *testing.T) {
	e := newEnv(t, "Hetzner")
	var mu sync.Mutex
	var got []*http.Request
	var metas, files []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts, _ := strconv.ParseInt(r.Header.Get(exports.HeaderTimestamp), 10, 64)
		if r.Header.Get(exports.HeaderSignature) != exports.Sign("hook-secret-42", ts, body) {
			http.Error(w, "bad signature", 401)
			return
		}
		_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r)
		for p, err := mr.NextPart(); err == nil; p, err = mr.NextPart() {
			b, _ := io.ReadAll(p)
			if p.FormName() == "metadata" {
				metas = append(metas, string(b))
			} else if p.FormName() == "file" {
				files = append(files, p.FileName()+":"+string(b))
			}
		}
	}))
	defer srv.Close()
	e.target(t, "hook", exports.KindWebhook, exports.Config{URL: srv.URL}, "hook-secret-42")
	ids := e.archived(t)
	if err := e.svc.Deliver(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Header.Get(exports.HeaderIdempotency) == "" {
		t.Fatalf("requests: %d", len(got))
	}
	if !strings.Contains(metas[0], `"number":"INV-7"`) || !strings.Contains(metas[0], `"sha256":"`+e.inv.SHA256+`"`) {
		t.Errorf("metadata %s", metas[0])
	}
	if files[0] != "Hetzner_2025-03-14_INV-7.pdf:"+string(e.pdf) {
		t.Errorf("file part %q", files[0])
	}
}

func TestFailingWebhookIsFailedWithARedactedReason(t *testing.T) {
	e := newEnv(t, "Hetzner")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "storage broken; you sent token "+r.Header.Get("X-Token"), 500) // echoes the secret
	}))
	defer srv.Close()
	e.target(t, "hook", exports.KindWebhook, exports.Config{URL: srv.URL, SecretHeader: "X-Token"}, "tok-SECRET-77")
	ids := e.archived(t)
	e.svc.Deliver(ctx, ids[0])
	x := e.export(t, ids[0])
	if x.Status != store.ExportFailed || !strings.Contains(x.LastError, "500") || strings.Contains(x.LastError, "tok-SECRET-77") {
		t.Fatalf("failed export: %+v", x)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A new invoice whose script gave no number waits for the text index to read one from the file,
// so the exported file is named by it rather than by an empty placeholder.
func TestExportWaitsForTheInvoicesText(t *testing.T) {
	e := newEnvNumber(t, "Hetzner", "")
	e.svc.TextWait = 10 * time.Second
	dir := mkdir(t)
	e.target(t, "paperless", exports.KindFolder, exports.Config{Path: dir, Template: "{date}_{number}.pdf"}, "")
	ids := e.archived(t)
	go func() { // the indexer: reads the file a moment later and fills what the script left out
		time.Sleep(400 * time.Millisecond)
		_ = e.st.FillInvoiceMeta(e.inv.ID, "R-2025-0042", "", "", "")
		_ = e.st.SetInvoiceText(e.inv.ID, "Invoice number R-2025-0042")
	}()
	if err := e.svc.Deliver(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if files := exporttest.Files(t, dir); files["2025-03-14_R-2025-0042.pdf"] == "" {
		t.Fatalf("folder holds %v, want the file named by the number read from its text", keys(files))
	}
}
