// Copy buttons: <button type="button" data-copy="text">. A click puts the text
// on the clipboard and shows "Copied" for two seconds. If the browser refuses
// the clipboard, the text beside the button is selected for Ctrl+C instead.
(function () {
  "use strict";
  if (window.portalCopyButtons) { return; } // the page may load this file twice
  window.portalCopyButtons = true;

  var status = null;
  function announce(text) {
    if (!status) {
      status = document.createElement("div");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    status.textContent = text;
  }

  function selectBeside(btn) {
    var box = btn.closest(".copy-field");
    var code = box && box.querySelector("code");
    if (!code) { return false; }
    var range = document.createRange();
    range.selectNodeContents(code);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    return true;
  }

  function show(btn, ok) {
    if (!btn.hasAttribute("data-label")) { btn.setAttribute("data-label", btn.textContent); }
    btn.textContent = ok ? "Copied" : "Press Ctrl+C";
    btn.classList.toggle("copied", ok);
    announce(ok ? "Copied to the clipboard." : "Selected. Press Ctrl+C to copy.");
    window.clearTimeout(btn.copyTimer);
    btn.copyTimer = window.setTimeout(function () {
      btn.textContent = btn.getAttribute("data-label");
      btn.classList.remove("copied");
    }, 2000);
  }

  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest ? evt.target.closest("[data-copy]") : null;
    if (!btn) { return; }
    var text = btn.getAttribute("data-copy");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { show(btn, true); },
        function () { show(btn, false); selectBeside(btn); });
    } else {
      show(btn, false);
      selectBeside(btn);
    }
  });
})();
