// ==Portal==
// @name     Demo zoo: bot check
// @url      http://127.0.0.1:9911/zoo/botcheck/login
// @twofa    none
// @fields   username password
// @version  1
// ==/Portal==

// The portal refuses browsers that say they are automated (HeadlessChrome in the user agent,
// navigator.webdriver). Plain headless Chromium is refused; run this portal in a browser mode
// that looks like a person's browser.

page.goto("/zoo/botcheck/login");
if (page.exists("#bot-refused")) {
  fail.captcha("the portal refused this browser as automated (\"" + page.text("#bot-refused") +
    "\"): run this portal with a browser that does not look automated");
}
auto.login();
page.goto("/zoo/botcheck/invoices");
for (const row of page.all("table.invoices tbody tr")) {
  const id = row.find("td.number").text();
  if (known(id)) continue;
  download(row.find("a.pdf"), { id: id, date: row.find("td.date").text(), amount: row.find("td.amount").text() });
}
