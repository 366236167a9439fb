// Package scripts runs portal scripts: user-written JavaScript that logs into one portal and hands
// its invoices to billhound. The contract scripts are written against is SCRIPT_API.md (version
// 1); every name in it works exactly as written, and additions are marked in api.d.ts.
//
// # A run
//
// The runner opens a fresh browser context (browser.Manager.NewContext, BaseURL = the portal's
// URL), creates a page and calls Engine.Run with the script, the page and a Host: its side of
// the run (credentials, TOTP codes, the archive, the run log, artifacts). Run
//
//   - compiles the script (syntax errors come back as a *ScriptError with the line);
//   - creates a fresh goja runtime: field-name mapper from names.go, a call-stack limit, no
//     require, no filesystem, no environment — only the contract's globals plus `portal`;
//   - runs it under context.WithTimeout(limit) with context.AfterFunc → rt.Interrupt, so busy
//     JavaScript stops at the limit; host calls cannot be interrupted by goja, so every one of
//     them waits at most min(ActionTimeout, time left) in Playwright and returns when the run's
//     context ends (see await in session.go);
//   - maps the outcome: nil, *ScriptError ("demo.js:12: login failed: …"), *TimeoutError
//     (errors.Is(err, ErrTimeout)), or the parent context's cause.
//
// Run does not close the page: the runner keeps a screenshot and the HTML on failure, then
// closes the context, which also ends any browser call still pending after a timeout (a page
// stuck in its own JavaScript cannot be screenshotted either, so bound that with a timeout).
//
// # Errors scripts see
//
// Every host call is synchronous and, on failure, throws an Error whose message names the call,
// its selector and the page URL, in a sentence rather than Playwright's call log:
//
//	page.click("#nope"): no element matched within 30s on http://127.0.0.1:9911/login
//	page.all("tr")[2].find("a.pdf").click(): the element stayed disabled for 30s on https://…
//	download("/files/x.pdf"): the server answered 403 Forbidden for https://…/files/x.pdf on https://…
//
// Values typed into fields never appear in messages, and every secret of the portal (in any
// escaped or encoded form, see package redact) is replaced by [redacted] in log lines and script
// errors. page.screenshot() covers password and code fields and anything showing a secret.
//
// # Files
//
//	engine.go        Engine, Run, compile, outcome → errors
//	session.go       per-run state; host-call helpers: labels, budgets, await
//	names.go         the one name table and the Go→JS name mapper
//	args.go          JS argument and options conversion
//	bind_globals.go  totp, known, sleep, log            bind_console.go  console.*
//	bind_page.go     page.* (and page.frame objects)    bind_element.go  Element
//	bind_download.go download, savePage                 bind_fetch.go    page.fetch
//	bind_auto.go     auto.login (+ auto_scan.js, which runs in the page)
//	header.go        ParseHeader (the ==Portal== block)
//	errors.go        ScriptError, ErrTimeout, call errors
//	dts.go, api.d.ts TypeScript declarations for the editor, generated from names.go
//
// # Adding a binding
//
// Add the Go method to the binding type (its JS name is jsName of the Go name), declare it in
// names.go with its TypeScript signature and a doc line, use it in a test script, bump
// TestBindingCount, and run `go generate ./scripts` to rewrite api.d.ts. The tests fail until all
// of that is done. Never rename or remove a name: scripts are shared between installations.
package scripts
