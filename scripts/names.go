package scripts

import (
	"reflect"
	"strings"
	"unicode"
)

// This file is the one place where the engine's JavaScript names live.
//
//   - jsName turns a Go method or field name into its JS name (lowerCamel).
//   - api lists every interface a script can reach and every member of it. The field-name mapper
//     installed on each runtime exposes exactly these methods, engine.go binds the globals from
//     it, dts.go writes api.d.ts from it, and names_test.go checks it against the Go types, so a
//     name cannot drift between the bindings, the editor's autocompletion and the tests.

// jsName maps a Go name to its JS name: the leading capital (or leading acronym) is lowered, so
// Goto → goto, SavePage → savePage, WaitForURL → waitForURL, URL → url, TOTP → totp,
// JSON → json, OK → ok.
func jsName(goName string) string {
	if js, ok := nameExceptions[goName]; ok {
		return js
	}
	r := []rune(goName)
	n := 0 // length of the leading upper-case run
	for n < len(r) && unicode.IsUpper(r[n]) {
		n++
	}
	switch {
	case n == 0:
		return goName
	case n == len(r): // all caps: an acronym
		return strings.ToLower(goName)
	case n > 1: // an acronym followed by a word: URLFor → urlFor
		n--
	}
	for i := 0; i < n; i++ {
		r[i] = unicode.ToLower(r[i])
	}
	return string(r)
}

// nameExceptions are Go names whose JS name does not follow jsName's rule. Empty so far: add
// here rather than in a binding.
var nameExceptions = map[string]string{}

// member is one name on a JS interface.
type member struct {
	Go    string // the Go method or field behind it; its JS name is jsName(Go)
	TS    string // the TypeScript signature after the name: "(sel: string): void", or ": string" for a value
	Doc   string // one line for the editor tooltip and api.d.ts
	Value bool   // a property (a struct field, or a global value), not a method
}

// iface is one JS interface: a Go type whose methods (and fields) scripts call.
type iface struct {
	Name    string       // TypeScript interface name; "" for the global scope
	Go      reflect.Type // the Go type behind it (a pointer to the binding struct)
	Doc     string
	Members []member
}

// api is the whole surface a portal script sees: SCRIPT_API.md version 1 plus documented
// additions (marked "addition" in their Doc). Never rename or remove a name here; add.
var api = []iface{
	{
		Name: "", Go: reflect.TypeFor[*globalsAPI](),
		Members: []member{
			{Go: "Page", Value: true, TS: ": Page", Doc: "The browser tab of this run."},
			{Go: "Credentials", Value: true, TS: ": Readonly<Record<string, string>>", Doc: "The portal's credential fields, e.g. credentials.username and credentials.password (frozen)."},
			{Go: "Since", Value: true, TS: ": Date | null", Doc: "When this portal's last successful run was, or null."},
			{Go: "Portal", Value: true, TS: ": Readonly<PortalInfo>", Doc: "Addition: the portal being run (name and URL)."},
			{Go: "Console", Value: true, TS: ": Console", Doc: "Lines in the run log, like the browser's console."},
			{Go: "Auto", Value: true, TS: ": Auto", Doc: "Heuristics that need no selectors."},
			{Go: "Session", Value: true, TS: ": Session", Doc: "Addition: the browser session billhound keeps for this portal between runs."},
			{Go: "Fail", Value: true, TS: ": Fail", Doc: "Addition: end the run with a failure kind, e.g. fail.credentials(\"Invalid password\"), so billhound shows the right hint and retries only what is worth retrying."},
			{Go: "TOTP", TS: "(): string", Doc: "The current code for this portal's TOTP secret; replay-safe (waits for a fresh time step when needed). Throws if the portal has no secret."},
			{Go: "RecoveryCode", TS: "(): string", Doc: "Addition: one of the portal's stored one-time recovery codes, for a portal that asks for one instead of a 2FA code. It is marked used for good (never handed out again); throws when none is left."},
			{Go: "Download", TS: "(target: string | Element, meta?: Meta): SaveResult", Doc: "Save an invoice: click a selector or Element and capture the download, or fetch a URL (absolute, or relative to the page: start it with /, ./ or ../) with the browser's cookies. An HTML answer (a login page) is refused: save HTML receipts with page.goto() and savePage()."},
			{Go: "SavePage", TS: "(meta?: Meta): SaveResult", Doc: "Save the current page printed to PDF (for HTML receipts)."},
			{Go: "Known", TS: "(id: string | number): boolean", Doc: "True if an invoice with this portal invoice id is already in the archive."},
			{Go: "Log", TS: "(...args: any[]): void", Doc: "A line in the run log; objects are written as JSON."},
			{Go: "Sleep", TS: "(ms: number): void", Doc: "Pause for ms milliseconds."},
			{Go: "Ask", TS: "(prompt: string, opts?: AskOptions): string | true", Doc: "Addition: pause and ask the user (in the web UI, a notification or the terminal): a code (opts.kind \"code\", the default), a line of text (\"text\") or a confirmation such as \"I approved the sign-in in the app\" (\"confirm\", returns true). The run shows \"waiting for you\"; the wait does not count against the run's time limit. Throws \"nobody answered within …\" after opts.timeout."},
			{Go: "Mail", Value: true, TS: ": Mail", Doc: "Addition: one-time codes from the mailbox set up in billhound's settings."},
			{Go: "SMS", Value: true, TS: ": SMS", Doc: "Addition: one-time codes from billhound's SMS inbox (an SMS forwarder app on the phone posts to it)."},
		},
	},
	{
		Name: "Page", Go: reflect.TypeFor[*pageAPI](),
		Doc: "The browser tab (page) or one of its iframes (page.frame(sel)). Every call blocks until done or throws an Error naming the call, the selector and the page URL.",
		Members: []member{
			{Go: "Goto", TS: "(url: string): void", Doc: "Navigate (relative URLs resolve against the portal URL) and wait for the load event."},
			{Go: "Fill", TS: "(sel: string, value: string): void", Doc: "Wait until the element is visible and editable, then set its value."},
			{Go: "Type", TS: "(sel: string, text: string): void", Doc: "Type key by key (for fields that react to key events)."},
			{Go: "Click", TS: "(sel: string): void", Doc: "Wait until visible and enabled, then click."},
			{Go: "Press", TS: "(sel: string, key: string): void", Doc: "Press a key such as \"Enter\" in the element."},
			{Go: "Select", TS: "(sel: string, value: string): void", Doc: "Choose an option of a <select> by value or label."},
			{Go: "Check", TS: "(sel: string): void", Doc: "Tick a checkbox."},
			{Go: "WaitFor", TS: "(sel: string, opts?: WaitForOptions): void", Doc: "Wait for the element to reach opts.state (visible by default)."},
			{Go: "WaitForURL", TS: "(part: string | RegExp, opts?: WaitForURLOptions): void", Doc: "Wait until the URL contains part (or matches the RegExp) and the page has loaded."},
			{Go: "Exists", TS: "(sel: string): boolean", Doc: "True if at least one element matches now; never waits."},
			{Go: "Text", TS: "(sel: string): string", Doc: "Trimmed inner text of the first match."},
			{Go: "Attr", TS: "(sel: string, name: string): string | null", Doc: "Attribute of the first match, or null."},
			{Go: "All", TS: "(sel: string): Element[]", Doc: "Every element matching now (may be empty); never waits."},
			{Go: "URL", TS: "(): string", Doc: "The current URL."},
			{Go: "Content", TS: "(): string", Doc: "The current HTML."},
			{Go: "Evaluate", TS: "(src: string, arg?: any): any", Doc: "Run src (a function's source or an expression) in the page and return its JSON-able result."},
			{Go: "Frame", TS: "(sel: string): Page", Doc: "A page-like object for the iframe matching sel."},
			{Go: "Fetch", TS: "(url: string, opts?: FetchOptions): FetchResponse", Doc: "An HTTP request with the browser's cookies (relative URLs resolve against the page)."},
			{Go: "Screenshot", TS: "(label?: string): void", Doc: "Save a screenshot of the page to this run's artifacts."},
		},
	},
	{
		Name: "Element", Go: reflect.TypeFor[*elementAPI](),
		Doc: "One element found by page.all() or Element.find()/all().",
		Members: []member{
			{Go: "Text", TS: "(): string", Doc: "Trimmed inner text."},
			{Go: "Attr", TS: "(name: string): string | null", Doc: "An attribute, or null."},
			{Go: "Click", TS: "(): void", Doc: "Wait until visible and enabled, then click."},
			{Go: "Fill", TS: "(value: string): void", Doc: "Wait until visible and editable, then set the value."},
			{Go: "Find", TS: "(sel: string): Element | null", Doc: "The first match inside this element, or null; never waits."},
			{Go: "All", TS: "(sel: string): Element[]", Doc: "Every match inside this element; never waits."},
		},
	},
	{
		Name: "FetchResponse", Go: reflect.TypeFor[*fetchResponse](),
		Doc: "The answer to page.fetch().",
		Members: []member{
			{Go: "Status", Value: true, TS: ": number", Doc: "HTTP status code."},
			{Go: "OK", Value: true, TS: ": boolean", Doc: "Addition: true for a 2xx status."},
			{Go: "URL", Value: true, TS: ": string", Doc: "Addition: the final URL after redirects."},
			{Go: "Headers", Value: true, TS: ": Readonly<Record<string, string>>", Doc: "Response headers, names in lower case."},
			{Go: "Text", TS: "(): string", Doc: "The body as text."},
			{Go: "JSON", TS: "(): any", Doc: "The body parsed as JSON; throws if it is not JSON."},
		},
	},
	{
		Name: "Console", Go: reflect.TypeFor[*consoleAPI](),
		Doc: "Lines in the run log. Arguments are joined by spaces; objects are written as JSON.",
		Members: []member{
			{Go: "Log", TS: "(...args: any[]): void", Doc: "An info line."},
			{Go: "Info", TS: "(...args: any[]): void", Doc: "An info line."},
			{Go: "Warn", TS: "(...args: any[]): void", Doc: "A warning line."},
			{Go: "Error", TS: "(...args: any[]): void", Doc: "An error line."},
		},
	},
	{
		Name: "Session", Go: reflect.TypeFor[*sessionAPI](),
		Doc: "Addition: after a successful run billhound keeps the browser's cookies and local storage (sealed like a password) and starts the next run from them, so a portal that remembers the device does not ask for a login or a code again. A kept session that no longer works simply leads to a normal login.",
		Members: []member{
			{Go: "Restored", Value: true, TS: ": boolean", Doc: "True when this run's browser started from a kept session (or a kept @profile persistent profile)."},
			{Go: "Forget", TS: "(): void", Doc: "Drop the kept session now and keep none after this run: the next run logs in from scratch."},
		},
	},
	{
		Name: "Auto", Go: reflect.TypeFor[*autoAPI](),
		Doc: "Heuristics that need no selectors.",
		Members: []member{
			{Go: "Login", TS: "(opts?: LoginOptions): void", Doc: "Log in the way a password manager fills forms: username/email and password (also on two successive pages), then a one-time code via totp() if one is asked for (one field or a row of one-character boxes), ticking a \"remember this device\" checkbox when there is one. Returns at once when the page shows no login form (already signed in, e.g. from a kept session). Throws with a screenshot when it cannot tell."},
		},
	},
	{
		Name: "Fail", Go: reflect.TypeFor[*failAPI](),
		Doc: "Addition: each method throws an Error with the message given (quote the portal's own words) and marks the run with that kind; the kind holds even if the script catches the error and throws another.",
		Members: []member{
			{Go: "Credentials", TS: "(message?: string): never", Doc: "The portal refused the username or password."},
			{Go: "CodeRejected", TS: "(message?: string): never", Doc: "The portal refused the 2FA code."},
			{Go: "CodeUnavailable", TS: "(message?: string): never", Doc: "The portal asks for a code billhound cannot get (an SMS code, no 2FA secret)."},
			{Go: "Captcha", TS: "(message?: string): never", Doc: "A captcha or bot check stands in the way."},
			{Go: "ActionNeeded", TS: "(message?: string): never", Doc: "The user must act at the portal first: new terms, a password change, a locked account."},
			{Go: "PortalChanged", TS: "(message?: string): never", Doc: "The page is not what the script expects (an element is missing)."},
			{Go: "Timeout", TS: "(message?: string): never", Doc: "The portal took too long (retried later by itself)."},
			{Go: "Unreachable", TS: "(message?: string): never", Doc: "The portal is down or answers with errors (retried later by itself)."},
			{Go: "ScriptError", TS: "(message?: string): never", Doc: "Anything else: a bug in the script."},
		},
	},
	{
		Name: "Mail", Go: reflect.TypeFor[*mailAPI](),
		Doc: "Addition: one-time codes sent by e-mail, read from the mailbox set up in billhound's settings (IMAP).",
		Members: []member{
			{Go: "Code", TS: "(opts?: MailCodeOptions): string", Doc: "Wait for the newest e-mail that arrived after the run started and matches opts, and return the code in it (subject and text). The wait does not count against the run's time limit."},
		},
	},
	{
		Name: "SMS", Go: reflect.TypeFor[*smsAPI](),
		Doc: "Addition: one-time codes sent by SMS, forwarded to billhound's SMS inbox by an app on the phone.",
		Members: []member{
			{Go: "Code", TS: "(opts?: SMSCodeOptions): string", Doc: "Wait for the newest SMS that arrived after the run started and matches opts, and return the code in it. The wait does not count against the run's time limit."},
		},
	},
}

// dataType is a plain object passed between script and engine, declared from a Go struct
// through the same mapper. TS overrides the TypeScript type of fields (by Go field name) where
// scripts may pass more than the Go type says (a Date for a date string).
type dataType struct {
	Name  string
	Go    reflect.Type
	Doc   string
	Input bool              // passed by scripts: every field optional
	TS    map[string]string // Go field name → TypeScript type
	Docs  map[string]string // Go field name → doc line
}

var dataTypes = []dataType{
	{
		Name: "Meta", Go: reflect.TypeFor[Meta](), Input: true,
		Doc: "What download() and savePage() record about an invoice. All optional.",
		TS:  map[string]string{"ID": "string | number", "Date": "Date | string", "Amount": "number | string"},
		Docs: map[string]string{
			"ID":       "The portal's invoice number: the dedupe key.",
			"Date":     "A Date or a date string in any common format: 2024-03-01, 01.03.2024, Mar 1, 2024.",
			"Amount":   "A number or a string such as \"1.234,56 €\".",
			"Currency": "e.g. \"EUR\".",
			"Title":    "A short description.",
		},
	},
	{
		Name: "SaveResult", Go: reflect.TypeFor[SaveResult](),
		Doc: "What download() and savePage() return.",
		Docs: map[string]string{
			"Saved":     "True if a new file was archived.",
			"Duplicate": "True if the archive already had this invoice (same id or same content).",
			"Path":      "Where the file is (or already was) in the archive.",
		},
	},
	{
		Name: "WaitForOptions", Go: reflect.TypeFor[waitForOptions](), Input: true,
		TS: map[string]string{"State": `"visible" | "hidden" | "attached" | "detached"`},
		Docs: map[string]string{
			"State":   "What to wait for; default \"visible\".",
			"Timeout": "Milliseconds; default the engine's action timeout (30 s), never past the run's limit.",
		},
	},
	{
		Name: "WaitForURLOptions", Go: reflect.TypeFor[waitForURLOptions](), Input: true,
		Doc:  "Addition.",
		Docs: map[string]string{"Timeout": "Milliseconds; default the engine's action timeout (30 s), never past the run's limit."},
	},
	{
		Name: "FetchOptions", Go: reflect.TypeFor[fetchOptions](), Input: true,
		TS: map[string]string{"Body": "string | object", "Headers": "Record<string, string>"},
		Docs: map[string]string{
			"Method":  "Default \"GET\".",
			"Headers": "Request headers.",
			"Body":    "A string is sent as is; an object as JSON (with Content-Type: application/json unless set).",
			"Timeout": "Addition: milliseconds; default the engine's action timeout.",
		},
	},
	{
		Name: "LoginOptions", Go: reflect.TypeFor[loginOptions](), Input: true,
		Docs: map[string]string{"URL": "Go to this URL first (relative URLs resolve against the portal URL)."},
	},
	{
		Name: "AskOptions", Go: reflect.TypeFor[askOptions](), Input: true,
		Doc: "Addition: what ask() asks for.",
		TS:  map[string]string{"Kind": `"code" | "text" | "confirm" | "takeover"`},
		Docs: map[string]string{
			"Kind":    "\"code\" (default: a one-time code from an SMS, an e-mail or an app; the phone offers it from the SMS), \"text\", \"confirm\", or \"takeover\" (the user handles the page in the run page's live view: a captcha, \"is it you?\"; returns true).",
			"Timeout": "Milliseconds to wait for the answer; default 10 minutes, at most 30.",
			"Until":   "Kind \"takeover\": a selector; the wait ends when it matches (or when the user presses Done).",
		},
	},
	{
		Name: "MailCodeOptions", Go: reflect.TypeFor[mailCodeOptions](), Input: true,
		Doc: "Addition: which e-mail holds the code.",
		TS:  map[string]string{"Pattern": "RegExp | string"},
		Docs: map[string]string{
			"From":    "Part of the sender's address or name (any case).",
			"Subject": "Part of the subject (any case).",
			"Pattern": "Where the code is: the first group if the pattern has one, else the whole match; default a number of 4 to 8 digits.",
			"Timeout": "Milliseconds to wait for the e-mail; default 2 minutes.",
		},
	},
	{
		Name: "SMSCodeOptions", Go: reflect.TypeFor[smsCodeOptions](), Input: true,
		Doc: "Addition: which SMS holds the code.",
		TS:  map[string]string{"Pattern": "RegExp | string"},
		Docs: map[string]string{
			"From":    "Part of the sender (a number or a name, any case).",
			"Pattern": "Where the code is: the first group if the pattern has one, else the whole match; default a number of 4 to 8 digits.",
			"Timeout": "Milliseconds to wait for the SMS; default 2 minutes.",
		},
	},
	{
		Name: "PortalInfo", Go: reflect.TypeFor[PortalInfo](),
		Docs: map[string]string{"Name": "The portal's name in billhound.", "URL": "The portal's URL (where relative page.goto() paths resolve)."},
	},
}

// lookup returns the interface for a Go type and whether the type is part of the API.
func lookup(t reflect.Type) (*iface, bool) {
	for i := range api {
		if api[i].Go == t {
			return &api[i], true
		}
	}
	return nil, false
}

// hasMethod reports whether jsMethod is a method (not a value) of the interface.
func (f *iface) hasMethod(jsMethod string) bool {
	for _, m := range f.Members {
		if !m.Value && jsName(m.Go) == jsMethod {
			return true
		}
	}
	return false
}

func (f *iface) member(goName string) (member, bool) {
	for _, m := range f.Members {
		if m.Go == goName {
			return m, true
		}
	}
	return member{}, false
}

// fieldMapper is the goja.FieldNameMapper installed on every runtime. For the API types it
// exposes exactly the members listed in api; other structs handed to JS (SaveResult) get
// lowerCamel or json-tag names; Go errors stay opaque.
type fieldMapper struct{}

var errorType = reflect.TypeFor[error]()

func (fieldMapper) FieldName(t reflect.Type, f reflect.StructField) string {
	if t.Implements(errorType) || reflect.PointerTo(t).Implements(errorType) {
		return ""
	}
	if in, ok := lookup(reflect.PointerTo(t)); ok {
		if m, ok := in.member(f.Name); ok && m.Value {
			return jsName(f.Name)
		}
		return ""
	}
	if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag != "" {
		if tag == "-" {
			return ""
		}
		return tag
	}
	return jsName(f.Name)
}

func (fieldMapper) MethodName(t reflect.Type, m reflect.Method) string {
	if t.Implements(errorType) {
		return ""
	}
	if in, ok := lookup(t); ok {
		if mem, ok := in.member(m.Name); ok && !mem.Value {
			return jsName(m.Name)
		}
		return ""
	}
	return "" // no other Go methods are callable from scripts
}
