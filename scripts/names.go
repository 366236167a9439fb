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
			{Go: "TOTP", TS: "(): string", Doc: "The current code for this portal's TOTP secret; replay-safe (waits for a fresh time step when needed). Throws if the portal has no secret."},
			{Go: "RecoveryCode", TS: "(): string", Doc: "Addition: one of the portal's stored one-time recovery codes, for a portal that asks for one instead of a 2FA code. It is marked used for good (never handed out again); throws when none is left."},
			{Go: "Download", TS: "(target: string | Element, meta?: Meta): SaveResult", Doc: "Save an invoice: click a selector or Element and capture the download, or fetch a URL (absolute, or relative to the page: start it with /, ./ or ../) with the browser's cookies. An HTML answer (a login page) is refused: save HTML receipts with page.goto() and savePage()."},
			{Go: "SavePage", TS: "(meta?: Meta): SaveResult", Doc: "Save the current page printed to PDF (for HTML receipts)."},
			{Go: "Known", TS: "(id: string | number): boolean", Doc: "True if an invoice with this portal invoice id is already in the archive."},
			{Go: "Log", TS: "(...args: any[]): void", Doc: "A line in the run log; objects are written as JSON."},
			{Go: "Sleep", TS: "(ms: number): void", Doc: "Pause for ms milliseconds."},
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
		Name: "Auto", Go: reflect.TypeFor[*autoAPI](),
		Doc: "Heuristics that need no selectors.",
		Members: []member{
			{Go: "Login", TS: "(opts?: LoginOptions): void", Doc: "Log in the way a password manager fills forms: username/email and password (also on two successive pages), then a one-time code via totp() if one is asked for. Throws with a screenshot when it cannot tell."},
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
