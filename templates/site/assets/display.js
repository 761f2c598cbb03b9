/* Display settings: 大字版 (large text) and 高对比度 (high contrast), remembered across pages in localStorage.
   Loaded in <head> so the saved setting applies before the first paint; the buttons are shown only when this
   script runs, so a reader without JavaScript never sees a switch that does nothing. */
(function () {
  "use strict";
  var KEY = "gazette-display";
  var CLASSES = { large: "large-text", contrast: "high-contrast" };
  var root = document.documentElement;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY)) || {}; } catch (e) { return {}; }
  }
  function save(prefs) {
    try { window.localStorage.setItem(KEY, JSON.stringify(prefs)); } catch (e) { /* private mode: not remembered */ }
  }
  function apply(prefs) {
    Object.keys(CLASSES).forEach(function (name) { root.classList.toggle(CLASSES[name], !!prefs[name]); });
  }

  var prefs = load();
  apply(prefs);
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("button[data-display]");
    Array.prototype.forEach.call(buttons, function (button) {
      var name = button.getAttribute("data-display");
      button.hidden = false;
      button.setAttribute("aria-pressed", prefs[name] ? "true" : "false");
      button.addEventListener("click", function () {
        prefs[name] = !prefs[name];
        save(prefs);
        apply(prefs);
        button.setAttribute("aria-pressed", prefs[name] ? "true" : "false");
      });
    });
  });
})();
