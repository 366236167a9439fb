// Nimbus Stack's login: e-mail and password stay on screen after the first submit, and the
// code field appears below them; every submit sends all fields to the JSON API.
(() => {
  const form = document.getElementById("login-form");
  const step = document.getElementById("code-step");
  const button = document.getElementById("submit");
  let error = null;
  const say = (text) => {
    if (!error) {
      error = document.createElement("p");
      error.className = "error";
      error.setAttribute("role", "alert");
      form.before(error);
    }
    error.textContent = text;
  };
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    const body = { email: form.username.value, password: form.password.value, code: step.hidden ? "" : form.code.value };
    try {
      const res = await fetch(form.action, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      const answer = await res.json();
      if (answer.location) return location.assign(answer.location);
      if (answer.step === "code" && step.hidden) {
        step.hidden = false;
        button.textContent = "Verify";
        form.code.focus();
      }
      if (answer.error) say(answer.error);
      else if (error) error.remove(), (error = null);
    } finally {
      button.disabled = false;
    }
  });
})();
