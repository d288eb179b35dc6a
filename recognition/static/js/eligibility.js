// Live eligibility while the applicant types the figures: asks the server, which applies the
// same rules as the submit guard. Without JavaScript the page shows the result after saving.
(function () {
  "use strict";
  const form = document.getElementById("figures-form");
  const box = document.getElementById("eligibility");
  if (!form || !box) { return; }
  let timer = null;

  function latestYearValue(name) {
    const inputs = form.querySelectorAll('input[name$="-' + name + '"]');
    return inputs.length ? inputs[inputs.length - 1].value : "";
  }

  function show(result) {
    box.classList.toggle("alert-success", result.eligible);
    box.classList.toggle("alert-warning", !result.eligible);
    box.replaceChildren();
    if (result.eligible) {
      box.textContent = box.dataset.okText || "✓";
      return;
    }
    const heading = document.createElement("p");
    heading.className = "mb-1 fw-bold";
    heading.textContent = box.dataset.failingText || "";
    box.appendChild(heading);
    const list = document.createElement("ul");
    list.className = "mb-0";
    result.messages.forEach(function (message) {
      const item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function check() {
    const params = new URLSearchParams({
      revenue_vnd: latestYearValue("revenue_vnd"),
      export_value_usd: latestYearValue("export_value_usd"),
    });
    fetch(form.dataset.eligibilityUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (result) { if (result) { show(result); } });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });
})();
