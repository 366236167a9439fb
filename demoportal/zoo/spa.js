// Nimbus Apps: the zoo's single-page app. Everything is drawn here from a JSON API; invoices
// are fetched and handed to the user as blob: downloads, as many real billing apps do.
(() => {
  const app = document.getElementById("app");
  const base = app.dataset.base;
  const el = (tag, attrs = {}, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    e.append(...kids);
    return e;
  };
  const api = (path, opts = {}) => fetch(base + "/api" + path, {
    credentials: "same-origin",
    headers: opts.body ? { "Content-Type": "application/json" } : {},
    ...opts,
  });
  const go = (path, view) => {
    if (location.pathname !== base + path) history.pushState(null, "", base + path);
    view();
  };

  function login(message) {
    const error = el("p", { class: "error", role: "alert", text: message || "" });
    if (!message) error.hidden = true;
    const email = el("input", { id: "email", type: "email", autocomplete: "username" });
    const password = el("input", { id: "password", type: "password", autocomplete: "current-password" });
    const button = el("button", { type: "submit", text: "Sign in" });
    const form = el("form", { class: "stack", novalidate: "" },
      el("label", { for: "email", text: "E-mail" }), email,
      el("label", { for: "password", text: "Password" }), password, button);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      button.disabled = true;
      button.textContent = "Signing in…";
      const res = await api("/session", { method: "POST", body: JSON.stringify({ email: email.value, password: password.value }) });
      if (res.ok) return go("/invoices", invoices);
      const body = await res.json().catch(() => ({}));
      login(body.error || "Sign-in failed. Try again.");
    });
    const card = el("section", { class: "card narrow" },
      el("h1", { text: "Sign in" }), el("p", { class: "muted", text: "to Nimbus Apps billing" }), error, form);
    if (app.dataset.demo) card.append(el("p", { class: "hint", text: "Demo account: " + app.dataset.demo }));
    app.replaceChildren(card);
    email.focus();
  }

  async function download(inv, button) {
    button.disabled = true;
    const res = await api(inv.file.slice((base + "/api").length));
    if (!res.ok) { button.disabled = false; return; }
    const url = URL.createObjectURL(await res.blob());
    const a = el("a", { href: url, download: "invoice-" + inv.number + ".pdf" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    button.disabled = false;
  }

  async function invoices() {
    const res = await api("/invoices");
    if (res.status === 401) return go("/login", () => login());
    const { invoices } = await res.json();
    const rows = invoices.map((inv) => {
      const button = el("button", { class: "download secondary", type: "button", "data-number": inv.number, text: "Download PDF" });
      button.addEventListener("click", () => download(inv, button));
      const [y, m, d] = inv.date.split("-");
      return el("tr", {},
        el("td", { class: "number", text: inv.number }), el("td", { class: "date", text: `${d}.${m}.${y}` }),
        el("td", { class: "description", text: inv.title }), el("td", { class: "amount", text: inv.display }),
        el("td", {}, button));
    });
    const signOut = el("button", { type: "button", class: "secondary", id: "sign-out", text: "Sign out" });
    signOut.addEventListener("click", async () => { await api("/session", { method: "DELETE" }); go("/login", () => login()); });
    app.replaceChildren(
      el("div", { class: "filters" }, el("h1", { text: "Invoices", style: "flex:1;margin:0" }), signOut),
      el("section", { class: "card flush" }, el("table", { class: "invoices" },
        el("thead", {}, el("tr", {}, ...["Number", "Date", "Description", "Amount", ""].map((h) => el("th", { scope: "col", class: h === "Amount" ? "amount" : "", text: h })))),
        el("tbody", {}, ...rows))));
  }

  async function start() {
    const me = await api("/me");
    if (me.ok) go("/invoices", invoices);
    else go("/login", () => login());
  }
  window.addEventListener("popstate", start);
  // A real app boots a moment after the page loads; so does this one.
  setTimeout(start, 300);
})();
