// rippledesk desk behaviour: keyboard work, live refresh, composer helpers, presence.
// Written for this project; no framework. Every page works without it (plain forms and
// links); this script makes the same actions reachable in a keystroke and keeps lists live.
(function () {
  "use strict";

  var LIVE_MS = 2000;
  var PRESENCE_MS = 2000;

  function typing(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  function csrf() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // ---- search: "/" anywhere focuses the search box ----------------------------------------
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && !typing(event.target) && !event.ctrlKey && !event.metaKey) {
      var box = document.getElementById("topsearch-q") || document.getElementById("search-q");
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      }
    }
  });

  // ---- buttons that ask first (delete a rule) -------------------------------------------------
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  });

  // ---- availability switch in the top bar: acts at once ----------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll(".availability [data-autosubmit]"), function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });

  // ---- inbox: j/k selection, Enter/r open, e resolve, a assign to me, live refresh ---------
  var inbox = document.querySelector("[data-inbox]");
  if (inbox) {
    var selected = null; // conversation number
    var STORE = "rippledesk.selected";

    var rows = function () {
      return Array.prototype.slice.call(inbox.querySelectorAll("[data-queue] > li"));
    };
    var select = function (row, scroll) {
      rows().forEach(function (r) {
        r.classList.remove("is-selected");
        r.removeAttribute("aria-selected");
      });
      if (!row) return;
      row.classList.add("is-selected");
      row.setAttribute("aria-selected", "true");
      selected = row.getAttribute("data-number");
      try { sessionStorage.setItem(STORE, selected); } catch (e) { /* private mode */ }
      if (scroll) row.scrollIntoView({ block: "nearest" });
    };
    var current = function () {
      return inbox.querySelector("[data-queue] > li.is-selected");
    };
    var restore = function () {
      var wanted = selected;
      if (!wanted) {
        try { wanted = sessionStorage.getItem(STORE); } catch (e) { wanted = null; }
      }
      var match = wanted && inbox.querySelector('[data-queue] > li[data-number="' + wanted + '"]');
      select(match || rows()[0] || null, false);
    };
    restore();

    inbox.addEventListener("click", function (event) {
      var row = event.target.closest && event.target.closest("[data-queue] > li");
      if (row) select(row, false);
    });

    // The list has one hidden form per action; point it at the row and send it.
    var act = function (name, row) {
      var form = inbox.querySelector('form[data-row-action="' + name + '"]');
      if (!form) return;
      form.action = form.getAttribute("data-action").replace("NUMBER", row.getAttribute("data-number"));
      form.querySelector("input[name=version]").value = row.getAttribute("data-version");
      form.submit();
    };

    document.addEventListener("keydown", function (event) {
      if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      var list = rows();
      var row = current();
      var index = row ? list.indexOf(row) : -1;
      if (event.key === "j") {
        select(list[Math.min(list.length - 1, index + 1)] || null, true);
      } else if (event.key === "k") {
        select(list[Math.max(0, index - 1)] || null, true);
      } else if ((event.key === "Enter" || event.key === "o") && row) {
        window.location.href = row.getAttribute("data-href");
      } else if (event.key === "r" && row) {
        window.location.href = row.getAttribute("data-href") + "#composer";
      } else if (event.key === "e" && row) {
        var next = list[index + 1] || list[index - 1];
        if (next) {
          try { sessionStorage.setItem(STORE, next.getAttribute("data-number")); } catch (e) { /* ignore */ }
        }
        act("resolve", row);
      } else if (event.key === "a" && row) {
        act("assign", row);
      } else {
        return;
      }
      event.preventDefault();
    });

    // Live refresh: fetch the list fragment every two seconds while the tab is visible and
    // the agent is on the first page; swap it in only when it changed.
    var listBox = document.getElementById("inbox-list");
    var lastHtml = listBox ? listBox.innerHTML : "";
    var refresh = function () {
      if (document.hidden || inbox.getAttribute("data-live") !== "1" || !listBox) return;
      fetch(inbox.getAttribute("data-rows-url"), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null || html === lastHtml) return;
          lastHtml = html;
          listBox.innerHTML = html;
          listBox.setAttribute("data-refreshed", String(Date.now()));
          var panel = listBox.querySelector("[data-counts]");
          if (panel) {
            panel.getAttribute("data-counts").split(";").forEach(function (pair) {
              var parts = pair.split("=");
              var badge = parts.length === 2 && inbox.querySelector('[data-count="' + parts[0] + '"]');
              if (badge) badge.textContent = parts[1];
            });
          }
          restore();
        })
        .catch(function () { /* offline for a moment: try again next tick */ });
    };
    window.setInterval(refresh, LIVE_MS);
  }

  // ---- conversation page ---------------------------------------------------------------------
  var page = document.querySelector("[data-conversation]");
  if (page) {
    var composer = page.querySelector("[data-composer]");
    var textarea = composer && composer.querySelector("textarea");
    var counter = composer && composer.querySelector("[data-counter]");
    var sendButton = composer && composer.querySelector("[data-send]");

    var mode = function () {
      var checked = composer.querySelector("input[name=mode]:checked");
      return checked ? checked.value : "reply";
    };
    var limit = function () {
      if (mode() === "note") return 10000;
      var vis = composer.querySelector("[data-visibility]");
      var isPublic = vis && vis.value === "public";
      return parseInt(composer.getAttribute(isPublic ? "data-public-max" : "data-private-max"), 10) || 10000;
    };
    var updateCounter = function () {
      if (!textarea || !counter) return;
      var length = Array.from(textarea.value.trim()).length;
      var max = limit();
      counter.textContent = length.toLocaleString() + " / " + max.toLocaleString();
      var over = length > max;
      counter.classList.toggle("over", over);
      if (sendButton) {
        sendButton.disabled = over || length === 0;
        sendButton.textContent = mode() === "note" ? "Save note" : "Send";
      }
      composer.classList.toggle("is-note", mode() === "note");
      Array.prototype.forEach.call(composer.querySelectorAll("[data-reply-only]"), function (el) {
        el.hidden = mode() === "note";
      });
    };
    if (composer) {
      composer.addEventListener("input", updateCounter);
      composer.addEventListener("change", updateCounter);
      updateCounter();
      textarea.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          if (!sendButton.disabled) composer.requestSubmit ? composer.requestSubmit() : composer.submit();
        } else if (event.key === "Tab" && !event.shiftKey) {
          var match = /(^|\s)\/([a-z0-9_-]+)$/.exec(textarea.value.slice(0, textarea.selectionStart));
          if (match) {
            event.preventDefault();
            insertCanned(match[2], match[0].length - match[1].length);
          }
        } else if (event.key === "Escape") {
          textarea.blur();
        }
      });
    }

    var insertCanned = function (shortcut, replaceChars) {
      var url = page.getAttribute("data-canned-url").replace("SHORTCUT", encodeURIComponent(shortcut));
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (!data.text) return;
          var at = textarea.selectionStart;
          var before = textarea.value.slice(0, at - (replaceChars || 0));
          textarea.value = before + data.text + textarea.value.slice(at);
          textarea.focus();
          textarea.selectionStart = textarea.selectionEnd = before.length + data.text.length;
          updateCounter();
        });
    };
    var cannedSelect = page.querySelector("[data-canned]");
    if (cannedSelect) {
      cannedSelect.addEventListener("change", function () {
        if (cannedSelect.value) insertCanned(cannedSelect.value, 0);
        cannedSelect.value = "";
      });
    }

    // Selects that act at once (assignee, team).
    Array.prototype.forEach.call(page.querySelectorAll("[data-autosubmit]"), function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });

    // Suggested replies load after the page, so they never slow it down.
    var suggestBody = page.querySelector("[data-suggestions-body]");
    if (suggestBody) {
      fetch(page.getAttribute("data-suggestions-url"), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { suggestBody.innerHTML = html || '<p class="muted small">No suggestions.</p>'; });
    }
    // "Use" on a suggestion (similar conversations, or a rule's) puts it in the composer.
    Array.prototype.forEach.call(page.querySelectorAll("[data-suggestions-body], [data-rule-suggestions]"), function (box) {
      box.addEventListener("click", function (event) {
        if (!event.target.matches("[data-use-suggestion]")) return;
        var text = event.target.closest("li").querySelector(".suggestion-text").textContent;
        textarea.value = text;
        textarea.focus();
        updateCounter();
      });
    });

    // Keys on the conversation page: r reply, e resolve, u back to inbox.
    document.addEventListener("keydown", function (event) {
      if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "r" && textarea) {
        event.preventDefault();
        textarea.focus();
      } else if (event.key === "e" || event.key === "o" || event.key === "u") {
        var target = page.querySelector('[data-key="' + event.key + '"]');
        if (!target) return;
        event.preventDefault();
        target.click();
      }
    });
    // Arriving by "r" from the inbox: focus the composer once the browser has finished
    // scrolling to the #composer fragment (which would otherwise take the focus back).
    if (window.location.hash === "#composer" && textarea) {
      window.addEventListener("load", function () {
        window.setTimeout(function () { textarea.focus(); }, 0);
      });
    }

    // Presence and live timeline: a heartbeat tells the server we are here (and whether we
    // are typing); its answer says who else is, and whether new messages arrived.
    var viewersBox = page.querySelector("[data-viewers]");
    var lastMessage = page.getAttribute("data-last-message");
    var timelineWrap = document.getElementById("timeline-wrap");
    var beat = function () {
      if (document.hidden) return;
      var body = new URLSearchParams();
      body.set("composing", textarea && textarea.value.trim() ? "1" : "0");
      fetch(page.getAttribute("data-presence-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(), "Content-Type": "application/x-www-form-urlencoded" },
        body: body.toString()
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) return;
          if (viewersBox) {
            var names = data.viewers.map(function (v) { return v.name + (v.composing ? " (typing a reply)" : ""); });
            viewersBox.hidden = names.length === 0;
            viewersBox.textContent = names.length
              ? names.join(", ") + (names.length > 1 ? " also have" : " also has") + " this conversation open."
              : "";
          }
          if (String(data.last_message_id) !== lastMessage && timelineWrap) {
            lastMessage = String(data.last_message_id);
            fetch(page.getAttribute("data-timeline-url"), { credentials: "same-origin" })
              .then(function (response) { return response.ok ? response.text() : null; })
              .then(function (html) { if (html) timelineWrap.innerHTML = html; });
          }
        })
        .catch(function () { /* try again next beat */ });
    };
    window.setInterval(beat, PRESENCE_MS);
  }
})();
