// Live progress of a background job: poll its status until it is done or failed.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var finished = { done: true, failed: true };
  if (finished[box.getAttribute("data-status")]) return;
  function show(data) {
    document.getElementById("job-status").textContent = data.status_display;
    document.getElementById("job-stage").textContent = data.stage ? "· " + data.stage : "";
    document.getElementById("job-progress").value = data.progress;
    document.getElementById("job-percent").textContent = data.progress + "%";
    if (data.error) {
      var err = document.getElementById("job-error");
      err.textContent = data.error;
      err.hidden = false;
    }
    if (data.download_url) {
      var dl = document.getElementById("job-download");
      dl.querySelector("a").href = data.download_url;
      dl.hidden = false;
    }
    if (finished[data.status]) {
      // Reload once so the page shows the actions of the final state (retry, review).
      window.location.reload();
      return;
    }
    window.setTimeout(poll, 1000);
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(show)
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
