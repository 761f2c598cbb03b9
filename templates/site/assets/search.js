/* Site search with Pagefind's index (pagefind/ at the site root), entirely local. Wording comes from the
   data-* attributes of #search-status in the page, so none is written here. */
(function () {
  "use strict";
  // The site root, from this script's own address (assets/search.js): pages may sit at any depth and the
  // site in any subfolder.
  var siteRoot = new URL("../", document.currentScript.src);
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var query = new URLSearchParams(window.location.search).get("q") || "";
  input.value = query;

  if (window.location.protocol === "file:") {
    // Browsers refuse to load the index from file:// pages; say so instead of failing silently.
    document.getElementById("search-offline").hidden = false;
    return;
  }

  function say(key, values) {
    var text = status.getAttribute("data-" + key) || "";
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    status.textContent = text;
  }

  function pageUrl(url) {
    // Pagefind gives /notices/ID/; link index.html relative to the site root, as every other link does.
    var path = url.replace(/^\//, "");
    if (path === "" || path.slice(-1) === "/") { path += "index.html"; }
    return new URL(path, siteRoot).href;
  }

  function facts(meta) {
    // The page's <template id="search-facts"> holds the labels; fill in the hit's region, status and date.
    var copy = document.getElementById("search-facts").content.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll("[data-meta]"), function (field) {
      field.textContent = meta[field.getAttribute("data-meta")] || "—";
    });
    return copy;
  }

  function show(results) {
    list.textContent = "";
    results.forEach(function (data) {
      var item = document.createElement("li");
      item.className = "entry";
      var heading = document.createElement("h2");
      heading.className = "entry-title";
      var link = document.createElement("a");
      link.href = pageUrl(data.url);
      link.textContent = data.meta.title || data.url;
      heading.appendChild(link);
      var excerpt = document.createElement("p");
      excerpt.className = "excerpt";
      excerpt.innerHTML = data.excerpt; // Pagefind escapes the page text and adds only <mark>
      item.appendChild(heading);
      item.appendChild(facts(data.meta));
      item.appendChild(excerpt);
      list.appendChild(item);
    });
  }

  async function run(text) {
    if (!text.trim()) { return; }
    say("searching");
    try {
      // The index folders, primary first: a large site's index comes in shards (gazette/site/search.py),
      // merged here into one search. No folder: the site has no notices yet.
      var folders = (status.getAttribute("data-index") || "").split(" ").filter(Boolean);
      if (!folders.length) { show([]); say("none", { query: text }); return; }
      var pagefind = await import(new URL(folders[0] + "/pagefind.js", siteRoot).href);
      // Result URLs relative to the site root ("/notices/ID/"), not to wherever the server mounts the site.
      await pagefind.options({ baseUrl: "/" });
      for (var i = 1; i < folders.length; i++) {
        await pagefind.mergeIndex(new URL(folders[i] + "/", siteRoot).href, { baseUrl: "/" });
      }
      var search = await pagefind.search(text);
      var results = await Promise.all(search.results.slice(0, 50).map(function (r) { return r.data(); }));
      show(results);
      say(results.length ? "found" : "none", { count: String(results.length), query: text });
    } catch (e) {
      say("failed");
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    var address = new URL(window.location.href);
    address.searchParams.set("q", text);
    window.history.replaceState(null, "", address.href);
    run(text);
  });
  run(query);
})();
