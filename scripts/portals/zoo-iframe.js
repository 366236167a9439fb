// ==Portal==
// @name     Demo zoo: login in an iframe
// @url      http://127.0.0.1:9911/zoo/iframe/login
// @twofa    none
// @fields   username password
// @version  1
// ==/Portal==

// The sign-in form lives in an iframe of the login page. auto.login() looks into iframes
// itself; by hand it would be page.frame("iframe").fill(...).

auto.login();
page.goto("/zoo/iframe/invoices");
for (const row of page.all("table.invoices tbody tr")) {
  const id = row.find("td.number").text();
  if (known(id)) continue;
  download(row.find("a.pdf"), { id: id, date: row.find("td.date").text(), amount: row.find("td.amount").text() });
}
