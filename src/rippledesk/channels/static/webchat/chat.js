// rippledesk web chat page: a visitor's side of the conversation, polled every 2 seconds.
(function () {
  "use strict";
  var root = document.querySelector("[data-chat]");
  if (!root) return;
  var log = root.querySelector("[data-log]");
  var form = root.querySelector("[data-form]");
  var box = form.querySelector("textarea");
  var errorBox = root.querySelector("[data-error]");
  var key = "rippledesk.chat." + root.getAttribute("data-token");
  var visitor = null;
  var lastId = 0;
  var shown = {};

  function show(text) { errorBox.textContent = text; errorBox.hidden = !text; }

  function add(from, body, id) {
    if (id && shown[id]) return;
    if (id) shown[id] = true;
    var item = document.createElement("li");
    item.className = "from-" + from;
    item.textContent = body; // text, never HTML
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function start() {
    try { visitor = localStorage.getItem(key); } catch (e) { visitor = null; }
    if (visitor) return Promise.resolve();
    return fetch(root.getAttribute("data-session"), { method: "POST" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        visitor = data.visitor;
        try { localStorage.setItem(key, visitor); } catch (e) { /* private mode: one session */ }
      });
  }

  function poll() {
    if (!visitor || document.hidden) return;
    var url = root.getAttribute("data-base") + "?visitor=" + encodeURIComponent(visitor) + "&after=" + lastId;
    fetch(url).then(function (r) { return r.ok ? r.json() : { messages: [] }; }).then(function (data) {
      data.messages.forEach(function (m) {
        lastId = Math.max(lastId, m.id);
        var pending = m.from === "visitor" && log.querySelector('li.pending[data-body="' + CSS.escape(m.body) + '"]');
        if (pending) { pending.classList.remove("pending"); pending.removeAttribute("data-body"); shown[m.id] = true; return; }
        add(m.from, m.body, m.id);
      });
    }).catch(function () { /* try again next tick */ });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = box.value.trim();
    if (!body) return;
    var clientId = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    var item = add("visitor", body);
    item.classList.add("pending");
    item.setAttribute("data-body", body);
    box.value = "";
    // A message typed before the session arrived waits for it instead of going out anonymous.
    ready.then(function () { return fetch(root.getAttribute("data-base"), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        visitor: visitor,
        body: body,
        client_id: clientId,
        name: (root.querySelector("[data-who] input[name=name]") || {}).value || "",
        email: (root.querySelector("[data-who] input[name=email]") || {}).value || ""
      })
    }); }).then(function (r) {
      if (r.ok) { show(""); return; }
      return r.json().then(function (data) { show(data.error ? data.error.message : "Not sent."); });
    }).catch(function () { show("Not sent: you seem to be offline."); });
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  var ready = start();
  ready.then(function () { poll(); window.setInterval(poll, 2000); });
})();
