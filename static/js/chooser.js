/* Searchable choosers (governance/platform/choosers.py): every input[data-chooser] becomes
   a search box over its JSON address. The original input stays in the form, hidden, and
   carries what is submitted: the chosen entry's id, or, while nothing is chosen, the text
   typed (the server also takes a division code or an exact name). No inline script: CSP. */
(function () {
  "use strict";
  var counter = 0;

  function enhance(field) {
    if (field.dataset.chooserReady) return;
    field.dataset.chooserReady = "1";
    counter += 1;
    var listId = "chooser-list-" + counter;
    var box = document.createElement("input");
    box.type = "search";
    box.className = "chooser-box";
    box.autocomplete = "off";
    box.placeholder = field.placeholder || "";
    box.value = field.dataset.chooserLabel || field.value;
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", listId);
    if (field.id) {
      // The label points at the visible box; the hidden input keeps its name.
      box.id = field.id;
      field.id = field.id + "-value";
    }
    if (field.required) box.required = true;
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      if (field.hasAttribute(name)) box.setAttribute(name, field.getAttribute(name));
    });
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "chooser-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var wrap = document.createElement("div");
    wrap.className = "chooser";
    field.parentNode.insertBefore(wrap, field);
    wrap.appendChild(box);
    wrap.appendChild(list);
    wrap.appendChild(field);
    field.type = "hidden";
    field.required = false;

    var timer = null;
    var active = -1;
    var asked = 0;

    function options() {
      return list.querySelectorAll("[role=option]");
    }
    function close() {
      list.hidden = true;
      active = -1;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
    }
    function highlight(index) {
      var items = options();
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      box.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }
    function choose(item) {
      field.value = item.dataset.id;
      box.value = item.dataset.label;
      close();
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function note(text) {
      var li = document.createElement("li");
      li.className = "chooser-note";
      li.textContent = text;
      list.appendChild(li);
    }
    function show(data, query) {
      list.textContent = "";
      active = -1;
      data.results.forEach(function (row, i) {
        var li = document.createElement("li");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.dataset.id = row.id;
        li.dataset.label = row.label;
        li.textContent = row.label;
        li.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box
          choose(li);
        });
        list.appendChild(li);
      });
      if (!data.results.length) note((field.dataset.chooserNone || "—").replace("%s", query));
      if (data.more) note((field.dataset.chooserMore || "…").replace("%s", data.results.length));
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
    }
    function search() {
      var query = box.value.trim();
      var ticket = ++asked;
      var url = field.dataset.chooser;
      url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (data) {
          if (ticket === asked && document.activeElement === box) show(data, query);
        })
        .catch(function () {
          close();
        });
    }

    box.addEventListener("input", function () {
      // Until an entry is picked, what is typed is sent (a code or an exact name).
      field.value = box.value.trim();
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    box.addEventListener("focus", function () {
      if (!field.value) search();
    });
    box.addEventListener("blur", function () {
      setTimeout(close, 150);
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) {
          search();
        } else {
          highlight(active + (event.key === "ArrowDown" ? 1 : -1));
        }
      } else if (event.key === "Enter" && !list.hidden && (active >= 0 || options().length === 1)) {
        event.preventDefault(); // choosing is not submitting
        choose(options()[Math.max(active, 0)]);
      } else if (event.key === "Escape") {
        close();
      }
    });
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("input[data-chooser]").forEach(enhance);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhanceAll();
    });
  } else {
    enhanceAll();
  }
})();
