// ==Portal==
// @name     Demo portal
// @url      http://127.0.0.1:9911/login
// @twofa    optional
// @fields   username password
// @version  1
// ==/Portal==

// Fetches the invoices of billhound's built-in demo portal (`billhound demo-portal`,
// account demo / demo-password). Copy it as a start for your own portal: only the
// selectors change. Paths are relative; billhound resolves them against the portal's URL.

// Sign in. billhound starts the browser from the session it kept after the last successful
// run, so the portal may still know us: then /login forwards to the account page.
page.goto("/login");
if (page.exists('a[href="/logout"]')) {
  log("already signed in: the kept session still works, no login needed");
} else {
  page.fill("#username", credentials.username);
  page.fill("#password", credentials.password);
  page.click("button[type=submit]");
  // A click does not wait for the next page, so wait for whatever can come next:
  // an error, the code prompt, or the signed-in page with its "Sign out" link.
  page.waitFor('.error, #code, a[href="/logout"]');
  if (page.exists(".error")) {
    fail.credentials("login failed: " + page.text(".error"));
  }

  // Accounts with two-factor authentication are asked for a code, unless this browser
  // was remembered the last time.
  if (page.exists("#code")) {
    page.fill("#code", totp());
    if (page.exists("#remember")) {
      page.check("#remember"); // "Remember this device for 30 days": no code next time
    }
    page.click("button[type=submit]");
    page.waitFor('.error, a[href="/logout"]');
    if (page.exists(".error")) {
      fail.codeRejected("2FA code rejected: " + page.text(".error"));
    }
  } else if (session.restored) {
    log("signed in with the password; the code step was skipped (this device is remembered)");
  }
}

// Download every invoice the archive does not have yet.
page.goto("/invoices");
let saved = 0, skipped = 0;
for (const row of page.all("table.invoices tbody tr")) {
  const id = row.find("td.number").text();
  if (known(id)) {
    skipped++;
    continue;
  }
  const result = download(row.find("a.pdf"), {
    id: id,
    date: row.find("td.date").text(),
    amount: row.find("td.amount").text(),
  });
  if (result.saved) saved++;
}
log(`${saved} new invoice(s) saved, ${skipped} already archived`);
