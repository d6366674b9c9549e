// Search page history. Live results replace the address of the entry being typed into;
// a submitted search pushes a new entry. So that Back from a submitted search reaches the
// previous search (not the same one), the entry that live typing rewrote gets its own
// address back just before the new entry is pushed. htmx keeps a snapshot of each entry's
// markup: the box is given the query of the address saved, not the text typed since.
(function () {
  "use strict";
  let committed = location.pathname + location.search;

  document.body.addEventListener("htmx:beforeHistorySave", function () {
    const query = new URLSearchParams(location.search).get("q") || "";
    const box = document.getElementById("search-q");
    if (box) {
      box.setAttribute("value", query);
    }
  });
  document.body.addEventListener("htmx:beforeHistoryUpdate", function (event) {
    const here = location.pathname + location.search;
    if (event.detail.history.type === "push" && here !== committed) {
      history.replaceState({ htmx: true }, "", committed);
    }
  });
  document.body.addEventListener("htmx:pushedIntoHistory", function (event) {
    committed = event.detail.path;
  });
  window.addEventListener("popstate", function () {
    committed = location.pathname + location.search;
  });
  // A submit that htmx did not take (Enter pressed while freshly swapped results were not yet
  // wired up) navigates natively: give the entry live typing rewrote its own address back
  // first, as a pushed search does, so Back still reaches the previous search.
  document.addEventListener("submit", function (event) {
    const here = location.pathname + location.search;
    if (!event.defaultPrevented && here !== committed) {
      history.replaceState(history.state, "", committed);
    }
  });
})();

// Opening a result: the choice is posted as a beacon, with the CSRF token and the result's
// impression token, and the link then goes straight to the artifact page. Without
// JavaScript the link's own redirect records the choice instead.
(function () {
  "use strict";
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }
  function opened(event) {
    const link = event.target.closest && event.target.closest("a[data-open-beacon]");
    if (!link || (event.type === "auxclick" && event.button !== 1)) {
      return;
    }
    const choice = new FormData();
    choice.append("csrfmiddlewaretoken", csrfToken());
    choice.append("q", link.dataset.query || "");
    choice.append("t", link.dataset.token || "");
    if (navigator.sendBeacon && navigator.sendBeacon(link.dataset.openBeacon, choice)) {
      link.href = link.dataset.destination;
    }
  }
  document.addEventListener("click", opened);
  document.addEventListener("auxclick", opened);
})();
