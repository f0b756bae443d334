// After a refused form submit, take keyboard and screen-reader users to the error summary.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("form-errors");
  if (summary) {
    summary.focus();
  }
});
