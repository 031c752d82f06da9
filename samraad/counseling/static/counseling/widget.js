/*
 * Samraad's chat widget for a municipality's web site:
 *
 *   <script src="https://samraad.example/widget.js" data-municipality="0751"></script>
 *
 * Adds a "Chat med en rådgiver" button; a click opens the chat from Samraad's own origin in an
 * iframe. The host page passes nothing but the municipality code and never sees the
 * conversation. Styles are set property by property from here (inside a shadow root), so the
 * host page's CSS neither breaks the widget nor is needed, and no inline <style> or eval is
 * used. The chat's quick exit asks this script, by postMessage, to leave the host page too.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src || window.__samraadWidget) {
    return;
  }
  window.__samraadWidget = true;

  var NEUTRAL_SITE = "https://www.dr.dk/";
  var origin = new URL(script.src, window.location.href).origin;
  var code = script.getAttribute("data-municipality") || "";
  if (!/^\d{4}$/.test(code)) {
    code = "";
  }
  var english = /^en\b/i.test(document.documentElement.lang || "");
  var text = english
    ? { open: "Chat with a counselor", close: "Close the chat", title: "Chat with a counselor" }
    : { open: "Chat med en rådgiver", close: "Luk chatten", title: "Chat med en rådgiver" };
  var FONT = '"IBM Plex Sans", Arial, Helvetica, sans-serif';

  function css(element, properties) {
    for (var name in properties) {
      if (Object.prototype.hasOwnProperty.call(properties, name)) {
        element.style.setProperty(name, properties[name], "important");
      }
    }
    return element;
  }

  function focusRing(element, color) {
    element.addEventListener("focus", function () {
      css(element, { outline: "3px solid " + color, "outline-offset": "3px" });
    });
    element.addEventListener("blur", function () {
      css(element, { outline: "none" });
    });
  }

  var host = document.createElement("div");
  host.setAttribute("data-samraad-widget", "");
  css(host, { all: "initial", position: "static" });
  var shadow = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;

  var button = css(document.createElement("button"), {
    position: "fixed",
    right: "16px",
    bottom: "16px",
    "z-index": "2147483000",
    "min-height": "48px",
    "min-width": "48px",
    margin: "0",
    padding: "12px 20px",
    border: "2px solid #ffffff",
    "border-radius": "24px",
    background: "#0059b3",
    color: "#ffffff",
    "font-family": FONT,
    "font-size": "16px",
    "font-weight": "600",
    "line-height": "20px",
    "box-shadow": "0 4px 12px rgba(0, 0, 0, 0.3)",
    cursor: "pointer",
    outline: "none",
  });
  button.type = "button";
  button.textContent = text.open;
  button.setAttribute("aria-expanded", "false");
  focusRing(button, "#1a1a1a");

  var panel = css(document.createElement("div"), {
    display: "none",
    position: "fixed",
    "z-index": "2147483001",
    "flex-direction": "column",
    background: "#ffffff",
    border: "1px solid #454545",
    "box-shadow": "0 8px 24px rgba(0, 0, 0, 0.35)",
    "box-sizing": "border-box",
    overflow: "hidden",
  });
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", text.title);
  panel.id = "samraad-widget-panel";
  button.setAttribute("aria-controls", panel.id);

  var bar = css(document.createElement("div"), {
    display: "flex",
    "justify-content": "flex-end",
    "align-items": "center",
    padding: "4px",
    background: "#f5f5f5",
    "border-bottom": "1px solid #bfbfbf",
    flex: "0 0 auto",
  });
  var close = css(document.createElement("button"), {
    "min-height": "44px",
    margin: "0",
    padding: "8px 16px",
    border: "2px solid #454545",
    "border-radius": "8px",
    background: "#ffffff",
    color: "#1a1a1a",
    "font-family": FONT,
    "font-size": "16px",
    "font-weight": "600",
    "line-height": "20px",
    cursor: "pointer",
    outline: "none",
  });
  close.type = "button";
  close.textContent = text.close;
  focusRing(close, "#0059b3");
  bar.appendChild(close);
  panel.appendChild(bar);

  var frame = null;

  function place() {
    var narrow = window.innerWidth < 600 || window.innerHeight < 640;
    if (narrow) {
      css(panel, { top: "0", left: "0", right: "0", bottom: "0", width: "100%", height: "100%", "border-radius": "0" });
    } else {
      css(panel, {
        top: "auto",
        left: "auto",
        right: "16px",
        bottom: "16px",
        width: "400px",
        height: "min(680px, calc(100vh - 32px))",
        "border-radius": "12px",
      });
    }
  }

  function open() {
    if (frame === null) {
      frame = css(document.createElement("iframe"), {
        display: "block",
        flex: "1 1 auto",
        width: "100%",
        height: "100%",
        border: "0",
        margin: "0",
        padding: "0",
        background: "#ffffff",
      });
      frame.title = text.title;
      frame.referrerPolicy = "no-referrer";
      frame.src = origin + "/chat/widget/" + (code ? "?municipality=" + encodeURIComponent(code) : "");
      panel.appendChild(frame);
    }
    place();
    css(panel, { display: "flex" });
    css(button, { display: "none" });
    button.setAttribute("aria-expanded", "true");
    close.focus();
  }

  function hide() {
    // The iframe stays: the conversation goes on when the panel opens again.
    css(panel, { display: "none" });
    css(button, { display: "inline-block" });
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }

  function leave() {
    if (frame !== null) {
      frame.remove();
      frame = null;
    }
    window.location.replace(NEUTRAL_SITE);
  }

  button.addEventListener("click", open);
  close.addEventListener("click", hide);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      hide();
    }
  });
  window.addEventListener("resize", function () {
    if (panel.style.getPropertyValue("display") !== "none") {
      place();
    }
  });
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || frame === null || event.source !== frame.contentWindow) {
      return;
    }
    if (event.data && event.data.type === "samraad:quick-exit") {
      leave();
    }
  });

  shadow.appendChild(button);
  shadow.appendChild(panel);

  function attach() {
    document.body.appendChild(host);
  }
  if (document.body) {
    attach();
  } else {
    document.addEventListener("DOMContentLoaded", attach);
  }
})();
