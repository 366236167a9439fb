// What a page shows when a run failed: a captcha, the login form, a code field, an error text.
// Shared idea with auto_scan.js, but read-only: it marks nothing.
() => {
  const visible = (el) => {
    if (!el || !el.isConnected) return false;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return false;
    const st = getComputedStyle(el);
    return st.visibility !== "hidden" && st.display !== "none";
  };
  const CAPTCHA = 'iframe[src*="recaptcha"]:not([src*="size=invisible"]), iframe[src*="hcaptcha"], iframe[src*="challenges.cloudflare.com"], iframe[title*="captcha" i], .g-recaptcha, .h-captcha, .cf-turnstile';
  const captcha = [...document.querySelectorAll(CAPTCHA)].some(visible);
  const inputs = [...document.querySelectorAll("input")].filter((el) => visible(el) && !el.disabled);
  const password = inputs.some((el) => (el.type || "").toLowerCase() === "password" &&
    (el.getAttribute("autocomplete") || "") !== "new-password");
  const OTP = /one.?time|otp|totp|2fa|mfa|verification|security.?code|\bcode\b|passcode|token/i;
  const otp = inputs.some((el) => (el.getAttribute("autocomplete") || "") === "one-time-code" ||
    OTP.test([el.name, el.id, el.getAttribute("aria-label"), el.getAttribute("placeholder")].filter(Boolean).join(" ")));
  let message = "";
  for (const el of document.querySelectorAll("[role=alert], .error, .errors, .alert, .alert-danger, .invalid-feedback, [class*=error], [class*=Error]")) {
    const t = (el.innerText || "").replace(/\s+/g, " ").trim();
    if (t && t.length < 300 && visible(el)) { message = t; break; }
  }
  return { captcha, password, otp, message };
}
