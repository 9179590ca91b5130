/* Demo page only: shows the mock SMS inbox (GET /demo/sms-inbox) so a visitor can finish a
   verification. A 404 means the server is not in demo mode: the panel stays hidden and polling stops. */
(function () {
  "use strict";
  const POLL_MS = 2000;
  const panel = document.querySelector('[data-testid="sms-inbox"]');
  if (!panel) return;
  const list = panel.querySelector(".sms-list");
  const status = panel.querySelector(".sms-status");
  let lastRendered = "";

  function when(iso) {
    const d = new Date(iso);
    if (isNaN(d)) return "";
    const pad = (n) => String(n).padStart(2, "0");
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  function render(messages) {
    const key = JSON.stringify(messages);
    if (key === lastRendered) return; // unchanged: don't make screen readers repeat it
    lastRendered = key;
    list.textContent = "";
    messages.forEach((m) => {
      const li = document.createElement("li");
      li.className = "sms-item";
      li.setAttribute("data-testid", "sms-message");
      const head = document.createElement("div");
      head.className = "sms-head";
      head.textContent = String(m.phone || "") + " · " + when(m.sent_at);
      const body = document.createElement("div");
      body.className = "sms-text";
      body.textContent = String(m.text || ""); // text only: an SMS is never HTML
      li.append(head, body);
      list.appendChild(li);
    });
    status.textContent = messages.length ? "" : "아직 받은 문자가 없어요.";
  }

  async function poll() {
    try {
      const res = await fetch("/demo/sms-inbox", { cache: "no-store", headers: { Accept: "application/json" } });
      if (res.status === 404) {
        panel.hidden = true;
        return; // not demo mode: stop for good
      }
      if (!res.ok) throw new Error("HTTP " + res.status);
      const body = await res.json();
      const messages = Array.isArray(body && body.messages) ? body.messages : [];
      messages.sort((a, b) => String(b.sent_at).localeCompare(String(a.sent_at))); // newest first
      panel.hidden = false;
      render(messages);
    } catch (_) {
      status.textContent = "문자함을 불러오지 못했어요. 다시 시도하는 중이에요.";
    }
    setTimeout(poll, POLL_MS);
  }

  poll();
})();
