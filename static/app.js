// Portal behaviour that must not live inline (the CSP forbids inline scripts).
(function () {
  "use strict";

  // A failed htmx request shows a visible message instead of a dead click.
  function showError(text) {
    announce(text, true);
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

  // Close the account menu (and, on a phone, the navigation menu) when
  // clicking elsewhere or pressing Escape.
  var wide = window.matchMedia("(min-width: 64rem)");
  function openMenus() {
    return Array.prototype.filter.call(document.querySelectorAll("details.dropdown[open], details.nav-menu[open]"),
      function (d) { return !(wide.matches && d.classList.contains("nav-menu")); });
  }
  document.addEventListener("click", function (evt) {
    openMenus().forEach(function (d) {
      if (!d.contains(evt.target)) { d.removeAttribute("open"); }
    });
  });
  document.addEventListener("keydown", function (evt) {
    if (evt.key === "Escape") {
      openMenus().forEach(function (d) {
        d.removeAttribute("open");
        if (d.contains(document.activeElement)) { d.querySelector("summary").focus(); }
      });
    }
  });
  // On a wide screen the navigation menu is always open (its summary is
  // hidden); browsers without ::details-content need the attribute.
  function syncNavMenu() {
    var nav = document.getElementById("nav-menu");
    if (nav) { nav.open = wide.matches; }
  }
  syncNavMenu();
  if (wide.addEventListener) { wide.addEventListener("change", syncNavMenu); }

  // ---- After an htmx swap: focus and announcements ----------------------
  // The server says what to read out with response headers (app/render.go:
  // announce, announceError, focusAfterSwap); the two live regions in the
  // layout are never swapped, so screen readers hear every change.
  function announce(text, assertive) {
    var region = document.getElementById(assertive ? "announce-alert" : "announce-status");
    if (!region || !text) { return; }
    // Empty it first, so the same words twice are read twice.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }
  function header(xhr, name) {
    var v = xhr && xhr.getResponseHeader(name);
    if (!v) { return ""; }
    try { return decodeURIComponent(v); } catch (e) { return ""; }
  }
  function focusable(el) {
    return el && el.isConnected && !el.closest("[hidden]") && el.getClientRects().length > 0;
  }
  function focusRegion(el) {
    if (!el.matches("a[href], button, input, select, textarea, summary, [tabindex]")) {
      el.setAttribute("tabindex", "-1");
    }
    el.setAttribute("data-swap-focus", "");
    el.focus({ preventScroll: false });
  }
  // Where focus goes when the swap took the focused element away: a
  // fallback the control names (data-focus-fallback="id …"), the first
  // invalid field, the new row, the region's heading, the region itself.
  function restoreFocus(region, before, selector) {
    if (selector) {
      var chosen = document.querySelector(selector);
      if (focusable(chosen)) { focusRegion(chosen); return; }
    }
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) { return; } // kept (htmx, autofocus)
    var ids = before && before.getAttribute ? (before.getAttribute("data-focus-fallback") || "").split(/\s+/) : [];
    for (var i = 0; i < ids.length; i++) {
      var el = ids[i] && document.getElementById(ids[i]);
      if (focusable(el)) { el.focus(); return; }
    }
    if (!region || !region.isConnected) { region = document.querySelector("main h1") || document.getElementById("main"); }
    if (!region) { return; }
    var invalid = region.querySelector("[aria-invalid=true]");
    if (focusable(invalid)) { invalid.focus(); return; }
    if (region.tagName !== "TR") {
      var heading = region.matches("h1, h2, h3") ? region : region.querySelector("h1, h2, h3");
      if (focusable(heading)) { focusRegion(heading); return; }
    }
    focusRegion(region);
  }
  var pending = null; // the request being swapped: what had focus, its target
  document.addEventListener("htmx:beforeSwap", function (evt) {
    if (!evt.detail.shouldSwap) { return; }
    var t = evt.detail.target;
    pending = { xhr: evt.detail.xhr, before: document.activeElement, targetId: t && t.id, target: t };
  });
  document.addEventListener("htmx:afterSettle", function (evt) {
    var xhr = evt.detail.xhr;
    if (!pending || pending.xhr !== xhr) { return; } // OOB parts settle too: once per request
    var p = pending;
    pending = null;
    // The region that came in: the target itself (inner swaps) or its
    // replacement with the same id (outerHTML swaps), else what settled.
    var region = p.target && p.target.isConnected ? p.target : (p.targetId && document.getElementById(p.targetId)) || evt.target;
    restoreFocus(region, p.before, header(xhr, "X-Focus"));
    announce(header(xhr, "X-Announce"), false);
    announce(header(xhr, "X-Announce-Alert"), true);
  });
  // A response that swaps nothing (a redirect, 204) may still speak.
  document.addEventListener("htmx:afterRequest", function (evt) {
    var xhr = evt.detail.xhr;
    if (pending && pending.xhr === xhr) { return; } // afterSettle speaks for it
    if (evt.detail.successful) { announce(header(xhr, "X-Announce"), false); }
  });

  // Forms marked data-confirm ask before a destructive action (works without htmx).
  document.addEventListener("submit", function (evt) {
    var msg = evt.target.getAttribute && evt.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { evt.preventDefault(); }
  }, true);
})();
