/* Demo page only: the 모의 휴대폰 (demo phone). It polls the web front's GET /demo/phone, which answers
   with this visitor's own messages only (verification texts, notices, incoming ARS calls), and lets the
   visitor answer a ringing ARS call by keying the digits the chat shows (POST /demo/phone/calls/{id}/keys).
   A 404 means the server is not in demo mode: the panel stays hidden and polling stops.

   Message text only ever reaches the page through textContent: a text message is never HTML.
   New messages are announced in the chat too ("kbcert:host-notice", see widget.js), because on a phone
   the open chat covers this panel. */
(function () {
  "use strict";
  const POLL_MS = 2000;
  const TIMEOUT_MS = 8000;
  const panel = document.getElementById("demo-phone");
  if (!panel) return;
  const list = panel.querySelector(".phone-list");
  const status = panel.querySelector(".phone-status");
  const back = panel.querySelector(".phone-back");
  const TEXT = {
    empty: "아직 받은 문자나 전화가 없어요.",
    loadFailed: "휴대폰 화면을 불러오지 못했어요. 다시 시도하는 중이에요.",
    sms: "문자",
    notice: "알림 문자",
    call: "ARS 전화",
    ringing: "전화가 왔어요.",
    keysLabel: (n) => "채팅에 보이는 숫자" + (n ? " " + n + "자리" : "") + "를 눌러 주세요",
    keypad: "숫자 키패드",
    erase: "지우기",
    eraseLabel: "한 자리 지우기",
    confirm: "확인",
    sending: "확인하는 중이에요…",
    onlyDigits: "숫자만 눌러 주세요.",
    wrongLength: (want, got) => "숫자 " + want + "자리를 눌러 주세요. 지금 " + got + "자리예요.",
    confirmed: "확인됐어요. 채팅으로 돌아가 '완료'라고 해 주세요.",
    wrongDigits: (left) => "숫자가 맞지 않아요. 채팅에 보이는 숫자를 다시 눌러 주세요." +
      (Number.isInteger(left) ? " (남은 기회 " + left + "번)" : ""),
    failed: "전화 인증에 실패했어요. 채팅에서 본인 확인을 다시 시작해 주세요.",
    expired: "시간이 지나 끝난 전화예요. 채팅에서 본인 확인을 다시 시작해 주세요.",
    error: "확인하지 못했어요. 잠시 후 다시 눌러 주세요.",
    newText: "모의 휴대폰에 새 문자가 왔어요.",
    newCall: "모의 휴대폰에 ARS 전화가 왔어요.",
    showPhone: "휴대폰 보기",
    answerCall: "전화 받기",
  };

  const items = new Map(); // message id -> {li, key}
  const seen = new Set();
  let firstPoll = true;
  let callAnnounced = false; // the chat's notice is about a ringing call (withdrawn when none rings)

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach((k) => node.setAttribute(k, String(attrs[k])));
    if (text != null) node.textContent = String(text);
    return node;
  }

  function when(iso) {
    const d = new Date(iso);
    if (isNaN(d)) return "";
    const pad = (n) => String(n).padStart(2, "0");
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  function callOf(m) {
    return m.kind === "ars_call" && m.call && typeof m.call === "object" ? m.call : null;
  }

  function stateText(state) {
    if (state === "confirmed") return TEXT.confirmed;
    if (state === "failed") return TEXT.failed;
    if (state === "expired") return TEXT.expired;
    return "";
  }

  async function sendKeys(callId, digits) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      const res = await fetch("/demo/phone/calls/" + encodeURIComponent(callId) + "/keys", {
        method: "POST", cache: "no-store", credentials: "same-origin", signal: controller.signal,
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ digits: digits }),
      });
      let body = null;
      try { body = await res.json(); } catch (_) { body = null; }
      return { status: res.status, body: body || {} };
    } finally {
      clearTimeout(timer);
    }
  }

  // The ringing call: a number field plus an on-screen keypad, and 확인. What was keyed is sent as is
  // (never cut); a wrong length is refused here with a message, wrong digits are judged by the bank.
  function keyForm(m, call) {
    const base = "call-" + String(m.id).replace(/[^\w-]/g, "");
    const want = Number.isInteger(call.digits_length) && call.digits_length > 0 ? call.digits_length : null;
    const form = el("form", { class: "phone-keys", novalidate: "" });
    const label = el("label", { for: base + "-digits" }, TEXT.keysLabel(want));
    const field = el("input", {
      id: base + "-digits", class: "phone-digits", type: "text", inputmode: "numeric", autocomplete: "off",
      spellcheck: "false", "data-testid": "phone-call-digits", "aria-describedby": base + "-result",
    });
    const pad = el("div", { class: "phone-keypad", role: "group", "aria-label": TEXT.keypad });
    ["1", "2", "3", "4", "5", "6", "7", "8", "9", "", "0", "⌫"].forEach((key) => {
      if (!key) {
        pad.appendChild(el("span", { class: "phone-key-gap", "aria-hidden": "true" }));
        return;
      }
      const erase = key === "⌫";
      const btn = el("button", { type: "button", class: "phone-key", "data-testid": "phone-key" },
        erase ? TEXT.erase : key);
      if (erase) btn.setAttribute("aria-label", TEXT.eraseLabel);
      btn.addEventListener("click", () => {
        field.value = erase ? field.value.slice(0, -1) : field.value + key;
      });
      pad.appendChild(btn);
    });
    const ok = el("button", { type: "submit", class: "phone-confirm", "data-testid": "phone-call-confirm" }, TEXT.confirm);
    const result = el("p", { id: base + "-result", class: "phone-result", role: "status", "data-testid": "phone-call-result" });
    form.append(label, field, pad, ok, result);

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const digits = field.value.trim();
      if (/\D/.test(digits) || !digits) {
        result.textContent = TEXT.onlyDigits;
        field.focus();
        return;
      }
      if (want && digits.length !== want) {
        result.textContent = TEXT.wrongLength(want, digits.length);
        field.focus();
        return;
      }
      ok.disabled = true;
      result.textContent = TEXT.sending;
      let reply = null;
      try {
        reply = await sendKeys(call.call_id, digits);
      } catch (_) {
        reply = null;
      }
      ok.disabled = false;
      // The bank answers {"error": {code, message, remaining_attempts}}; the web front's own refusals
      // (not your call, too many requests) are {"error": "한국어 문장"}.
      const raw = reply && reply.body ? reply.body.error : null;
      const error = raw && typeof raw === "object" ? raw : { message: typeof raw === "string" ? raw : "" };
      if (reply && reply.status === 200 && reply.body.state === "confirmed") {
        showState(m, "confirmed", true);
        return;
      }
      if (reply && reply.status === 400 && error.code === "VERIFICATION_FAILED") {
        const left = Number.isInteger(error.remaining_attempts) ? error.remaining_attempts
          : (Number.isInteger(reply.body.remaining_attempts) ? reply.body.remaining_attempts : null);
        if (left === 0) {
          showState(m, "failed", true);
          return;
        }
        field.value = "";
        result.textContent = TEXT.wrongDigits(left);
        field.focus();
        return;
      }
      if (reply && reply.status === 400 && error.code === "VERIFICATION_EXPIRED") {
        showState(m, "expired", true);
        return;
      }
      result.textContent = typeof error.message === "string" && error.message ? error.message : TEXT.error;
    });
    return form;
  }

  function buildItem(m) {
    const call = callOf(m);
    const kind = call ? "call" : (m.kind === "notice" ? "notice" : "sms");
    const li = el("li", { class: "phone-item phone-item--" + kind, "data-testid": call ? "phone-call" : "phone-message" });
    if (call) li.setAttribute("data-state", String(call.state || ""));
    const head = el("div", { class: "phone-head" },
      TEXT[kind] + " · " + String(m.phone || "") + " · " + when(m.sent_at));
    const body = el("div", { class: "phone-text" }, String(m.text || "")); // text only: never HTML
    li.append(head, body);
    if (call) {
      if (call.state === "ringing") {
        li.appendChild(el("p", { class: "phone-ringing" }, TEXT.ringing));
        li.appendChild(keyForm(m, call));
      } else {
        li.appendChild(el("p", { class: "phone-result phone-result--" + String(call.state), "data-testid": "phone-call-result", tabindex: "-1" },
          stateText(call.state)));
      }
    }
    return li;
  }

  function keyOf(m) {
    const call = callOf(m);
    return JSON.stringify([m.kind, m.phone, m.text, m.sent_at, call && call.state]);
  }

  // Replaces one message's item (a call whose state changed); keeps focus inside it.
  function replaceItem(m, li) {
    const old = items.get(m.id);
    const hadFocus = old && old.li.contains(document.activeElement);
    if (old) list.replaceChild(li, old.li);
    items.set(m.id, { li: li, key: keyOf(m) });
    if (hadFocus) {
      const result = li.querySelector(".phone-result");
      (result || li).focus();
    }
  }

  function showState(m, state, focus) {
    const updated = Object.assign({}, m, { call: Object.assign({}, m.call, { state: state }) });
    const li = buildItem(updated);
    const old = items.get(m.id);
    if (!old) return;
    list.replaceChild(li, old.li);
    items.set(m.id, { li: li, key: keyOf(updated) });
    if (focus) li.querySelector(".phone-result").focus();
  }

  function notifyChat(detail) {
    window.dispatchEvent(new CustomEvent("kbcert:host-notice", { detail: detail }));
  }

  function announce(m) {
    const call = callOf(m);
    const ringing = !!call && call.state === "ringing";
    if (firstPoll && !ringing) return; // old texts on page load: no news
    if (call && !ringing) return; // a call that already ended is no news either
    callAnnounced = ringing;
    notifyChat(ringing
      ? { text: TEXT.newCall, action: TEXT.answerCall, target: panel.id }
      : { text: TEXT.newText, action: TEXT.showPhone, target: panel.id });
  }

  // Incremental: items that did not change are left alone, so a visitor keying digits into a ringing
  // call keeps their input and focus across polls, and screen readers hear only what is new.
  function render(messages) {
    const ids = new Set();
    messages.forEach((m, index) => {
      if (!m || typeof m !== "object" || m.id == null) return;
      ids.add(m.id);
      const current = items.get(m.id);
      if (!current) {
        const li = buildItem(m);
        items.set(m.id, { li: li, key: keyOf(m) });
      } else if (current.key !== keyOf(m)) {
        replaceItem(m, buildItem(m));
      }
      const li = items.get(m.id).li;
      if (list.children[index] !== li) list.insertBefore(li, list.children[index] || null);
      if (!seen.has(m.id)) {
        seen.add(m.id);
        announce(m);
      }
    });
    items.forEach((value, id) => {
      if (!ids.has(id)) {
        value.li.remove();
        items.delete(id);
      }
    });
    status.textContent = ids.size ? "" : TEXT.empty;
    const ringing = messages.some((m) => { const c = callOf(m); return c && c.state === "ringing"; });
    if (callAnnounced && !ringing) {
      callAnnounced = false;
      notifyChat(null); // the call was answered or ended: "ARS 전화가 왔어요" is no longer true
    }
  }

  async function poll() {
    try {
      const res = await fetch("/demo/phone", {
        cache: "no-store", credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (res.status === 404) {
        panel.hidden = true;
        return; // not demo mode: stop for good
      }
      if (!res.ok) throw new Error("HTTP " + res.status);
      const body = await res.json();
      const messages = Array.isArray(body && body.messages) ? body.messages.slice() : [];
      messages.sort((a, b) => String(b.sent_at).localeCompare(String(a.sent_at))); // newest first
      panel.hidden = false;
      render(messages);
      firstPoll = false;
    } catch (_) {
      status.textContent = TEXT.loadFailed;
    }
    setTimeout(poll, POLL_MS);
  }

  back.addEventListener("click", () => window.dispatchEvent(new CustomEvent("kbcert:open-chat")));
  poll();
})();
