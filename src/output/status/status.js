(function () {
  "use strict";
  var input = document.getElementById("q");
  var drifted = document.getElementById("drifted");
  var shown = document.getElementById("shown");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#status tbody tr.flag"));
  var buttons = Array.prototype.slice.call(document.querySelectorAll("#status button.more"));
  var fields = { name: "key", key: "key", owner: "owner", "class": "class", app: "app", profile: "profile" };

  function param(name) {
    var fromHash = new URLSearchParams(location.hash.replace(/^#/, "")).get(name);
    return fromHash !== null ? fromHash : new URLSearchParams(location.search).get(name);
  }

  function has(value, term) {
    return (value || "").toLowerCase().indexOf(term) !== -1;
  }

  function matches(row, terms) {
    return terms.every(function (term) {
      var at = term.indexOf(":");
      var field = at > 0 ? fields[term.slice(0, at)] : undefined;
      if (field) {
        return has(row.getAttribute("data-" + field), term.slice(at + 1));
      }
      return ["key", "owner", "class"].some(function (f) {
        return has(row.getAttribute("data-" + f), term);
      });
    });
  }

  function filter(keepInUrl) {
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var count = 0;
    rows.forEach(function (row) {
      var visible = matches(row, terms) && (!drifted.checked || row.classList.contains("drifted"));
      row.hidden = !visible;
      var button = row.querySelector("button.more");
      var detail = button && document.getElementById(button.getAttribute("aria-controls"));
      if (detail) { detail.hidden = !visible || button.getAttribute("aria-expanded") !== "true"; }
      if (visible) { count += 1; }
    });
    shown.textContent = count === rows.length
      ? "All " + rows.length + " flags shown."
      : count + " of " + rows.length + " flags shown.";
    if (keepInUrl) {
      var params = new URLSearchParams();
      if (input.value) { params.set("q", input.value); }
      if (drifted.checked) { params.set("drifted", "1"); }
      var hash = params.toString();
      try {
        history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
      } catch (e) { /* some file:// contexts refuse; the filter still works */ }
    }
  }

  function fromUrl() {
    input.value = param("q") || "";
    drifted.checked = param("drifted") === "1";
    // `open=KEY` unfolds that flag's details: a link to one flag.
    var open = param("open");
    buttons.forEach(function (button) {
      var key = button.closest("tr").getAttribute("data-key");
      button.setAttribute("aria-expanded", open !== null && key === open ? "true" : "false");
    });
    filter(false);
  }

  // Details start folded once the script runs; without it they stay readable.
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      document.getElementById(button.getAttribute("aria-controls")).hidden = !open;
    });
  });

  input.addEventListener("input", function () { filter(true); });
  drifted.addEventListener("change", function () { filter(true); });
  window.addEventListener("hashchange", fromUrl);
  fromUrl();
})();
