// Partner Room uploads with a progress bar per file. Without JavaScript the
// forms post as they are (multipart, streamed by the server); with it, each
// file goes in its own request so each gets its own bar, and a file over the
// limit is refused before it is sent.
(function () {
  "use strict";
  function fmt(n) {
    if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + " MB";
    if (n >= 1 << 10) return Math.round(n / (1 << 10)) + " KB";
    return n + " bytes";
  }
  function send(form, fields, file, item, several) {
    return new Promise(function (resolve) {
      var fd = new FormData();
      fields.forEach(function (kv) { fd.append(kv[0], kv[1]); });
      if (several) fd.append("several", "1");
      fd.append("file", file, file.name);
      var bar = item.querySelector("progress");
      var note = item.querySelector(".upload-note");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRF-Token", form.querySelector("input[name=_csrf]").value);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.max = e.total;
          bar.value = e.loaded;
          note.textContent = Math.floor((100 * e.loaded) / e.total) + "%";
        }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status >= 200 && xhr.status < 300) {
          bar.value = bar.max;
          note.textContent = "Uploaded";
          item.classList.add("done");
          resolve({ ok: true, url: xhr.responseURL });
          return;
        }
        var msg = xhr.getResponseHeader("X-Announce-Alert");
        note.textContent = msg ? decodeURIComponent(msg) : "The upload failed (" + xhr.status + ").";
        item.classList.add("failed");
        resolve({ ok: false });
      });
      xhr.addEventListener("error", function () {
        note.textContent = "The upload failed: the connection was lost.";
        item.classList.add("failed");
        resolve({ ok: false });
      });
      xhr.send(fd);
    });
  }
  function setup(form) {
    var input = form.querySelector("input[type=file]");
    var list = form.querySelector(".upload-list");
    if (!input || !list || !window.FormData) return;
    var max = parseInt(form.dataset.maxBytes, 10) || 0;
    form.addEventListener("submit", function (ev) {
      var files = Array.prototype.slice.call(input.files || []);
      if (files.length === 0) return; // a link, or nothing: the plain form post
      ev.preventDefault();
      list.textContent = "";
      var fields = [];
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.type === "file" || el.disabled) return;
        if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
        fields.push([el.name, el.value]);
      });
      // The token first: the server checks it before storing anything.
      fields.sort(function (a, b) { return (a[0] === "_csrf" ? 0 : 1) - (b[0] === "_csrf" ? 0 : 1); });
      var items = files.map(function (f) {
        var li = document.createElement("li");
        var label = document.createElement("span");
        label.textContent = f.name + " (" + fmt(f.size) + ")";
        var bar = document.createElement("progress");
        bar.max = f.size || 1;
        bar.value = 0;
        bar.setAttribute("aria-label", "Upload of " + f.name);
        var note = document.createElement("span");
        note.className = "upload-note";
        li.append(label, bar, note);
        list.append(li);
        if (max && f.size > max) {
          note.textContent = f.name + " is larger than " + form.dataset.maxSize + ", the upload limit.";
          li.classList.add("failed");
          return null;
        }
        return li;
      });
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      var results = [];
      var chain = Promise.resolve();
      files.forEach(function (f, i) {
        if (!items[i]) { results.push({ ok: false }); return; }
        chain = chain.then(function () {
          return send(form, fields, f, items[i], files.length > 1).then(function (r) { results.push(r); });
        });
      });
      chain.then(function () {
        button.disabled = false;
        var ok = results.filter(function (r) { return r.ok; });
        if (ok.length === results.length) {
          window.location.assign(ok.length === 1 ? ok[0].url : "/console/resources");
        }
      });
    });
  }
  document.querySelectorAll("form.upload-form").forEach(setup);
})();
