/*
 * Partner portal attribution script, for the vendor's own website.
 *
 * The portal serves this file at /t/<organization>.js with the
 * organization's settings put in place of the CONFIG placeholder below (as
 * JSON, by the server). Served raw from /static it does nothing.
 *
 * How a sign-up is credited to a partner:
 *   1. A visitor follows a partner's tracking link (/r/<code>). The portal
 *      records the click and redirects to the vendor's page with
 *      ?pp_click=<click id> appended.
 *   2. On that page this script stores the click id in a first-party cookie
 *      "pp_click" on the vendor's domain, kept for the attribution window
 *      (Max-Age = window days × 86400, SameSite=Lax, Secure on https, Path=/).
 *      The attribution model decides which click wins when the visitor
 *      arrives through several partner links:
 *        - last_click:  every new click id overwrites the cookie, so the
 *                       partner whose link was followed last is credited;
 *        - first_click: an existing cookie is kept, so the first partner is
 *                       credited until that cookie expires with the window.
 *   3. When the visitor signs up, the vendor's page calls
 *        PartnerPortal.reportSignup({email: ..., name: ..., company: ...})
 *      which POSTs the click id and those details to the portal. The portal
 *      checks that the page's origin is allowed, that the click belongs to a
 *      link of this organization and is within the window, and registers one
 *      lead per email for the partner of that link.
 *
 * reportSignup returns a Promise that resolves with the portal's answer
 * ({lead_id, partner} for a new lead, {lead_id, duplicate: true} when the
 * email signed up before) or with null when this browser carries no partner
 * click (nothing is sent then). It rejects with an Error whose message says
 * what went wrong (err.status and err.errors carry the details).
 *
 * Plain JavaScript, no dependencies, no globals except window.PartnerPortal.
 */
(function () {
  "use strict";

  var CONFIG = /*PP_CONFIG*/null;
  if (!CONFIG || typeof window === "undefined") {
    return;
  }

  var COOKIE = "pp_click";
  var PARAM = "pp_click";
  var CLICK_ID = /^[A-Za-z0-9_-]{22}$/;

  function readClickId() {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i++) {
      var kv = parts[i].replace(/^\s+/, "");
      if (kv.indexOf(COOKIE + "=") === 0) {
        var v = kv.substring(COOKIE.length + 1);
        if (CLICK_ID.test(v)) {
          return v;
        }
      }
    }
    return null;
  }

  function writeClickId(id) {
    var attrs = [
      COOKIE + "=" + id,
      "Max-Age=" + String(CONFIG.window_days * 86400),
      "Path=/",
      "SameSite=Lax"
    ];
    if (window.location.protocol === "https:") {
      attrs.push("Secure");
    }
    document.cookie = attrs.join("; ");
  }

  // captureClick stores the click id from the address, following the model.
  function captureClick() {
    var id = null;
    try {
      id = new URLSearchParams(window.location.search).get(PARAM);
    } catch (e) {
      return;
    }
    if (!id || !CLICK_ID.test(id)) {
      return;
    }
    if (CONFIG.model === "first_click" && readClickId()) {
      return; // first click wins: keep the partner who brought the visitor first
    }
    writeClickId(id); // last click wins (the default)
  }

  function text(v) {
    return v === undefined || v === null ? "" : String(v);
  }

  function problem(data, status) {
    if (data && typeof data.error === "string") {
      return data.error;
    }
    if (data && data.errors && typeof data.errors === "object") {
      var msgs = [];
      for (var k in data.errors) {
        if (Object.prototype.hasOwnProperty.call(data.errors, k)) {
          msgs.push(String(data.errors[k]));
        }
      }
      if (msgs.length) {
        return msgs.join(" ");
      }
    }
    return "The partner portal answered with status " + status + ".";
  }

  function reportSignup(details) {
    var d = details || {};
    var clickId = readClickId();
    if (!clickId) {
      return Promise.resolve(null); // not referred by a partner: nothing to report
    }
    var body = JSON.stringify({
      click_id: clickId,
      email: text(d.email),
      name: text(d.name),
      company: text(d.company)
    });
    var url = CONFIG.base_url + "/api/v1/signups/browser?org=" + encodeURIComponent(CONFIG.org);
    return fetch(url, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: body
    }).then(function (res) {
      return res.json().then(null, function () {
        return null;
      }).then(function (data) {
        if (res.ok) {
          return data;
        }
        var err = new Error(problem(data, res.status));
        err.status = res.status;
        err.errors = (data && data.errors) || {};
        throw err;
      });
    });
  }

  captureClick();
  window.PartnerPortal = {
    reportSignup: reportSignup,
    clickId: readClickId
  };
})();
