/*
 * Samraad site script. Loaded with defer after vendor/dkfds/js/dkfds.min.js.
 * Everything on the site works without it; it only starts the DKFDS components
 * (accordions, closable alerts, tabs, modals, error summary focus, ...), because
 * the strict CSP forbids the inline "DKFDS.init()" that DKFDS's docs suggest.
 *
 * The language <select> is deliberately NOT submitted on change: a select that
 * reloads the page while it is being operated by keyboard breaks WCAG 3.2.2
 * (On Input). The form's own submit button is used instead.
 */
(function () {
  "use strict";
  if (window.DKFDS && typeof window.DKFDS.init === "function") {
    try {
      window.DKFDS.init();
    } catch (error) {
      if (window.console) {
        window.console.error("DKFDS.init failed", error);
      }
    }
  }
})();
