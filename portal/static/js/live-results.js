/* What the live searches (/tilbud/ and /sok/) share while htmx swaps their results and filters.
   layouts/base.html loads it before the page scripts (offer-search.js, site-search.js), which
   call it; a page without it keeps working, only without these niceties. */
(function () {
  "use strict";

  if (window.PortalLiveResults) return;

  // The results and filters are swapped while someone may be ticking boxes: keep focus on the
  // same element (ids are stable), even when it moves into a folded group. After a page change,
  // focus the results' heading instead (options.headingId). When two responses arrive close
  // together, the second swap can come before the first has settled and put focus back: focus
  // is then on <body>, and the remembered element must survive.
  // options.isActive, if given, tells whether the page is the caller's.
  function keepFocus(options) {
    var lastFocusedId = null;
    document.addEventListener("htmx:beforeSwap", function () {
      var active = document.activeElement;
      if (active && active.id) lastFocusedId = active.id;
      else if (active && active !== document.body) lastFocusedId = null;
    });
    document.addEventListener("htmx:afterSettle", function (event) {
      if (options.isActive && !options.isActive()) return;
      var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
      if (elt && elt.closest && elt.closest("[data-pagination]")) {
        var heading = document.getElementById(options.headingId);
        if (heading) heading.focus();
        return;
      }
      if (!lastFocusedId) return;
      var element = document.getElementById(lastFocusedId);
      if (!element || element === document.activeElement) return;
      for (var parent = element.parentElement; parent; parent = parent.parentElement) {
        if (parent.tagName === "DETAILS") parent.open = true;
      }
      element.focus();
    });
  }

  // The filters swapped out of band (into the element with id targetId) arrive with their
  // groups folded: keep open the facet groups that were open, and a filter panel inside
  // ([data-collapse-narrow]) as open or folded as it was.
  function keepOpenGroups(targetId) {
    document.addEventListener("htmx:oobBeforeSwap", function (event) {
      var target = event.detail.target;
      var fragment = event.detail.fragment;
      if (!target || target.id !== targetId || !fragment) return;
      var panel = target.querySelector("details[data-collapse-narrow]");
      var newPanel = fragment.querySelector("details[data-collapse-narrow]");
      if (panel && newPanel) newPanel.open = panel.open;
      Array.prototype.forEach.call(target.querySelectorAll("[data-facet] details[open]"), function (
        details
      ) {
        var facet = details.closest("[data-facet]").dataset.facet;
        var copy = fragment.querySelector('[data-facet="' + facet + '"] details');
        if (copy) copy.open = true;
      });
    });
  }

  window.PortalLiveResults = { keepFocus: keepFocus, keepOpenGroups: keepOpenGroups };
})();
