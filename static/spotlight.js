// Spotlight: a search box over the geographic-focus checkboxes of the
// profile editor. Without JavaScript the list is a plain scrollable set of
// checkboxes (chosen ones first); with it, typing narrows the list, Enter
// ticks the first match, and arrow keys move between the visible boxes.
(function () {
  "use strict";
  function setup() {
    var picker = document.getElementById("area-picker");
    if (!picker) { return; }
    var box = picker.querySelector(".area-filter");
    var input = document.getElementById("area-search");
    var count = document.getElementById("area-count");
    var labels = Array.prototype.slice.call(picker.querySelectorAll(".area-list label"));
    box.hidden = false;
    function visible() { return labels.filter(function (l) { return !l.hidden; }); }
    function filter() {
      var q = input.value.trim().toLowerCase();
      labels.forEach(function (l) {
        var name = (l.getAttribute("data-name") || "").toLowerCase();
        l.hidden = q !== "" && name.indexOf(q) === -1;
      });
      var n = visible().length;
      count.textContent = q === "" ? "" : n + (n === 1 ? " match" : " matches");
    }
    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (e) {
      var first = visible()[0];
      if (e.key === "Enter") {
        e.preventDefault(); // never submit the whole form from the search box
        if (first) { first.querySelector("input").click(); }
      } else if (e.key === "ArrowDown" && first) {
        e.preventDefault();
        first.querySelector("input").focus();
      }
    });
    picker.querySelector(".area-list").addEventListener("keydown", function (e) {
      if (e.key !== "ArrowDown" && e.key !== "ArrowUp") { return; }
      var vis = visible(), i = vis.indexOf(document.activeElement.closest("label"));
      if (i < 0) { return; }
      e.preventDefault();
      if (e.key === "ArrowUp" && i === 0) { input.focus(); return; }
      var next = vis[e.key === "ArrowDown" ? Math.min(i + 1, vis.length - 1) : i - 1];
      next.querySelector("input").focus();
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
})();
