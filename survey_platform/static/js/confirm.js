/* A form with data-confirm="question" asks before it is sent. Replaces inline onsubmit
   handlers, which the Content-Security-Policy forbids (core/csp.py). */
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form instanceof HTMLFormElement ? form.getAttribute("data-confirm") : null;
  if (question && !window.confirm(question)) event.preventDefault();
});
