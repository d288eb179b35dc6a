// A document's preview loads when its "Preview" is opened, not with the page: a dossier lists a dozen
// PDFs, and loading each one in a frame made the page slow to open. The link beside it always works.
(function () {
  "use strict";
  document.addEventListener("toggle", function (event) {
    const details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.open) { return; }
    details.querySelectorAll("iframe[data-src]").forEach(function (frame) {
      frame.src = frame.dataset.src;
      frame.removeAttribute("data-src");
    });
  }, true);
}());
