// ==Portal==
// @name     Demo portal (code by SMS)
// @url      http://127.0.0.1:9911/login
// @twofa    sms
// @fields   username password
// @version  1
// ==/Portal==

// The demo portal started with `billhound demo-portal --factor sms --sms-url
// http://billhound/api/inbox/sms --sms-token …` sends its sign-in code by SMS. billhound reads
// it from its SMS inbox (an SMS forwarder app on your phone posts there: Settings → SMS inbox);
// without one, it asks you for the code.

page.goto("/login");
page.fill("#username", credentials.username);
page.fill("#password", credentials.password);
page.click("button[type=submit]");
page.waitFor('.error, #code, a[href="/logout"]');
if (page.exists(".error")) {
  throw new Error("login failed: " + page.text(".error"));
}

if (page.exists("#code")) {
  let code;
  try {
    code = sms.code({ from: "Nimbus" });
  } catch (e) {
    log("no code from the SMS inbox (" + e.message + "); asking you");
    code = ask("Enter the code the demo portal sent you by SMS", { kind: "code" });
  }
  page.fill("#code", code);
  page.click("button[type=submit]");
  page.waitFor('.error, a[href="/logout"]');
  if (page.exists(".error")) {
    throw new Error("the SMS code was rejected: " + page.text(".error"));
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
