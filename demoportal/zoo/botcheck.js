// Nimbus Guard's bot check: a browser that says it is automated gets no login form; others
// carry a probe value the server insists on (so a client without JavaScript is refused too).
(() => {
  const form = document.getElementById("login-form");
  if (!form) return;
  if (navigator.webdriver) {
    const p = document.createElement("p");
    p.className = "error";
    p.id = "bot-refused";
    p.setAttribute("role", "alert");
    p.textContent = "We could not verify that you are a person: this browser reports itself as automated (HeadlessChrome or navigator.webdriver). Sign in with a regular browser.";
    form.replaceWith(p);
    return;
  }
  document.getElementById("probe").value = "human";
})();
