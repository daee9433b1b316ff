// rippledesk web chat loader: adds a chat button that opens the chat in a frame.
(function () {
  "use strict";
  if (window.__rippledeskChat) return;
  window.__rippledeskChat = true;
  var page = {{ page_json|safe }};
  var button = document.createElement("button");
  button.type = "button";
  button.textContent = "Chat with us";
  button.setAttribute("aria-expanded", "false");
  button.style.cssText = "position:fixed;right:20px;bottom:20px;z-index:2147483000;padding:12px 18px;border:0;border-radius:24px;background:#2563eb;color:#fff;font:600 14px system-ui,sans-serif;box-shadow:0 6px 20px rgba(0,0,0,.2);cursor:pointer";
  var frame = null;
  button.addEventListener("click", function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = page;
      frame.title = "Chat";
      frame.style.cssText = "position:fixed;right:20px;bottom:76px;z-index:2147483000;width:360px;height:520px;max-height:calc(100vh - 100px);border:0;border-radius:14px;box-shadow:0 10px 30px rgba(0,0,0,.25);background:#fff";
      document.body.appendChild(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
    button.setAttribute("aria-expanded", frame.hidden ? "false" : "true");
  });
  document.body.appendChild(button);
})();
