/* Small enhancements for the offer search, the offer page and the handout. Every page works
   without this file: the search form submits, links navigate, the browser prints. */
(function () {
  "use strict";

  function searchForm() {
    return document.getElementById("tilbudssok");
  }

  function setStatus(text) {
    var status = document.querySelector("[data-position-status]");
    if (status) status.textContent = text;
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

  // The facet counts are swapped while someone may be ticking boxes: keep focus on the same
  // checkbox and keep open groups open (live-results.js, loaded by the base layout; the
  // handout page has no htmx and no base layout, so it goes without).
  var live = window.PortalLiveResults;
  if (live) {
    live.keepFocus({ headingId: "sokeresultater-tittel" });
    live.keepOpenGroups("sokefiltre");
  }

  function enhanceSearch() {
    var form = searchForm();
    if (!form) return;
    var office = form.querySelector("#id_kontor");
    var lat = form.querySelector("#id_lat");
    var lon = form.querySelector("#id_lon");
    var button = form.querySelector("[data-use-position]");

    // On a phone the filters would push the results far down: fold them there.
    var panel = form.querySelector("[data-collapse-narrow]");
    if (panel && window.matchMedia("(max-width: 47.99rem)").matches) panel.open = false;

    if (office && lat && lon) {
      office.addEventListener("change", function () {
        if (office.value !== "min-posisjon") {
          lat.value = "";
          lon.value = "";
        }
      });
    }
    if (!button || !office || !("geolocation" in navigator)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      setStatus(button.dataset.finding || "Finner posisjonen din …");
      navigator.geolocation.getCurrentPosition(
        function (position) {
          // About a kilometre is enough to sort by distance, and no more precise than needed.
          lat.value = position.coords.latitude.toFixed(2);
          lon.value = position.coords.longitude.toFixed(2);
          var option = office.querySelector('option[value="min-posisjon"]');
          if (!option) {
            option = new Option(button.dataset.optionLabel || "Min posisjon", "min-posisjon");
            office.add(option, 1);
          }
          office.value = "min-posisjon";
          setStatus(button.dataset.found || "Avstanden regnes nå fra posisjonen din.");
          form.dispatchEvent(new Event("change", { bubbles: true }));
        },
        function () {
          setStatus(
            button.dataset.failed ||
              "Vi fikk ikke tilgang til posisjonen din. Velg et Nav-kontor i stedet."
          );
        },
        { maximumAge: 600000, timeout: 15000 }
      );
    });
  }

  function enhanceOfferPage() {
    var copy = document.querySelector("[data-copy-link]");
    if (copy && navigator.clipboard) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        var status = document.querySelector("[data-copy-status]");
        navigator.clipboard.writeText(copy.dataset.copyLink).then(
          function () {
            if (status) status.textContent = copy.dataset.copied || "Lenken er kopiert.";
          },
          function () {
            if (status) status.textContent = copy.dataset.copyFailed || "Kunne ikke kopiere lenken.";
          }
        );
      });
    }
    var print = document.querySelector("[data-print]");
    if (print) {
      print.hidden = false;
      print.addEventListener("click", function () {
        window.print();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhanceSearch();
    enhanceOfferPage();
  });
  // A history restore swaps the whole body: enhance the new form too.
  document.addEventListener("htmx:historyRestore", enhanceSearch);
})();
