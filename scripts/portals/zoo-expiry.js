// ==Portal==
// @name     Demo zoo: session that expires
// @url      http://127.0.0.1:9911/zoo/expiry/login
// @twofa    none
// @fields   username password
// @version  1
// ==/Portal==

// The portal ends the session after a few pages and downloads. A download that gets the login
// page instead of a file means the session is gone: sign in again, once, and go on.

auto.login();
page.goto("/zoo/expiry/invoices");
const rows = page.all("table.invoices tbody tr").map((row) => ({
  id: row.find("td.number").text(),
  date: row.find("td.date").text(),
  amount: row.find("td.amount").text(),
  url: row.find("a.pdf").attr("href"),
}));

let relogins = 0;
function save(inv) {
  try {
    return download(inv.url, { id: inv.id, date: inv.date, amount: inv.amount });
  } catch (e) {
    if (relogins > 0 || !/HTML page/.test(e.message)) throw e;
    relogins++;
    log("the session expired; signing in again");
    auto.login({ url: "/zoo/expiry/login" });
    return download(inv.url, { id: inv.id, date: inv.date, amount: inv.amount });
  }
}
for (const inv of rows) {
  if (!known(inv.id)) save(inv);
}
