// Expands area tree nodes on demand: fetches the child rows from the server once.
"use strict";

document.addEventListener("click", async (event) => {
  const toggle = event.target.closest("button.toggle[data-children-url]");
  if (!toggle) return;
  const list = toggle.closest("li").querySelector(":scope > ul.tree");
  const expanded = toggle.getAttribute("aria-expanded") === "true";
  if (expanded) {
    toggle.setAttribute("aria-expanded", "false");
    list.hidden = true;
    return;
  }
  if (!list.dataset.loaded) {
    toggle.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(toggle.dataset.childrenUrl, {
        headers: { "X-Requested-With": "XMLHttpRequest" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(response.status);
      list.innerHTML = await response.text();
      list.dataset.loaded = "1";
    } catch (error) {
      list.innerHTML = "<li class=\"empty\">" + (document.documentElement.lang === "en"
        ? "Could not load; please try again." : "加载失败，请重试。") + "</li>";
    } finally {
      toggle.removeAttribute("aria-busy");
    }
  }
  toggle.setAttribute("aria-expanded", "true");
  list.hidden = false;
});

// Report form: show only the chosen kind's categories; add the phone's location on request.
document.querySelectorAll("form[data-report-form]").forEach((form) => {
  const select = form.querySelector("[data-category-select]");
  const showKind = () => {
    const kind = form.querySelector("input[name=kind]:checked")?.value;
    select.querySelectorAll("optgroup").forEach((group) => {
      const match = group.dataset.kind === kind;
      group.hidden = !match;
      group.disabled = !match;
    });
    if (select.selectedOptions[0]?.parentElement?.disabled) select.value = "";
  };
  form.querySelectorAll("input[name=kind]").forEach((radio) => radio.addEventListener("change", showKind));
  showKind();
  // Party rows after the first stay folded until asked for (or already filled in).
  const rows = [...form.querySelectorAll("[data-party-row]")];
  const addParty = form.querySelector("[data-add-party]");
  const filled = (row) => [...row.querySelectorAll("input")].some((input) => input.value)
    || row.querySelector(".field-error");
  rows.slice(1).forEach((row) => { row.hidden = !filled(row); });
  const refresh = () => { addParty.hidden = !rows.some((row) => row.hidden); };
  addParty?.addEventListener("click", () => {
    const next = rows.find((row) => row.hidden);
    if (next) { next.hidden = false; next.querySelector("input")?.focus(); }
    refresh();
  });
  if (addParty) refresh();
  const locate = form.querySelector("[data-locate]");
  const status = form.querySelector("[data-locate-status]");
  locate?.addEventListener("click", () => {
    if (!navigator.geolocation) return;
    status.textContent = "…";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.elements.location_lat.value = position.coords.latitude.toFixed(6);
        form.elements.location_lng.value = position.coords.longitude.toFixed(6);
        status.textContent = form.elements.location_lat.value + ", " + form.elements.location_lng.value;
      },
      () => { status.textContent = document.documentElement.lang === "en" ? "Location unavailable" : "无法获取位置"; },
      { enableHighAccuracy: true, timeout: 10000 },
    );
  });
});

// One press is enough: a second press while the first is sending would only wait longer.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button?.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  if (!button) return;
  setTimeout(() => { button.disabled = true; }, 0);
  setTimeout(() => { button.disabled = false; }, 8000);
});

// The printable bulletin's button.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// Lists as cards on a phone (table.cards in app.css): each cell is shown under its column's
// name; cells the template did not label take the header's text.
document.querySelectorAll("table.cards").forEach((table) => {
  const head = table.tHead?.rows[0];
  if (!head) return;
  const names = [];
  [...head.cells].forEach((cell) => {
    for (let span = 0; span < cell.colSpan; span += 1) names.push(cell.textContent.trim());
  });
  [...table.tBodies].forEach((body) => {
    [...body.rows].forEach((row) => {
      let column = 0;
      [...row.cells].forEach((cell) => {
        if (!cell.hasAttribute("data-label") && names[column] !== undefined) {
          cell.dataset.label = names[column];
        }
        column += cell.colSpan;
      });
    });
  });
});

// The case list's selection: tick all on the page, and say how many are ticked.
document.querySelectorAll("form.selection-form").forEach((form) => {
  const boxes = [...form.querySelectorAll("input[name=ids]")];
  const all = form.querySelector("[data-select-all]");
  const count = form.querySelector("[data-selected-count]");
  const buttons = form.querySelectorAll(".batch-bar button");
  const hint = count?.textContent;
  const refresh = () => {
    const ticked = boxes.filter((box) => box.checked).length;
    if (count) {
      count.textContent = ticked ? (document.documentElement.lang === "en"
        ? `${ticked} selected` : `已选 ${ticked} 件`) : hint;
    }
    buttons.forEach((button) => { button.disabled = ticked === 0; });
    if (all) all.checked = ticked > 0 && ticked === boxes.length;
  };
  all?.addEventListener("change", () => {
    boxes.forEach((box) => { box.checked = all.checked; });
    refresh();
  });
  boxes.forEach((box) => box.addEventListener("change", refresh));
  refresh();
});

// Tap to call: the masked number's button asks the server for the full one (the request is
// logged with its purpose) and hands it to the phone's dialler; without a script the form's
// answer is a page with the number to tap.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-call]");
  if (!form) return;
  event.preventDefault();
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(response.status);
    const { tel } = await response.json();
    window.location.href = "tel:" + tel;
  } catch (error) {
    form.removeAttribute("data-call");
    form.submit();
  } finally {
    form.querySelectorAll("button").forEach((button) => { button.disabled = false; });
  }
}, true);
