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

// Sign in.
page.goto("/login");
page.fill("#username", credentials.username);
page.fill("#password", credentials.password);
page.click("button[type=submit]");
// A click does not wait for the next page, so wait for whatever can come next:
// an error, the code prompt, or the signed-in page with its "Sign out" link.
page.waitFor('.error, #code, a[href="/logout"]');
if (page.exists(".error")) {
  fail.credentials("login failed: " + page.text(".error"));
}

// Accounts with two-factor authentication are asked for a code.
if (page.exists("#code")) {
  page.fill("#code", totp());
  page.click("button[type=submit]");
  page.waitFor('.error, a[href="/logout"]');
  if (page.exists(".error")) {
    fail.codeRejected("2FA code rejected: " + page.text(".error"));
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
