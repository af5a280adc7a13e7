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
