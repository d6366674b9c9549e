// The comparison grid swaps itself in place when a column is added or removed. htmx gives focus
// back to an element with the focused one's id (the Remove buttons are named by position, so
// that is the button of the column now in the removed one's place); when there is none, focus
// would fall to the top of the page, so it goes to the grid's heading instead.
(function () {
  "use strict";
  document.body.addEventListener("htmx:afterSettle", function () {
    const lost = !document.activeElement || document.activeElement === document.body;
    const heading = document.getElementById("grid-title");
    if (lost && heading) {
      heading.focus();
    }
  });
})();
