// ==Portal==
// @name     Demo zoo: paginated history
// @url      http://127.0.0.1:9911/zoo/history/login
// @twofa    none
// @fields   username password
// @version  1
// ==/Portal==

// Three years of invoices, ten a page, newest first, with a date filter. The first run reads
// every page; later runs ask only for invoices since a month before the last run and stop at
// the first invoice the archive already has.

auto.login();
let url = "/zoo/history/invoices";
if (since) {
  const from = new Date(since.getTime() - 31 * 24 * 3600 * 1000);
  url += "?from=" + from.toISOString().slice(0, 10);
}
page.goto(url);

let pages = 0, saved = 0, done = false;
while (!done) {
  pages++;
  for (const row of page.all("table.invoices tbody tr")) {
    const id = row.find("td.number").text();
    if (known(id)) {
      done = true; // newest first: everything after this one is archived already
      break;
    }
    if (download(row.find("a.pdf"), { id: id, date: row.find("td.date").text(), amount: row.find("td.amount").text() }).saved) saved++;
  }
  if (done || !page.exists("a[rel=next]")) break;
  page.goto(page.attr("a[rel=next]", "href"));
}
log(`read ${pages} page(s), ${saved} new invoice(s)`);
