package server

import (
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"
)

// apiDoc describes one route for /api/openapi.json. TestOpenAPIMatchesRoutes walks the
// router: a route without a line here, or a line without a route, fails it.
type apiDoc struct {
	tag, summary string
	public       bool // answers without a session or token
}

var apiDocs = map[string]apiDoc{
	"GET /api/setup":                              {"account", "Whether the admin account still has to be created", true},
	"POST /api/setup":                             {"account", "Create the admin account with the one-time token from the log", true},
	"POST /api/login":                             {"account", "Sign in with username and password (starts a session cookie)", true},
	"POST /api/login/2fa":                         {"account", "Finish a sign-in with the two-factor code", true},
	"POST /api/inbox/sms":                         {"inbox", "An SMS forwarder posts a text message (the SMS inbox's own token)", true},
	"POST /api/logout":                            {"account", "End this session", false},
	"GET /api/me":                                 {"account", "The signed-in user and their two-factor status", false},
	"POST /api/logout-everywhere":                 {"account", "End every session of the account", false},
	"POST /api/account/2fa/setup":                 {"account", "Start turning on two-factor login (session only, not with an API token)", false},
	"POST /api/account/2fa/activate":              {"account", "Confirm two-factor login with a code (session only)", false},
	"POST /api/account/2fa/deactivate":            {"account", "Turn off two-factor login (session only)", false},
	"GET /api/account/tokens":                     {"account", "List personal API tokens (session only)", false},
	"POST /api/account/tokens":                    {"account", "Create a personal API token {name}; the token is shown once (session only)", false},
	"DELETE /api/account/tokens/:id":              {"account", "Revoke a personal API token (session only)", false},
	"GET /api/openapi.json":                       {"meta", "This description", false},
	"GET /api/bundled-scripts":                    {"portals", "The portal scripts that come with billhound", false},
	"GET /api/portals":                            {"portals", "List portals with their last run and invoice counts", false},
	"POST /api/portals":                           {"portals", "Add a portal", false},
	"GET /api/portals/:id":                        {"portals", "One portal", false},
	"PUT /api/portals/:id":                        {"portals", "Change a portal", false},
	"DELETE /api/portals/:id":                     {"portals", "Delete a portal with its runs and invoices", false},
	"PUT /api/portals/:id/totp":                   {"portals", "Store the portal's 2FA secret (otpauth URI, secret or QR image upload)", false},
	"GET /api/portals/:id/totp/code":              {"portals", "The portal's current 2FA code", false},
	"DELETE /api/portals/:id/totp":                {"portals", "Forget the portal's 2FA secret", false},
	"PUT /api/portals/:id/recovery-codes":         {"portals", "Store the portal's recovery codes", false},
	"POST /api/portals/:id/recovery-codes/reveal": {"portals", "Show the portal's recovery codes", false},
	"DELETE /api/portals/:id/recovery-codes":      {"portals", "Forget the portal's recovery codes", false},
	"DELETE /api/portals/:id/session":             {"portals", "Forget the portal's kept login session", false},
	"POST /api/portals/:id/runs":                  {"runs", "Queue a run of the portal", false},
	"POST /api/portals/:id/handoff":               {"twofa", "Make a one-time link for a phone to upload a photo of the portal's QR code", false},
	"GET /api/portals/:id/handoff":                {"twofa", "Whether the phone uploaded its photo yet", false},
	"POST /api/portals/:id/handoff/send":          {"twofa", "Send the phone link through the notification channels", false},
	"GET /api/handoff/:token":                     {"twofa", "The phone page: which portal the one-time link is for (the link's token only)", true},
	"PUT /api/handoff/:token/image":               {"twofa", "The phone uploads the photo of the QR code (the link's token only, once)", true},
	"POST /api/import":                            {"twofa", "Read an authenticator app's export and list its accounts (never the secrets)", false},
	"POST /api/import/:ref/assign":                {"twofa", "Put accounts of a read export into portals", false},
	"GET /api/runs":                               {"runs", "Recent runs (?portal=ID)", false},
	"GET /api/runs/:id":                           {"runs", "One run with its log", false},
	"GET /api/runs/:id/artifacts/:name":           {"runs", "A screenshot or page saved by a failed run", false},
	"GET /api/runs/:id/live":                      {"runs", "The live view of a run (WebSocket)", false},
	"POST /api/runs/:id/answer":                   {"runs", "Answer the question a run waits on", false},
	"GET /api/questions":                          {"runs", "Runs that wait for the user", false},
	"GET /api/settings/notifications":             {"settings", "Notification settings", false},
	"PUT /api/settings/notifications":             {"settings", "Change the notification settings", false},
	"POST /api/settings/notifications/test":       {"settings", "Send a test notification", false},
	"GET /api/settings/mailbox":                   {"settings", "The IMAP mailbox codes are read from", false},
	"PUT /api/settings/mailbox":                   {"settings", "Change the IMAP mailbox", false},
	"GET /api/settings/sms":                       {"settings", "The SMS inbox's settings", false},
	"POST /api/settings/sms/token":                {"settings", "Make a new token for the SMS forwarder", false},
	"GET /api/invoices":                           {"invoices", "Archived invoices, a page at a time, filtered and searched", false},
	"GET /api/invoices/totals":                    {"invoices", "Invoice sums per month, portal and currency", false},
	"POST /api/invoices/zip":                      {"invoices", "Several invoices' files as one zip", false},
	"GET /api/invoices/:id":                       {"invoices", "One archived invoice", false},
	"GET /api/invoices/:id/file":                  {"invoices", "An invoice's file", false},
	"GET /healthz":                                {"operations", "Health: database, job queue, browser, free disk; 503 with reasons when not healthy", true},
	"GET /metrics":                                {"operations", "Prometheus metrics (an API token unless BILLHOUND_METRICS_PUBLIC=1)", false},
}

var pathParam = regexp.MustCompile(`:([a-z]+)`)

// openAPI builds the OpenAPI 3.1 document from apiDocs.
func openAPI() map[string]any {
	paths := map[string]map[string]any{}
	keys := make([]string, 0, len(apiDocs))
	for k := range apiDocs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d := apiDocs[k]
		method, path, _ := strings.Cut(k, " ")
		op := map[string]any{"tags": []string{d.tag}, "summary": d.summary, "responses": map[string]any{
			"200": map[string]any{"description": "OK"},
			"4XX": map[string]any{"description": "{\"error\": \"what went wrong and what to do\"}"},
		}}
		if d.public {
			op["security"] = []any{}
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			schema := map[string]string{"type": "string"}
			if m[1] == "id" {
				schema["type"] = "integer"
			}
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": schema})
		}
		if params != nil {
			op["parameters"] = params
		}
		p := pathParam.ReplaceAllString(path, "{$1}")
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "billhound", "version": "1",
			"description": "billhound's JSON API. Sign in for a session cookie, or send a personal API token as Authorization: Bearer. Errors are {\"error\": \"...\"}."},
		"paths": paths,
		"components": map[string]any{"securitySchemes": map[string]any{
			"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie},
			"token":   map[string]any{"type": "http", "scheme": "bearer"},
		}},
		"security": []any{map[string]any{"session": []any{}}, map[string]any{"token": []any{}}},
	}
}

func (s *Server) getOpenAPI(c echo.Context) error {
	return c.JSON(http.StatusOK, openAPI())
}
