// ==Portal==
// @name     Demo zoo: cookie banner and new terms
// @url      http://127.0.0.1:9911/zoo/terms/login
// @twofa    none
// @fields   username password
// @version  1
// ==/Portal==

// A cookie banner covers the bottom of every page until it is answered, and after signing in
// the portal may ask to accept new terms. Accepting terms is the user's call, so the run stops
// and says so ("action needed"); the user accepts them once in their own browser.

page.goto("/zoo/terms/login");
if (page.exists(".cookie-banner")) page.click(".cookie-banner button[value=necessary]");
auto.login();
if (page.url().includes("/zoo/terms/terms")) {
  fail.actionNeeded("the portal asks to accept its new terms of service (\"" +
    page.text("h1") + "\"); sign in at " + portal.url + " and accept them, then run again");
}
page.goto("/zoo/terms/invoices");
for (const row of page.all("table.invoices tbody tr")) {
  const id = row.find("td.number").text();
  if (known(id)) continue;
  download(row.find("a.pdf"), { id: id, date: row.find("td.date").text(), amount: row.find("td.amount").text() });
}
