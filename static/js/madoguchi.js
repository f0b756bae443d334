// After a refused form submit, take keyboard and screen-reader users to the error summary.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("form-errors");
  if (summary) {
    summary.focus();
  }
});

// Buttons that print the page (the counter receipt): no inline handlers, for the CSP.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});

// After htmx puts new content in place, move focus where the element asks
// (data-focus-after-swap="id"), so keyboard and screen-reader users follow the update.
document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail.target;
  var id = target && target.getAttribute("data-focus-after-swap");
  var heading = id && document.getElementById(id);
  if (heading) {
    heading.focus();
  }
});

// A polling region (the counter queue) does not refresh while the clerk is working in
// it: a refresh would take away the focused button or field. The notice says so, and
// why, for as long as it is paused.
document.addEventListener("htmx:beforeRequest", function (event) {
  var element = event.detail.elt;
  if (!element || !element.hasAttribute("data-pause-while-focused")) {
    return;
  }
  var choosing = element.querySelector("[data-unsent]");
  if (choosing || element.contains(document.activeElement)) {
    event.preventDefault();
    showQueuePaused(choosing ? "choice" : "focus");
  } else {
    showQueuePaused(null);
  }
});

// A list opened and closed again with the mouse, or a button clicked, keeps the focus,
// which would pause the refresh until the next click elsewhere: a pointer click gives
// it back (the keyboard keeps it, to go on from there).
document.addEventListener("click", function (event) {
  var region = event.target.closest && event.target.closest("[data-pause-while-focused]");
  var control = region && event.detail > 0 && event.target.closest("summary, button");
  if (!control) {
    return;
  }
  window.setTimeout(function () {
    var details = control.closest("details");
    if (!details || !details.open) {
      control.blur();
    }
  }, 0);
});

// After an action the queue opens at the citizen's row (#visit-…): the result, said at
// the top of the page, stays pinned in view above it (helper 45: a refusal was 600 px
// above the screen, and the click seemed to do nothing).
// (On "load": the browser puts back the page's earlier scroll position before it.)
window.addEventListener("load", function () {
  var messages = document.querySelector(".messages");
  var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
  if (!messages || !target) {
    return;
  }
  messages.classList.add("messages-pinned");
  target.style.scrollMarginTop = messages.offsetHeight + 16 + "px";
  target.scrollIntoView({block: "start", behavior: "instant"});
  messages.addEventListener("click", function () {
    messages.classList.remove("messages-pinned");
  });
});

// The error summary's links move focus to their field and show its label or legend
// above it (a plain fragment link only scrolls, and may hide the label under the top).
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-focus-field]");
  if (!link) {
    return;
  }
  var field = document.getElementById(link.getAttribute("data-focus-field"));
  if (!field) {
    return;
  }
  event.preventDefault();
  var context = field.closest("fieldset") || field.closest(".mb-3") || field;
  context.scrollIntoView({block: "start"});
  field.focus({preventScroll: true});
});

// Actions that cannot be undone (the counter's no-show and done) ask first. The server
// asks on a page of its own when the form arrives without this confirmation.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (!question) {
    return;
  }
  if (!window.confirm(question)) {
    event.preventDefault();
    return;
  }
  if (form.elements.confirmed) {
    form.elements.confirmed.value = "1";
  }
});

// The notice of a paused refresh: "choice" (something chosen and not yet sent),
// "focus" (a control in the list has the focus) or null (not paused).
function showQueuePaused(reason) {
  ["choice", "focus"].forEach(function (kind) {
    var notice = document.getElementById(kind === "choice" ? "queue-paused" : "queue-paused-focus");
    if (notice) {
      notice.hidden = reason !== kind;
    }
  });
}

// A choice made in a polling region and not yet sent (a transfer target) pauses the
// refresh too, so the next update does not throw it away; the notice says so.
document.addEventListener("change", function (event) {
  var region = event.target.closest && event.target.closest("[data-pause-while-focused]");
  if (!region) {
    return;
  }
  if (event.target.value) {
    event.target.setAttribute("data-unsent", "");
  } else {
    event.target.removeAttribute("data-unsent");
  }
  showQueuePaused(region.querySelector("[data-unsent]") ? "choice" : null);
});

// An opened list (the documents a citizen agreed to) stays open: it pauses the refresh,
// and the notice says so.
document.addEventListener("toggle", function (event) {
  var details = event.target;
  var region = details.closest && details.closest("[data-pause-while-focused]");
  if (!region) {
    return;
  }
  if (details.open) {
    details.setAttribute("data-unsent", "");
  } else {
    details.removeAttribute("data-unsent");
  }
  showQueuePaused(region.querySelector("[data-unsent]") ? "choice" : null);
}, true);

// The staff header's "More" menu (details/summary, works without script): with script it
// also closes like a menu, on a click elsewhere or on Escape (focus back on its summary).
document.addEventListener("click", function (event) {
  document.querySelectorAll(".nav-more details[open]").forEach(function (menu) {
    if (!menu.contains(event.target)) {
      menu.removeAttribute("open");
    }
  });
});
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") {
    return;
  }
  var menu = document.activeElement && document.activeElement.closest(".nav-more details[open]");
  if (menu) {
    menu.removeAttribute("open");
    menu.querySelector("summary").focus();
  }
});
