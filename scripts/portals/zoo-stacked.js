// ==Portal==
// @name     Demo zoo: code below the password
// @url      http://127.0.0.1:9911/zoo/stacked/login
// @twofa    totp
// @fields   username password
// @version  1
// ==/Portal==

// E-mail and password stay on screen after the first submit, and the code field appears below
// them (start the demo portal with --totp-secret, or turn 2FA on under Security).
// auto.login() fills the code when it appears; it does not wait for the password to go away.

auto.login();
page.goto("/zoo/stacked/invoices");
for (const row of page.all("table.invoices tbody tr")) {
  const id = row.find("td.number").text();
  if (known(id)) continue;
  download(row.find("a.pdf"), { id: id, date: row.find("td.date").text(), amount: row.find("td.amount").text() });
}
