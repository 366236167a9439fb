// ==Portal==
// @name     Demo portal (approve in the app)
// @url      http://127.0.0.1:9911/login
// @twofa    manual
// @fields   username password
// @version  1
// ==/Portal==

// The demo portal started with `billhound demo-portal --factor app` asks you to approve each
// sign-in in its "app" (the page /app of the demo portal stands in for your phone). billhound
// asks you to confirm once you approved it, then continues.

page.goto("/login");
page.fill("#username", credentials.username);
page.fill("#password", credentials.password);
page.click("button[type=submit]");
page.waitFor('.error, #approve-wait, a[href="/logout"]');
if (page.exists(".error")) {
  throw new Error("login failed: " + page.text(".error"));
}

if (page.exists("#approve-wait")) {
  ask("Approve the sign-in to the demo portal in its app, then confirm here", { kind: "confirm" });
  page.click("#continue");
  page.waitFor('.error, a[href="/logout"]');
  if (page.exists(".error")) {
    throw new Error("the sign-in was not approved: " + page.text(".error"));
  }
}

page.goto("/invoices");
let saved = 0;
for (const row of page.all("table.invoices tbody tr")) {
  const id = row.find("td.number").text();
  if (known(id)) continue;
  const result = download(row.find("a.pdf"), { id: id, date: row.find("td.date").text(), amount: row.find("td.amount").text() });
  if (result.saved) saved++;
}
log(`${saved} new invoice(s) saved`);
