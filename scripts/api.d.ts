// Code generated from billhound/scripts/names.go; DO NOT EDIT.
// The globals a billhound portal script sees: portal script API version 1 (SCRIPT_API.md)
// plus the additions marked as such. Every call is synchronous and throws an Error whose
// message names the call, the selector and the page URL.
// Load this without the DOM lib (e.g. lib: ["es2020"]): it declares its own Element and console.

/** The browser tab (page) or one of its iframes (page.frame(sel)). Every call blocks until done or throws an Error naming the call, the selector and the page URL. */
interface Page {
  /** Navigate (relative URLs resolve against the portal URL) and wait for the load event. */
  goto(url: string): void;
  /** Wait until the element is visible and editable, then set its value. */
  fill(sel: string, value: string): void;
  /** Type key by key (for fields that react to key events). */
  type(sel: string, text: string): void;
  /** Wait until visible and enabled, then click. */
  click(sel: string): void;
  /** Press a key such as "Enter" in the element. */
  press(sel: string, key: string): void;
  /** Choose an option of a <select> by value or label. */
  select(sel: string, value: string): void;
  /** Tick a checkbox. */
  check(sel: string): void;
  /** Wait for the element to reach opts.state (visible by default). */
  waitFor(sel: string, opts?: WaitForOptions): void;
  /** Wait until the URL contains part (or matches the RegExp) and the page has loaded. */
  waitForURL(part: string | RegExp, opts?: WaitForURLOptions): void;
  /** True if at least one element matches now; never waits. */
  exists(sel: string): boolean;
  /** Trimmed inner text of the first match. */
  text(sel: string): string;
  /** Attribute of the first match, or null. */
  attr(sel: string, name: string): string | null;
  /** Every element matching now (may be empty); never waits. */
  all(sel: string): Element[];
  /** The current URL. */
  url(): string;
  /** The current HTML. */
  content(): string;
  /** Run src (a function's source or an expression) in the page and return its JSON-able result. */
  evaluate(src: string, arg?: any): any;
  /** A page-like object for the iframe matching sel. */
  frame(sel: string): Page;
  /** An HTTP request with the browser's cookies (relative URLs resolve against the page). */
  fetch(url: string, opts?: FetchOptions): FetchResponse;
  /** Save a screenshot of the page to this run's artifacts. */
  screenshot(label?: string): void;
}

/** One element found by page.all() or Element.find()/all(). */
interface Element {
  /** Trimmed inner text. */
  text(): string;
  /** An attribute, or null. */
  attr(name: string): string | null;
  /** Wait until visible and enabled, then click. */
  click(): void;
  /** Wait until visible and editable, then set the value. */
  fill(value: string): void;
  /** The first match inside this element, or null; never waits. */
  find(sel: string): Element | null;
  /** Every match inside this element; never waits. */
  all(sel: string): Element[];
}

/** The answer to page.fetch(). */
interface FetchResponse {
  /** HTTP status code. */
  readonly status: number;
  /** Addition: true for a 2xx status. */
  readonly ok: boolean;
  /** Addition: the final URL after redirects. */
  readonly url: string;
  /** Response headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text. */
  text(): string;
  /** The body parsed as JSON; throws if it is not JSON. */
  json(): any;
}

/** Lines in the run log. Arguments are joined by spaces; objects are written as JSON. */
interface Console {
  /** An info line. */
  log(...args: any[]): void;
  /** An info line. */
  info(...args: any[]): void;
  /** A warning line. */
  warn(...args: any[]): void;
  /** An error line. */
  error(...args: any[]): void;
}

/** Addition: after a successful run billhound keeps the browser's cookies and local storage (sealed like a password) and starts the next run from them, so a portal that remembers the device does not ask for a login or a code again. A kept session that no longer works simply leads to a normal login. */
interface Session {
  /** True when this run's browser started from a kept session (or a kept @profile persistent profile). */
  readonly restored: boolean;
  /** Drop the kept session now and keep none after this run: the next run logs in from scratch. */
  forget(): void;
}

/** Heuristics that need no selectors. */
interface Auto {
  /** Log in the way a password manager fills forms: username/email and password (also on two successive pages), then a one-time code via totp() if one is asked for (one field or a row of one-character boxes), ticking a "remember this device" checkbox when there is one. Returns at once when the page shows no login form (already signed in, e.g. from a kept session). Throws with a screenshot when it cannot tell. */
  login(opts?: LoginOptions): void;
}

/** Addition: each method throws an Error with the message given (quote the portal's own words) and marks the run with that kind; the kind holds even if the script catches the error and throws another. */
interface Fail {
  /** The portal refused the username or password. */
  credentials(message?: string): never;
  /** The portal refused the 2FA code. */
  codeRejected(message?: string): never;
  /** The portal asks for a code billhound cannot get (an SMS code, no 2FA secret). */
  codeUnavailable(message?: string): never;
  /** A captcha or bot check stands in the way. */
  captcha(message?: string): never;
  /** The user must act at the portal first: new terms, a password change, a locked account. */
  actionNeeded(message?: string): never;
  /** The page is not what the script expects (an element is missing). */
  portalChanged(message?: string): never;
  /** The portal took too long (retried later by itself). */
  timeout(message?: string): never;
  /** The portal is down or answers with errors (retried later by itself). */
  unreachable(message?: string): never;
  /** Anything else: a bug in the script. */
  scriptError(message?: string): never;
}

/** Addition: one-time codes sent by e-mail, read from the mailbox set up in billhound's settings (IMAP). */
interface Mail {
  /** Wait for the newest e-mail that arrived after the run started and matches opts, and return the code in it (subject and text). The wait does not count against the run's time limit. */
  code(opts?: MailCodeOptions): string;
}

/** Addition: one-time codes sent by SMS, forwarded to billhound's SMS inbox by an app on the phone. */
interface SMS {
  /** Wait for the newest SMS that arrived after the run started and matches opts, and return the code in it. The wait does not count against the run's time limit. */
  code(opts?: SMSCodeOptions): string;
}

/** What download() and savePage() record about an invoice. All optional. */
interface Meta {
  /** The portal's invoice number: the dedupe key. */
  id?: string | number;
  /** A Date or a date string in any common format: 2024-03-01, 01.03.2024, Mar 1, 2024. */
  date?: Date | string;
  /** A number or a string such as "1.234,56 €". */
  amount?: number | string;
  /** e.g. "EUR". */
  currency?: string;
  /** A short description. */
  title?: string;
}

/** What download() and savePage() return. */
interface SaveResult {
  /** True if a new file was archived. */
  saved: boolean;
  /** True if the archive already had this invoice (same id or same content). */
  duplicate: boolean;
  /** Where the file is (or already was) in the archive. */
  path: string;
}

interface WaitForOptions {
  /** What to wait for; default "visible". */
  state?: "visible" | "hidden" | "attached" | "detached";
  /** Milliseconds; default the engine's action timeout (30 s), never past the run's limit. */
  timeout?: number;
}

/** Addition. */
interface WaitForURLOptions {
  /** Milliseconds; default the engine's action timeout (30 s), never past the run's limit. */
  timeout?: number;
}

interface FetchOptions {
  /** Default "GET". */
  method?: string;
  /** Request headers. */
  headers?: Record<string, string>;
  /** A string is sent as is; an object as JSON (with Content-Type: application/json unless set). */
  body?: string | object;
  /** Addition: milliseconds; default the engine's action timeout. */
  timeout?: number;
}

interface LoginOptions {
  /** Go to this URL first (relative URLs resolve against the portal URL). */
  url?: string;
}

/** Addition: what ask() asks for. */
interface AskOptions {
  /** "code" (default: a one-time code from an SMS, an e-mail or an app; the phone offers it from the SMS), "text", "confirm", or "takeover" (the user handles the page in the run page's live view: a captcha, "is it you?"; returns true). */
  kind?: "code" | "text" | "confirm" | "takeover";
  /** Milliseconds to wait for the answer; default 10 minutes, at most 30. */
  timeout?: number;
  /** Kind "takeover": a selector; the wait ends when it matches (or when the user presses Done). */
  until?: string;
}

/** Addition: which e-mail holds the code. */
interface MailCodeOptions {
  /** Part of the sender's address or name (any case). */
  from?: string;
  /** Part of the subject (any case). */
  subject?: string;
  /** Where the code is: the first group if the pattern has one, else the whole match; default a number of 4 to 8 digits. */
  pattern?: RegExp | string;
  /** Milliseconds to wait for the e-mail; default 2 minutes. */
  timeout?: number;
}

/** Addition: which SMS holds the code. */
interface SMSCodeOptions {
  /** Part of the sender (a number or a name, any case). */
  from?: string;
  /** Where the code is: the first group if the pattern has one, else the whole match; default a number of 4 to 8 digits. */
  pattern?: RegExp | string;
  /** Milliseconds to wait for the SMS; default 2 minutes. */
  timeout?: number;
}

interface PortalInfo {
  /** The portal's name in billhound. */
  name: string;
  /** The portal's URL (where relative page.goto() paths resolve). */
  url: string;
}

/** The browser tab of this run. */
declare const page: Page;
/** The portal's credential fields, e.g. credentials.username and credentials.password (frozen). */
declare const credentials: Readonly<Record<string, string>>;
/** When this portal's last successful run was, or null. */
declare const since: Date | null;
/** Addition: the portal being run (name and URL). */
declare const portal: Readonly<PortalInfo>;
/** Lines in the run log, like the browser's console. */
declare const console: Console;
/** Heuristics that need no selectors. */
declare const auto: Auto;
/** Addition: the browser session billhound keeps for this portal between runs. */
declare const session: Session;
/** Addition: end the run with a failure kind, e.g. fail.credentials("Invalid password"), so billhound shows the right hint and retries only what is worth retrying. */
declare const fail: Fail;
/** The current code for this portal's TOTP secret; replay-safe (waits for a fresh time step when needed). Throws if the portal has no secret. */
declare function totp(): string;
/** Addition: one of the portal's stored one-time recovery codes, for a portal that asks for one instead of a 2FA code. It is marked used for good (never handed out again); throws when none is left. */
declare function recoveryCode(): string;
/** Save an invoice: click a selector or Element and capture the download, or fetch a URL (absolute, or relative to the page: start it with /, ./ or ../) with the browser's cookies. An HTML answer (a login page) is refused: save HTML receipts with page.goto() and savePage(). */
declare function download(target: string | Element, meta?: Meta): SaveResult;
/** Save the current page printed to PDF (for HTML receipts). */
declare function savePage(meta?: Meta): SaveResult;
/** True if an invoice with this portal invoice id is already in the archive. */
declare function known(id: string | number): boolean;
/** A line in the run log; objects are written as JSON. */
declare function log(...args: any[]): void;
/** Pause for ms milliseconds. */
declare function sleep(ms: number): void;
/** Addition: pause and ask the user (in the web UI, a notification or the terminal): a code (opts.kind "code", the default), a line of text ("text") or a confirmation such as "I approved the sign-in in the app" ("confirm", returns true). The run shows "waiting for you"; the wait does not count against the run's time limit. Throws "nobody answered within …" after opts.timeout. */
declare function ask(prompt: string, opts?: AskOptions): string | true;
/** Addition: one-time codes from the mailbox set up in billhound's settings. */
declare const mail: Mail;
/** Addition: one-time codes from billhound's SMS inbox (an SMS forwarder app on the phone posts to it). */
declare const sms: SMS;
