// An export written in the background: its page asks for the job's state every two seconds
// and shows the rows written; when the workbook is ready, the download link appears, and a
// failed job reloads the page, which offers the retry.
"use strict";

(() => {
  const section = document.querySelector("#export-job[data-state-url]");
  if (!section) return;
  const url = section.dataset.stateUrl;
  const PERIOD = 2000;
  const set = (selector, value) => {
    const node = document.querySelector(selector);
    if (node) node.textContent = value;
  };
  const show = (data) => {
    set("#export-status", data.status_label);
    set("#export-done", data.done);
    set("#export-total", data.total);
    set("#export-percent", data.percent);
    const bar = document.querySelector("#export-bar");
    if (bar) {
      bar.max = data.total || 1;
      bar.value = data.done;
      bar.textContent = data.percent + "%";
    }
    const badge = document.querySelector("#export-status");
    if (badge) badge.className = "badge export-" + data.status;
  };
  const poll = () => {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((data) => {
        show(data);
        if (data.status === "done") {
          document.querySelector("#export-ready").hidden = false;
        } else if (data.status === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(poll, PERIOD);
        }
      })
      .catch(() => window.setTimeout(poll, PERIOD * 3));
  };
  const status = section.dataset.status;
  if (status === "queued" || status === "running") window.setTimeout(poll, PERIOD);
})();
