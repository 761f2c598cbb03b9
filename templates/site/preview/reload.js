/* Added by `gazette serve` to every page it serves (never written into the built site): reloads the page
   after each successful rebuild, and shows a content error over the page while the last good build stays. */
(function () {
  "use strict";
  var STATUS = "/__gazette/status";
  var known = null;
  var box = null;

  function showError(message) {
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:50vh;overflow:auto;z-index:9999;" +
        "background:#fff3f3;color:#5a0000;border-top:4px solid #b00020;padding:1rem;font:16px/1.6 monospace;" +
        "white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "内容有错误，没有重新生成网站；下面是错误，网页显示的仍是上一次成功生成的结果。\n\n" + message;
  }

  function poll() {
    fetch(STATUS, { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (status) {
      if (known === null) { known = status.build; }
      if (status.build !== known) { window.location.reload(); return; }
      if (status.error) { showError(status.error); } else if (box) { box.remove(); box = null; }
    }).catch(function () { /* the server is restarting: try again */ }).then(function () {
      window.setTimeout(poll, 1000);
    });
  }
  poll();
})();
