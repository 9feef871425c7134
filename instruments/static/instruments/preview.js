/* Office preview: on "Submit", show the answers document instead of sending it. */
document.addEventListener("survey:finished", function (event) {
  var box = document.getElementById("preview-result");
  var answers = {};
  Object.keys(event.detail).forEach(function (key) {
    var value = event.detail[key];
    if (value !== null && !(Array.isArray(value) && value.length === 0)) answers[key] = value;
  });
  box.querySelector("pre").textContent = JSON.stringify(answers, null, 2);
  box.hidden = false;
  box.scrollIntoView({ behavior: "smooth" });
});

/* The preview never sends its form (formerly an inline onsubmit, which the
   Content-Security-Policy forbids). */
document.addEventListener("submit", function (event) {
  if (event.target && event.target.id === "survey-form") event.preventDefault();
});
