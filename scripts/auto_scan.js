// auto.login's eyes: runs in the page, finds the login fields the way a password manager does,
// marks them with data-billhound-auto="user|password|otp|otp-box|submit|remember" for the Go side to fill
// through ordinary locators, and reports what it found. Only visible, enabled fields count.
() => {
  const MARK = "data-billhound-auto";
  for (const el of document.querySelectorAll("[" + MARK + "]")) el.removeAttribute(MARK);

  const USER = /user|e-?mail|login|account|benutzer|kennung|identif|customer|kunden|member|client|nutzer|anmelde/i;
  const OTP = /one.?time|otp|totp|2fa|mfa|two.?factor|second.?factor|verification|verif|security.?code|auth.*code|passcode|\bcode\b|token|tan\b|pin\b/i;
  const NOT_OTP = /post|zip|promo|coupon|voucher|gutschein|country|area|phone|captcha|search/i;
  const NOT_USER = /search|query|newsletter|subscribe|captcha|coupon|promo/i;
  const LOGOUT = /log.?out|sign.?out|log.?off|abmelden|ausloggen|abmeldung/i;
  // a form that sets a password rather than asks for one: change password, sign up, reset
  const SETS_PASSWORD = /new.?pass|neues.?pass|change.?pass|passwort.?(ä|ae)ndern|confirm|repeat|again|wiederhol|best(ä|ae)tig/i;
  const REMEMBER = /remember|trust|keep me (signed|logged) in|stay (signed|logged) in|don.?t ask( me)? again|angemeldet bleiben|eingeloggt bleiben|merken|vertrau/i;
  const SUBMIT = /log.?in|sign.?in|anmelden|einloggen|continue|next|weiter|submit|verify|confirm|best(ä|ae)tigen|absenden|senden|ok\b|go\b/i;

  const visible = (el) => {
    if (!el.isConnected) return false;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return false;
    const st = getComputedStyle(el);
    return st.visibility !== "hidden" && st.display !== "none" && parseFloat(st.opacity || "1") > 0.05;
  };
  const usable = (el) => visible(el) && !el.disabled && !el.readOnly;
  const words = (el) => {
    const parts = [el.name, el.id, el.getAttribute("autocomplete"), el.getAttribute("aria-label"),
      el.getAttribute("placeholder"), el.getAttribute("title"), el.getAttribute("data-testid")];
    for (const l of el.labels || []) parts.push(l.textContent);
    const by = el.getAttribute("aria-labelledby");
    if (by) for (const id of by.split(/\s+/)) { const l = document.getElementById(id); if (l) parts.push(l.textContent); }
    return parts.filter(Boolean).join(" ").replace(/\s+/g, " ").trim();
  };
  const type = (el) => (el.getAttribute("type") || "text").toLowerCase();
  const textish = (el) => ["text", "email", "tel", "number", ""].includes(type(el));
  const ac = (el) => (el.getAttribute("autocomplete") || "").toLowerCase();

  const formOf = (el) => el.form || el.closest("form") || null;
  // Change-password and sign-up forms (two password fields, or one for a new password) are not
  // the login form, even on a page that has a login form too: their fields are left alone.
  const setsPassword = (form) => {
    if (!form) return false;
    const pws = [...form.querySelectorAll("input[type=password]")];
    return pws.length >= 2 || pws.some((el) => ac(el) === "new-password" || SETS_PASSWORD.test(words(el)));
  };
  const inputs = [...document.querySelectorAll("input")].filter((el) => usable(el) && !setsPassword(formOf(el)));

  // A row of one-character boxes (4 to 8) is one code field.
  const boxes = inputs.filter((el) => (textish(el) || type(el) === "password") && el.maxLength === 1);
  const isBoxes = boxes.length >= 4 && boxes.length <= 8;

  const passwords = inputs.filter((el) => type(el) === "password" && !(isBoxes && boxes.includes(el)));
  const otpLike = (el) => {
    if (ac(el) === "one-time-code") return true;
    const w = words(el);
    return OTP.test(w) && !NOT_OTP.test(w) && !/pass(wor)?d|kennwort/i.test(w);
  };
  const otps = inputs.filter((el) => (textish(el) || type(el) === "password") && !boxes.includes(el) && otpLike(el));
  const pass = passwords.filter((el) => !otps.includes(el));
  const password = pass.find((el) => ac(el) === "current-password") || pass.find((el) => ac(el) !== "new-password") || pass[0] || null;

  const userCandidates = inputs.filter((el) => textish(el) && !otps.includes(el) && !boxes.includes(el) && !NOT_USER.test(words(el)));
  let user = userCandidates.find((el) => ["username", "email"].includes(ac(el)))
    || userCandidates.find((el) => type(el) === "email")
    || userCandidates.find((el) => USER.test(words(el)))
    || null;
  if (!user && password) {
    // the last text field before the password in the same form
    const before = userCandidates.filter((el) => el.form === password.form &&
      (el.compareDocumentPosition(password) & Node.DOCUMENT_POSITION_FOLLOWING));
    user = before[before.length - 1] || null;
  }

  const otp = otps[0] || null;
  const anchor = otp || (isBoxes ? boxes[boxes.length - 1] : null) || password || user;
  let submit = null;
  if (anchor) {
    const scope = anchor.form || document;
    const buttons = [...scope.querySelectorAll("button, input[type=submit], input[type=image], [role=button]")]
      .filter((b) => visible(b) && !b.disabled);
    const typed = buttons.filter((b) => b.matches("button[type=submit], input[type=submit], input[type=image]") ||
      (b.tagName === "BUTTON" && !b.getAttribute("type") && b.form));
    const named = buttons.filter((b) => SUBMIT.test((b.textContent || "") + " " + (b.value || "") + " " + (b.getAttribute("aria-label") || "")));
    const after = (list) => list.find((b) => anchor.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
    submit = after(typed) || typed[0] || after(named) || named[0] || null;
  }

  // "Remember this device" / "Trust this browser" / "Keep me signed in" next to the login or code
  // field: ticked, the portal skips the code (or the whole login) next time. Styled checkboxes
  // often hide the input itself behind their label, so a visible label is enough.
  let remember = null;
  if (anchor) {
    const scope = anchor.form || document;
    remember = [...scope.querySelectorAll("input[type=checkbox]")].find((el) => !el.disabled &&
      (visible(el) || [...(el.labels || [])].some(visible)) && REMEMBER.test(words(el))) || null;
  }

  const labelOf = (el) => ([...(el.labels || [])].map((l) => l.textContent).join(" ") ||
    el.getAttribute("aria-label") || words(el)).replace(/\s+/g, " ").trim();

  const mark = (el, what) => { if (el) el.setAttribute(MARK, what); };
  mark(user, "user");
  mark(password, "password");
  mark(otp, "otp");
  if (isBoxes) boxes.forEach((b) => mark(b, "otp-box"));
  mark(submit, "submit");
  mark(remember, "remember");

  // what the portal says (a failed login usually shows one of these): the message nearest the
  // form, so a site-wide banner is not taken for the answer to the login
  const MESSAGES = "[role=alert], [aria-live=assertive], [aria-live=polite], .error, .errors, .alert, .alert-danger, " +
    ".invalid-feedback, .notification, .message, [class*=error], [class*=Error], [class*=feedback], [class*=invalid]";
  const depth = (el) => { let d = 0; for (let e = el; e; e = e.parentElement) d++; return d; };
  const near = (el) => {
    if (!anchor) return 0;
    let common = el;
    while (common && !common.contains(anchor)) common = common.parentElement;
    return common ? depth(common) : 0;
  };
  let message = "", best = -1;
  for (const el of document.querySelectorAll(MESSAGES)) {
    if (el.querySelector("input, form") || !visible(el)) continue; // a wrapper, not a message
    const t = (el.innerText || "").replace(/\s+/g, " ").trim();
    if (!t || t.length >= 300) continue;
    const n = near(el);
    if (n > best) { message = t; best = n; }
  }

  // a captcha widget or its frame: a failed login next to one failed because of it
  const CAPTCHA = 'iframe[src*="recaptcha"]:not([src*="size=invisible"]), iframe[src*="hcaptcha"], iframe[src*="challenges.cloudflare.com"], iframe[title*="captcha" i], .g-recaptcha, .h-captcha, .cf-turnstile';
  const captcha = [...document.querySelectorAll(CAPTCHA)].some(visible);
  const signedIn = [...document.querySelectorAll("a, button, [role=button], input[type=submit]")].some((el) =>
    visible(el) && LOGOUT.test([el.textContent, el.value, el.getAttribute("aria-label"), el.getAttribute("href")].filter(Boolean).join(" ")));

  return {
    captcha,
    user: !!user,
    userValue: user ? user.value : "",
    userEmail: !!user && (type(user) === "email" || /e-?mail/i.test(words(user))),
    password: !!password,
    otp: !!otp,
    boxes: isBoxes ? boxes.length : 0,
    submit: !!submit,
    remember: !!remember && !remember.checked,
    rememberLabel: remember ? labelOf(remember).slice(0, 80) : "",
    message,
    signedIn,
  };
}
