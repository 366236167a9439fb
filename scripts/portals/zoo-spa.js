// ==Portal==
// @name     Demo zoo: single-page app
// @url      http://127.0.0.1:9911/zoo/spa/login
// @twofa    none
// @fields   username password
// @version  1
// ==/Portal==

// A JavaScript app (billhound's demo portal, `billhound demo-portal`): the page is drawn from a
// JSON API and its "Download PDF" buttons hand out blob: URLs. Ask the API instead of reading
// the page: page.fetch() sends the browser's cookies, download() of the API's file URL too.
// (download(button) would work as well: billhound catches the blob download.)

auto.login();
page.waitFor("table.invoices");

const list = page.fetch("/zoo/spa/api/invoices").json().invoices;
let saved = 0;
for (const inv of list) {
  if (known(inv.number)) continue;
  const r = download(inv.file, {
    id: inv.number, date: inv.date, amount: inv.amount, currency: inv.currency, title: inv.title,
  });
  if (r.saved) saved++;
}
log(`${saved} new invoice(s) of ${list.length} listed by the API`);
