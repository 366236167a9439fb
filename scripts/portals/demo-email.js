// ==Portal==
// @name     Demo portal (code by e-mail)
// @url      http://127.0.0.1:9911/login
// @twofa    email
// @fields   username password
// @version  1
// ==/Portal==

// The demo portal started with `billhound demo-portal --factor email --mail-imap …` sends its
// sign-in code by e-mail. billhound reads it from the mailbox set up under Settings → Mailbox:
// the newest e-mail from the portal that arrived after the run started.

page.goto("/login");
page.fill("#username", credentials.username);
page.fill("#password", credentials.password);
page.click("button[type=submit]");
page.waitFor('.error, #code, a[href="/logout"]');
if (page.exists(".error")) {
  throw new Error("login failed: " + page.text(".error"));
}

if (page.exists("#code")) {
  const code = mail.code({ from: "nimbus", subject: "sign-in code" });
  page.fill("#code", code);
  page.click("button[type=submit]");
  page.waitFor('.error, a[href="/logout"]');
  if (page.exists(".error")) {
    throw new Error("the e-mailed code was rejected: " + page.text(".error"));
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
