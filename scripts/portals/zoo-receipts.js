// ==Portal==
// @name     Demo zoo: HTML receipts
// @url      http://127.0.0.1:9911/zoo/receipts/login
// @twofa    none
// @fields   username password
// @version  1
// ==/Portal==

// A shop without PDFs: every order has an HTML receipt page. Open it and keep it with
// savePage(), which prints the page to PDF.

auto.login();
page.goto("/zoo/receipts/orders");
// Read the list first: going to a receipt leaves the list page.
const orders = page.all("table.orders tbody tr").map((row) => ({
  id: row.find("td.number").text(),
  date: row.find("td.date").text(),
  amount: row.find("td.amount").text(),
  url: row.find("a.receipt").attr("href"),
}));
for (const o of orders) {
  if (known(o.id)) continue;
  page.goto(o.url);
  page.waitFor("#receipt");
  savePage({ id: o.id, date: o.date, amount: o.amount, title: "Receipt " + o.id });
}
