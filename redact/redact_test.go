package redact_test

import (
	"bytes"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"html"
	"html/template"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"billhound/redact"
)

const password = `Hx9-Qv7&<b>"z'%20ü`

var (
	totpRaw    = []byte("0123456789abcdef") // 16 bytes: base32 needs padding
	totpSecret = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(totpRaw)
	codes      = []string{"7f3k-9q2m", "a1b2 c3d4 e5f6", "88124377"}
)

func newRedactor() *redact.Redactor {
	r := redact.New()
	r.Add(password, redact.Text)
	r.Add(totpSecret, redact.TOTPSecret)
	for _, c := range codes {
		r.Add(c, redact.RecoveryCode)
	}
	return r
}

// lowerHex writes percent-escapes in lower case, as some clients do.
func lowerHex(s string) string {
	return regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(s, strings.ToLower)
}

func jsonString(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s)
	out := strings.TrimSpace(b.String())
	return out[1 : len(out)-1]
}

func grouped(s string, n int, sep string) string {
	var parts []string
	for i := 0; i < len(s); i += n {
		parts = append(parts, s[i:min(i+n, len(s))])
	}
	return strings.Join(parts, sep)
}

// forms are the ways the test secrets show up in logs, URLs, pages and JSON, each made with the
// encoder that makes it in the wild.
func forms() map[string]string {
	query := url.QueryEscape(password)
	component := strings.NewReplacer("+", "%20", "%27", "'").Replace(query) // encodeURIComponent
	padded := base32.StdEncoding.EncodeToString(totpRaw)
	return map[string]string{
		"as typed":                         password,
		"upper case":                       strings.ToUpper(password),
		"lower case":                       strings.ToLower(password),
		"html.EscapeString":                html.EscapeString(password),
		"template.HTMLEscapeString":        template.HTMLEscapeString(password),
		"browser attribute (&quot; only)":  strings.NewReplacer("&", "&amp;", `"`, "&quot;").Replace(password),
		"browser text (&lt; &gt;)":         strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(password),
		"hex and named entities":           strings.NewReplacer("&", "&#x26;", "<", "&LT;", ">", "&#62;", `"`, "&#x22;", "'", "&#x27;", "ü", "&uuml;").Replace(password),
		"decimal entity for ü":             strings.NewReplacer("&", "&amp;", "'", "&#039;", "ü", "&#252;").Replace(password),
		"url.QueryEscape":                  query,
		"url.QueryEscape lower-case hex":   lowerHex(query),
		"url.PathEscape":                   url.PathEscape(password),
		"encodeURIComponent":               component,
		"form value":                       url.Values{"pw": {password}}.Encode()[3:],
		"percent-encoded twice":            url.QueryEscape(query),
		"JSON (Go, HTML-safe)":             jsonString(password, true),
		"JSON (plain)":                     jsonString(password, false),
		"JSON (ASCII only)":                strings.Trim(strconv.QuoteToASCII(password), `"`),
		"template.JSEscapeString":          template.JSEscapeString(password),
		"JSON inside an HTML attribute":    html.EscapeString(jsonString(password, true)),
		"TOTP secret":                      totpSecret,
		"TOTP secret lower case":           strings.ToLower(totpSecret),
		"TOTP secret padded":               padded,
		"TOTP secret grouped lower case":   grouped(strings.ToLower(totpSecret), 4, " "),
		"TOTP secret grouped upper case":   grouped(totpSecret, 4, " "),
		"TOTP secret grouped with dashes":  grouped(totpSecret, 4, "-"),
		"TOTP secret as hex":               hex.EncodeToString(totpRaw),
		"TOTP secret grouped, URL-encoded": url.QueryEscape(grouped(strings.ToLower(totpSecret), 4, " ")),
		"recovery code as given":           codes[0],
		"recovery code without dash":       "7f3k9q2m",
		"recovery code upper case":         "7F3K-9Q2M",
		"recovery code with spaces":        codes[1],
		"recovery code compact":            "a1b2c3d4e5f6",
		"recovery code with dashes":        "a1b2-c3d4-e5f6",
		"recovery code of digits":          codes[2],
		"recovery code of digits grouped":  "8812 4377",
	}
}

// TestApplyHidesEveryForm, in a log line and in a long page (read around anchors).
func TestApplyHidesEveryForm(t *testing.T) {
	r := newRedactor()
	long := strings.Repeat("filler &amp; 20%20 \\n \\u00fc text<br>\n", 1000)
	for name, form := range forms() {
		in := "before " + form + " after"
		if got, want := r.Apply(in), "before "+redact.Mask+" after"; got != want {
			t.Errorf("%s: Apply(%q) = %q, want %q", name, in, got, want)
		}
		if got, want := r.Apply(long+in+long), long+"before "+redact.Mask+" after"+long; got != want {
			t.Errorf("%s: Apply of a long page leaves %q", name, strings.TrimSuffix(strings.TrimPrefix(got, long), long))
		}
		if !r.Contains(form) {
			t.Errorf("%s: Contains(%q) = false", name, form)
		}
	}
}

// TestApplyKeepsTheContext: only the secret goes, not the text around it.
func TestApplyKeepsTheContext(t *testing.T) {
	r := newRedactor()
	query := url.QueryEscape(password)
	for in, want := range map[string]string{
		jsonString("https://shop.example/login?pw="+query+"&next=/", true):                           `https://shop.example/login?pw=[redacted]\u0026next=/`,
		html.EscapeString("/login?a=1&pw=" + query + "&b=2"):                                         "/login?a=1&amp;pw=[redacted]&amp;b=2",
		"otpauth://totp/Shop:me?secret=" + totpSecret + "&issuer=Shop":                               "otpauth://totp/Shop:me?secret=[redacted]&issuer=Shop",
		`<input value="` + strings.ReplaceAll(html.EscapeString(password), "&#34;", "&quot;") + `">`: `<input value="[redacted]">`,
		"codes: " + strings.Join(codes, ", "):                                                        "codes: [redacted], [redacted], [redacted]",
	} {
		if got := r.Apply(in); got != want {
			t.Errorf("Apply(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestApplyLeavesOtherTextAlone(t *testing.T) {
	r := newRedactor()
	for _, text := range []string{
		"",
		"logged in as buyer",
		"Hx9-Qv7 is only part of it",
		"&amp; &lt; %20 \\u00fc \\n + %zz &#xZZ; \\u{110000} \\",
		"7f3k and 9q2m apart",
		"ÜBER ü",
	} {
		if got := r.Apply(text); got != text {
			t.Errorf("Apply(%q) = %q, want it unchanged", text, got)
		}
	}
	var nilRedactor *redact.Redactor
	if got := nilRedactor.Apply(password); got != password {
		t.Errorf("a nil Redactor changed the text: %q", got)
	}
}

func TestApplyMergesOverlappingSecrets(t *testing.T) {
	r := redact.New()
	r.Add("abcdef", redact.Text)
	r.Add("efghij", redact.Text)
	if got := r.Apply("xx abcdefghij yy abcdef"); got != "xx [redacted] yy [redacted]" {
		t.Errorf("got %q", got)
	}
}

func TestShortSecrets(t *testing.T) {
	r := redact.New()
	r.Add("123", redact.Text)
	r.Add(" ", redact.Text)
	if got := r.Apply("order 123 of 1234"); got != "order 123 of 1234" {
		t.Errorf("a 3-character secret was masked in text: %q", got)
	}
	if !r.Secret("123") || !r.Secret(" 123 ") {
		t.Error("a field holding exactly the short secret is not reported as secret")
	}
	if r.Secret("1234") || r.Secret("") {
		t.Error("a value that is not the short secret is reported as secret")
	}
	if !newRedactor().Secret("mine: " + password) {
		t.Error("a value holding the password is not reported as secret")
	}
}

// TestSecretsAddedLater: a one-time code handed out mid-run is hidden from then on.
func TestSecretsAddedLater(t *testing.T) {
	r := newRedactor()
	_ = r.Apply("warm up the matcher")
	r.Add("492011", redact.Text)
	if got := r.Apply("code 492011 sent"); got != "code [redacted] sent" {
		t.Errorf("got %q", got)
	}
}

func TestWriterFindsSecretsAcrossWrites(t *testing.T) {
	r := newRedactor()
	var page strings.Builder
	page.WriteString(strings.Repeat("<p>filler text, nothing secret</p>\n", 200))
	for _, f := range forms() {
		page.WriteString("<div>" + f + "</div>\n" + strings.Repeat("x", 37))
	}
	page.WriteString(strings.Repeat("tail ", 300))
	text := page.String()
	want := r.Apply(text)
	if strings.Contains(want, password) {
		t.Fatal("Apply left the password")
	}
	for _, size := range []int{1, 3, 7, 64, 1000, len(text)} {
		var out bytes.Buffer
		w := r.NewWriter(&out)
		for i := 0; i < len(text); i += size {
			if _, err := w.Write([]byte(text[i:min(i+size, len(text))])); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("writes of %d bytes: the stream differs from Apply", size)
		}
	}
}

func TestFormsOfATOTPSecret(t *testing.T) {
	got := strings.Join(redact.Forms("gezd gnbv gy3t qojq", redact.TOTPSecret), "|")
	for _, want := range []string{"GEZDGNBVGY3TQOJQ", "GEZD GNBV GY3T QOJQ", "GEZD-GNBV-GY3T-QOJQ", "GEZDGNBV GY3TQOJQ", "3132333435363738393"} {
		if !strings.Contains(got, want) {
			t.Errorf("forms %s lack %s", got, want)
		}
	}
}
