package failure

// Action is what fixes a failure, as the SPA and the CLI offer it. The SPA turns each into a
// button: a link to the portal's form, its 2FA section, its script, or the portal's own site.
type Action string

// The actions.
const (
	EditPassword Action = "edit_password" // the portal's form, at the password
	SetUp2FA     Action = "setup_2fa"     // the portal's page, at two-factor authentication
	OpenPortal   Action = "open_portal"   // the portal's own site, in a new tab
	EditScript   Action = "edit_script"   // the portal's form, at the script
	RunAgain     Action = "run_again"     // start a new run
)

// Hint is what the user reads about a kind: a title, one sentence on what to do, and the
// action that fixes it with its button label.
type Hint struct {
	Kind        Kind   `json:"kind"`
	Title       string `json:"title"`
	Hint        string `json:"hint"`
	Action      Action `json:"action"`
	ActionLabel string `json:"actionLabel"`
	Retryable   bool   `json:"retryable"`
}

// hints is the one table of what each kind means to a user.
var hints = map[Kind]Hint{
	Credentials: {Title: "Wrong username or password",
		Hint:   "The portal refused the login. Check the username and password stored for this portal (did you change the password at the portal?).",
		Action: EditPassword, ActionLabel: "Edit the password"},
	CodeRejected: {Title: "2FA code rejected",
		Hint:   "The portal refused the one-time code billhound made. The 2FA secret is probably outdated (2FA set up again at the portal?): set it up again with a fresh QR code.",
		Action: SetUp2FA, ActionLabel: "Set up 2FA again"},
	CodeUnavailable: {Title: "No way to get the 2FA code",
		Hint:   "The portal asks for a code billhound cannot make: give it the portal's 2FA secret (a screenshot of the QR code or the key).",
		Action: SetUp2FA, ActionLabel: "Set up 2FA"},
	Captcha: {Title: "Captcha or bot check",
		Hint:   "The portal showed a captcha. Sign in once yourself in a browser (that often lifts it for a while), then run again.",
		Action: OpenPortal, ActionLabel: "Open the portal's site"},
	ActionNeeded: {Title: "Action needed at the portal",
		Hint:   "The portal wants something from you first (new terms, a password change, an unlocked account). Sign in yourself, do it, then run again.",
		Action: OpenPortal, ActionLabel: "Open the portal's site"},
	PortalChanged: {Title: "The portal's page changed",
		Hint:   "An element the script waits for is not on the page: the portal changed its layout. Look at the screenshot and update the script's selectors.",
		Action: EditScript, ActionLabel: "Edit the script"},
	Timeout: {Title: "Took too long",
		Hint:   "The run hit its time limit, usually because the portal was very slow. It is tried again later by itself; raise BILLHOUND_RUN_TIMEOUT if it keeps happening.",
		Action: RunAgain, ActionLabel: "Run again"},
	Unreachable: {Title: "Portal unreachable",
		Hint:   "billhound could not reach the portal (no DNS answer, connection refused or a server error). It is tried again later by itself; check the portal's URL if it keeps happening.",
		Action: OpenPortal, ActionLabel: "Open the portal's site"},
	ScriptError: {Title: "Script error",
		Hint:   "The portal script stopped with an error. Read the error and the log, then fix the script.",
		Action: EditScript, ActionLabel: "Edit the script"},
}

// Describe returns the hint for k; an unknown kind reads as a script error.
func Describe(k Kind) Hint {
	h, ok := hints[k]
	if !ok {
		k = ScriptError
		h = hints[k]
	}
	h.Kind, h.Retryable = k, k.Retryable()
	return h
}
