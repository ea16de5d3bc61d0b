// Irreversible steps ask first: a form or button with data-confirm="…" (no inline scripts: CSP).
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var text = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
  if (text && !window.confirm(text)) event.preventDefault();
});
