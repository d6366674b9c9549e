// Both comparison pages swap themselves in place: a grid column added or removed, a pair's side
// swapped. htmx gives focus back to an element with the focused one's id (the grid's Remove
// buttons are named by position, so that is the button of the column now in the removed one's
// place). When the focused control is gone with the swap (a picker's suggestion), focus goes to
// the element that control named in data-focus-after (the incoming side's Swap control), else to
// the page's heading (data-focus-fallback): never to the top of the page.
(function () {
  "use strict";
  document.body.addEventListener("htmx:afterSettle", function (event) {
    const lost = !document.activeElement || document.activeElement === document.body;
    if (!lost) {
      return;
    }
    // The control that made this request (read from the request, not from a later one).
    const trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    const wanted = trigger && trigger.getAttribute("data-focus-after");
    const next = (wanted && document.getElementById(wanted)) ||
      document.querySelector("[data-focus-fallback]");
    if (next) {
      next.focus();
    }
  });
})();
