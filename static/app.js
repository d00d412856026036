// Portal behaviour that must not live inline (the CSP forbids inline scripts).
(function () {
  "use strict";

  // A failed htmx request shows a visible message instead of a dead click.
  function showError(text) {
    var box = document.getElementById("server-error");
    if (!box) { return; }
    box.textContent = text;
    box.hidden = false;
    window.clearTimeout(showError.timer);
    showError.timer = window.setTimeout(function () { box.hidden = true; }, 8000);
  }

  document.addEventListener("htmx:responseError", function (evt) {
    var xhr = evt.detail.xhr, text = "";
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
      var p = doc.querySelector(".error-fragment");
      text = p ? p.textContent : "";
    } catch (e) { text = ""; }
    showError(text || ("The server answered with an error (" + xhr.status + "). Please try again."));
  });
  document.addEventListener("htmx:sendError", function () {
    showError("Could not reach the portal. Check your connection and try again.");
  });

  // Close the account menu when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (evt) {
    document.querySelectorAll("details.dropdown[open]").forEach(function (d) {
      if (!d.contains(evt.target)) { d.removeAttribute("open"); }
    });
  });
  document.addEventListener("keydown", function (evt) {
    if (evt.key === "Escape") {
      document.querySelectorAll("details.dropdown[open]").forEach(function (d) { d.removeAttribute("open"); });
    }
  });

  // Forms marked data-confirm ask before a destructive action (works without htmx).
  document.addEventListener("submit", function (evt) {
    var msg = evt.target.getAttribute && evt.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { evt.preventDefault(); }
  }, true);
})();
