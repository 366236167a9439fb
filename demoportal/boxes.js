// The code boxes of the email-first sign-in, as real portals make them: a digit moves on to the
// next box, Backspace in an empty box goes back, a pasted code spreads over the boxes, and the
// form submits by itself once the sixth digit is in.
(() => {
  const form = document.getElementById("code-form");
  if (!form) return;
  const boxes = [...form.querySelectorAll("input.box")];
  const full = () => boxes.every((b) => /^[0-9]$/.test(b.value));
  let sent = false;
  const maybeSubmit = () => {
    if (full() && !sent) {
      sent = true;
      form.requestSubmit();
    }
  };
  boxes.forEach((box, i) => {
    box.addEventListener("input", () => {
      box.value = box.value.replace(/[^0-9]/g, "").slice(-1);
      if (box.value && i + 1 < boxes.length) boxes[i + 1].focus();
      maybeSubmit();
    });
    box.addEventListener("keydown", (e) => {
      if (e.key === "Backspace" && !box.value && i > 0) boxes[i - 1].focus();
    });
    box.addEventListener("paste", (e) => {
      const digits = (e.clipboardData.getData("text") || "").replace(/[^0-9]/g, "").slice(0, boxes.length - i);
      if (!digits) return;
      e.preventDefault();
      [...digits].forEach((d, k) => { boxes[i + k].value = d; });
      boxes[Math.min(i + digits.length, boxes.length - 1)].focus();
      maybeSubmit();
    });
  });
})();
