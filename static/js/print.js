// The print button of a document page (no inline scripts: CSP).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
