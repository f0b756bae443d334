// Kiosk result screens (ticket, check-in, refusal, a refused code, the privacy notice) go
// back to the start by themselves: the element with data-kiosk-return="SECONDS" and
// data-kiosk-return-url shows the seconds left; "I need more time", and any typing,
// touch or scrolling, starts the countdown again (WCAG 2.2.1).
(function () {
  "use strict";
  var timer = document.querySelector("[data-kiosk-return]");
  if (!timer) {
    return;
  }
  var seconds = parseInt(timer.getAttribute("data-kiosk-return"), 10) || 20;
  var url = timer.getAttribute("data-kiosk-return-url") || "/";
  var shown = timer.querySelector("[data-kiosk-countdown]");
  var left = seconds;
  var extend = document.querySelector("[data-kiosk-extend]");

  function show() {
    if (shown) {
      shown.textContent = String(left);
    }
  }

  function again() {
    left = seconds;
    show();
  }

  if (extend) {
    extend.hidden = false;
    extend.addEventListener("click", again);
  }
  ["input", "keydown", "pointerdown", "scroll"].forEach(function (name) {
    window.addEventListener(name, again, {passive: true});
  });
  window.setInterval(function () {
    left -= 1;
    if (left <= 0) {
      window.location.replace(url);
      return;
    }
    show();
  }, 1000);
})();
