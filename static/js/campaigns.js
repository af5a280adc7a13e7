// Campaigns: the detail page's figures refresh every 15 seconds from the progress API (the
// page is complete without it), and a task form of a campaign that needs the location asks
// the phone for it at once.
"use strict";

(() => {
  const section = document.querySelector("#campaign-progress[data-progress-url]");
  if (!section) return;
  const PERIOD = 15000;
  const percent = (done, total) => (total ? Math.round((100 * done) / total) : 0);
  const setText = (root, selector, value) => {
    const node = root.querySelector(selector);
    if (node) node.textContent = value;
  };
  const setBar = (bar, done, total) => {
    if (!bar) return;
    bar.max = total || 1;
    bar.value = done;
    bar.textContent = percent(done, total) + "%";
  };
  const show = (data) => {
    setText(document, "#overall-done", data.done);
    setText(document, "#overall-total", data.total);
    setText(document, "#overall-percent", percent(data.done, data.total));
    setText(document, "#overall-unassigned", data.unassigned);
    setBar(document.querySelector("#overall-bar"), data.done, data.total);
    (data.by_area || []).forEach((area) => {
      const row = section.querySelector(`tr[data-area="${area.id}"]`);
      if (!row) return;
      setText(row, ".done", area.done);
      setText(row, ".total", area.total);
      setText(row, ".percent", percent(area.done, area.total) + "%");
      setBar(row.querySelector("progress"), area.done, area.total);
      row.classList.toggle("complete", area.total > 0 && area.done === area.total);
    });
  };
  let delay = PERIOD;
  const refresh = async () => {
    if (!document.hidden) {
      try {
        const response = await fetch(section.dataset.progressUrl, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        // Gone, refused or not there: the page as loaded stays, without refreshing.
        if ([401, 403, 404].includes(response.status)) return;
        if (!response.ok) throw new Error(response.status);
        show(await response.json());
        delay = PERIOD;
      } catch (error) {
        delay = Math.min(delay * 2, 8 * PERIOD); // a dropped signal: try again, less often
      }
    }
    setTimeout(refresh, delay);
  };
  setTimeout(refresh, PERIOD);
})();

document.querySelectorAll("form[data-auto-locate]").forEach((form) => {
  if (!form.elements.location_lat?.value) form.querySelector("[data-locate]")?.click();
});
