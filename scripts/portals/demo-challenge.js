// ==Portal==
// @name     Demo portal with a challenge
// @url      http://127.0.0.1:9911/login
// @twofa    optional
// @fields   username password
// @version  1
// ==/Portal==

// The demo portal started with `billhound demo-portal --challenge` asks after each sign-in to
// "click the red circle": a page only a person can pass. This script waits while you do it
// in billhound's live view (open the run, press "Take over", click the circle), then goes on
// like demo.js. Real portals show such pages to devices they do not know yet.

page.goto("/login");
page.fill("#username", credentials.username);
page.fill("#password", credentials.password);
page.click("button[type=submit]");
page.waitFor('.error, #code, #challenge, a[href="/logout"]');
if (page.exists(".error") && !page.exists("#challenge")) {
  throw new Error("login failed: " + page.text(".error"));
}
if (page.exists("#code")) {
  page.fill("#code", totp());
  page.click("button[type=submit]");
  page.waitFor('.error, #challenge, a[href="/logout"]');
  if (page.exists(".error") && !page.exists("#challenge")) {
    throw new Error("2FA code rejected: " + page.text(".error"));
  }
}

// Only a person can solve the challenge: ask the user to take over in the live view until
// the signed-in page shows (the wait does not count against the run's time limit).
if (page.exists("#challenge")) {
  ask("The portal asks to verify it's you: press Take over and click the red circle", {
    kind: "takeover",
    until: 'a[href="/logout"]',
  });
  log("verified; going on");
}

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
