// Signature pad for the agreement signing form (pages/agreement_sign).
// Draws with pointer events (mouse, pen and touch) on a canvas and keeps a PNG
// data URL of the drawing in the hidden "signature" field. Without this file
// the form still works with the typed-name option. No inline code: the CSP
// forbids it.
(function () {
  "use strict";

  // After the server refused the form (422), the errors sit below the long
  // agreement text: bring the form into view and focus the first field with
  // a problem.
  function showErrors(form) {
    var invalid = form.querySelector("[aria-invalid=true]");
    if (!form.querySelector(".field-error")) { return; }
    form.scrollIntoView({ block: "start" });
    if (invalid && invalid.type !== "hidden") { invalid.focus({ preventScroll: true }); }
  }

  function setup(form) {
    showErrors(form);
    var canvas = form.querySelector("#signature-pad");
    var field = form.querySelector("#signature-data");
    var panel = form.querySelector("[data-draw-panel]");
    var option = form.querySelector("[data-draw-option]");
    var clear = form.querySelector("#signature-clear");
    var radios = form.querySelectorAll("input[name=kind]");
    if (!canvas || !field || !panel || !option || !canvas.getContext) { return; }

    var ctx = canvas.getContext("2d");
    var drawing = false;
    var last = null;
    var inked = false;

    // Drawing is available: offer it, and make it the default on a fresh form.
    option.hidden = false;
    if (form.getAttribute("data-default-kind") === "drawn") {
      form.querySelector("#kind-drawn").checked = true;
    }

    function kind() {
      var chosen = "";
      radios.forEach(function (r) { if (r.checked) { chosen = r.value; } });
      return chosen;
    }

    function showPanel() {
      panel.hidden = kind() !== "drawn";
      if (!panel.hidden) { resize(); }
    }

    function pen() {
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#1a1a2e";
    }

    // Match the canvas's pixels to its displayed size (at most 2x for
    // high-density screens, which keeps the PNG small), keeping the drawing.
    function resize() {
      var box = canvas.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) { return; }
      var scale = Math.min(window.devicePixelRatio || 1, 2);
      var w = Math.round(box.width * scale), h = Math.round(box.height * scale);
      if (canvas.width === w && canvas.height === h) { return; }
      canvas.width = w;
      canvas.height = h;
      ctx.setTransform(scale, 0, 0, scale, 0, 0);
      pen();
      restore();
    }

    // Put back a drawing the server returned with the form (after an error).
    function restore() {
      var url = field.value;
      if (url.indexOf("data:image/png;base64,") !== 0) { return; }
      var img = new Image();
      img.onload = function () {
        var box = canvas.getBoundingClientRect();
        ctx.drawImage(img, 0, 0, box.width, box.height);
        inked = true;
      };
      img.src = url;
    }

    function point(evt) {
      var box = canvas.getBoundingClientRect();
      return { x: evt.clientX - box.left, y: evt.clientY - box.top };
    }

    function save() {
      if (inked) { field.value = canvas.toDataURL("image/png"); }
    }

    canvas.addEventListener("pointerdown", function (evt) {
      if (evt.button !== undefined && evt.button > 0) { return; }
      evt.preventDefault();
      if (canvas.setPointerCapture) { canvas.setPointerCapture(evt.pointerId); }
      drawing = true;
      last = point(evt);
      // A tap leaves a dot.
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fill();
      inked = true;
    });

    canvas.addEventListener("pointermove", function (evt) {
      if (!drawing) { return; }
      evt.preventDefault();
      var p = point(evt);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      last = p;
    });

    function end(evt) {
      if (!drawing) { return; }
      drawing = false;
      last = null;
      if (canvas.releasePointerCapture && canvas.hasPointerCapture && canvas.hasPointerCapture(evt.pointerId)) {
        canvas.releasePointerCapture(evt.pointerId);
      }
      save();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("pointerleave", end);

    if (clear) {
      clear.addEventListener("click", function () {
        ctx.save();
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        ctx.restore();
        inked = false;
        field.value = "";
      });
    }

    radios.forEach(function (r) { r.addEventListener("change", showPanel); });
    window.addEventListener("resize", function () { if (!panel.hidden) { save(); resize(); } });
    form.addEventListener("submit", save);
    pen();
    showPanel();
  }

  document.querySelectorAll("form[data-signature-form]").forEach(setup);
})();
