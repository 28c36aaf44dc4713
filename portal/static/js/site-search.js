/* The unified search: as-you-type suggestions for every search field marked [data-combobox]
   (the header's and /sok/'s), and the small things that keep the /sok/ page in place while
   htmx updates it. Without this file the fields are plain search fields that submit to /sok/. */
(function () {
  "use strict";

  var DELAY_MS = 200;
  var MIN_CHARS = 2;

  // --- Combobox (WAI-ARIA 1.2: input role=combobox, listbox popup, aria-activedescendant) ---

  function Combobox(root) {
    this.input = root.querySelector('[role="combobox"]');
    this.listbox = document.getElementById(this.input.getAttribute("aria-controls"));
    this.status = document.getElementById(this.input.dataset.suggestStatus);
    this.url = this.input.dataset.suggestUrl;
    this.timer = null;
    this.request = null;
    this.lastText = null;
    this.active = -1;
    this.bind();
  }

  Combobox.prototype.options = function () {
    return Array.prototype.slice.call(this.listbox.querySelectorAll('[role="option"]'));
  };

  Combobox.prototype.isOpen = function () {
    return this.input.getAttribute("aria-expanded") === "true";
  };

  Combobox.prototype.open = function () {
    if (!this.options().length) return;
    this.listbox.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  };

  Combobox.prototype.close = function () {
    this.listbox.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.setActive(-1);
  };

  Combobox.prototype.setActive = function (index) {
    var options = this.options();
    this.active = index;
    options.forEach(function (option, i) {
      var on = i === index;
      option.setAttribute("aria-selected", on ? "true" : "false");
      option.classList.toggle("aksel-combobox__list-item--focus", on);
    });
    if (index >= 0 && options[index]) {
      this.input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  Combobox.prototype.announce = function (text) {
    if (this.status) this.status.textContent = text;
  };

  // The words come from the template (data-found, data-none), so they are translated there.
  Combobox.prototype.text = function (name, fallback) {
    return (this.status && this.status.dataset[name]) || fallback;
  };

  Combobox.prototype.go = function (option) {
    var href = option && option.dataset.href;
    if (!href) return;
    this.close();
    window.location.assign(href);
  };

  // Typing is never held up: the request waits for a pause, and a newer one cancels an older.
  Combobox.prototype.schedule = function () {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () {
      self.fetch();
    }, DELAY_MS);
  };

  Combobox.prototype.fetch = function () {
    var self = this;
    var text = this.input.value.trim();
    if (text === this.lastText) return;
    this.lastText = text;
    if (this.request) this.request.abort();
    if (text.length < MIN_CHARS) {
      this.listbox.innerHTML = "";
      this.close();
      this.announce("");
      return;
    }
    var controller = "AbortController" in window ? new AbortController() : null;
    this.request = controller;
    var url = this.url + "?q=" + encodeURIComponent(text);
    window
      .fetch(url, {
        headers: { Accept: "text/html" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
      })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        if (self.input.value.trim() !== text) return;
        self.show(html);
      })
      .catch(function () {
        /* Aborted by a newer request, or offline: the field still submits to /sok/. */
      });
  };

  Combobox.prototype.show = function (html) {
    var self = this;
    this.listbox.innerHTML = html;
    var options = this.options();
    options.forEach(function (option, i) {
      option.id = self.listbox.id + "-" + i;
    });
    this.setActive(-1);
    if (options.length && document.activeElement === this.input) {
      this.open();
      this.announce(options.length + " " + this.text("found", "forslag."));
    } else {
      this.close();
      this.announce(options.length ? "" : this.text("none", "Ingen forslag."));
    }
  };

  Combobox.prototype.move = function (step) {
    var options = this.options();
    if (!options.length) return;
    if (!this.isOpen()) {
      this.open();
      this.setActive(step > 0 ? 0 : options.length - 1);
      return;
    }
    var next = this.active + step;
    if (next >= options.length) next = 0;
    if (next < 0) next = options.length - 1;
    this.setActive(next);
  };

  Combobox.prototype.bind = function () {
    var self = this;
    this.input.addEventListener("input", function () {
      self.schedule();
    });
    this.input.addEventListener("keydown", function (event) {
      if (event.altKey && event.key === "ArrowDown") {
        event.preventDefault();
        self.open();
        return;
      }
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          self.move(1);
          break;
        case "ArrowUp":
          event.preventDefault();
          self.move(-1);
          break;
        case "Enter":
          // An active option opens its record; otherwise the form submits the search.
          if (self.isOpen() && self.active >= 0) {
            event.preventDefault();
            self.go(self.options()[self.active]);
          } else {
            self.close();
          }
          break;
        case "Escape":
          if (self.isOpen()) {
            event.preventDefault();
            self.close();
          }
          break;
        case "Tab":
          self.close();
          break;
        default:
          break;
      }
    });
    // Clicking an option must not take focus from the input first (that would close the list).
    this.listbox.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    this.listbox.addEventListener("click", function (event) {
      var option = event.target.closest('[role="option"]');
      if (option) self.go(option);
    });
    this.input.addEventListener("blur", function () {
      self.close();
    });
    this.input.addEventListener("focus", function () {
      // Back in the field after Escape or Tab: offer the list again if it still fits the text.
      if (self.lastText === self.input.value.trim() && self.options().length) self.open();
    });
  };

  function enhanceComboboxes(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("[data-combobox]"), function (
      element
    ) {
      if (element.dataset.comboboxReady) return;
      if (!element.querySelector('[role="combobox"]')) return;
      element.dataset.comboboxReady = "true";
      new Combobox(element);
    });
  }

  // --- The /sok/ page under htmx ----------------------------------------------------------

  var FORM_ID = "nettstedsok";

  function searchForm() {
    return document.getElementById(FORM_ID);
  }

  // Shared links stay short: leave out parameters nobody filled in.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = searchForm();
    var data = event.detail.formData;
    if (!form || !data || !form.contains(event.detail.elt)) return;
    Array.from(new Set(data.keys())).forEach(function (key) {
      if (data.getAll(key).every(function (value) { return value === ""; })) data.delete(key);
    });
  });

  // The filter panel is replaced on every update while someone may be ticking boxes: keep
  // focus on the same checkbox, and keep open groups open (live-results.js).
  var live = window.PortalLiveResults;
  if (live) {
    live.keepFocus({
      headingId: "sok-resultater-tittel",
      isActive: function () {
        return !!searchForm();
      },
    });
    live.keepOpenGroups("sok-filtre");
  }

  function enhanceSearchPage() {
    var form = searchForm();
    if (!form) return;
    // On a phone the filters would push the results far down: fold them there.
    var panel = form.querySelector("[data-collapse-narrow]");
    if (panel && window.matchMedia("(max-width: 47.99rem)").matches) panel.open = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhanceComboboxes(document);
    enhanceSearchPage();
  });
  // A history restore swaps the whole body: enhance the new fields too.
  document.addEventListener("htmx:historyRestore", function () {
    enhanceComboboxes(document);
    enhanceSearchPage();
  });
})();
