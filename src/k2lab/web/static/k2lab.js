// k2lab's only script besides htmx: send the CSRF token with every htmx request, and let
// htmx show the server's error fragments (422, 409, 404) instead of dropping them.
// htmx would add a <style> element for its indicators, which the CSP (style-src 'self')
// blocks; k2lab.css styles .htmx-indicator instead.
if (window.htmx) htmx.config.includeIndicatorStyles = false;
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers["X-CSRF-Token"] = meta.content;
});
document.addEventListener("DOMContentLoaded", () => {
  if (window.htmx) {
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "(403|404|409|413|422)", swap: true, error: false },
      { code: "[45]..", swap: true, error: true },
    ];
  }
});
