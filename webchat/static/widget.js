/*
 * 금융인증서 도우미 chat widget. One tag embeds it:
 *   <script src="/widget/widget.js" data-server="" data-title="..." data-greeting="..."></script>
 * Plain ES2019, no dependencies, no third-party requests. Talks to Rasa's REST channel.
 *
 * Safety rules this file keeps:
 *  - Message content only ever reaches the DOM through textContent / createElement (no innerHTML),
 *    so "<img onerror=...>" is inert text; the markdown subset builds nodes itself.
 *  - A secret (PIN, code) typed in the masked field lives only in a closure Map until its request
 *    succeeds; the transcript, localStorage and the DOM hold "●●●●●●" instead.
 *  - What a customer types in the masked field is never cut or filtered: a wrong length or a
 *    non-digit is refused with a visible message, and "질문하기" turns the field back into a text box.
 *  - No conversation id in the page or in storage: the web front binds the conversation to an
 *    HttpOnly cookie (scripts cannot read it) and sets the sender itself. Storage keeps only what a
 *    reload needs to redraw the transcript.
 *
 * Optional data attributes: data-start-payload (sent silently on the first open to get the bot's
 * greeting and topic buttons; default "/greet"; "" shows data-greeting locally instead).
 */
(function () {
  "use strict";
  if (window.__kbcertWidget) return; // embedded twice: keep one
  window.__kbcertWidget = true;

  const script = document.currentScript;
  const data = (script && script.dataset) || {};
  const cfg = {
    server: (data.server || "").replace(/\/+$/, ""),
    title: data.title || "금융인증서 도우미",
    greeting: data.greeting || "안녕하세요! 무엇을 도와드릴까요?",
    startPayload: data.startPayload !== undefined ? data.startPayload : "/greet",
    css: script && script.src ? new URL("widget.css", script.src).href : "/widget/widget.css",
  };
  const PREFIX = "kbcert-chat:";
  const TIMEOUT_MS = 15000;
  const MAX_KEPT = 200;
  const STEP_RE = /^\[(\d+)\/(\d+)\]\s*(.+)$/;
  const TEXT = {
    placeholder: "메시지를 입력하세요",
    inputLabel: "메시지 입력",
    send: "보내기",
    newChat: "새 대화",
    close: "채팅 닫기",
    open: "상담: 금융인증서 도우미 열기", // starts with the visible "상담" (WCAG 2.5.3, axe label-content-name-mismatch)
    launcher: "상담",
    offline: "서버에 연결하지 못했어요. 잠시 후 다시 시도해 주세요.",
    retry: "다시 보내기",
    failed: "전송하지 못했어요",
    lostSecret: "전송되지 않았어요. 다시 입력해 주세요.",
    typing: "답변을 준비하고 있어요",
    quickReplies: "빠른 답변",
    log: "대화 내용",
    image: "이미지 열기",
    secretDefault: "비밀번호",
    secretNote: "숫자는 ●로 가려지고 저장되지 않아요. 궁금한 점은 '질문하기'를 눌러 물어보세요.",
    ask: "질문하기",
    askLabel: "질문하기: 일반 입력으로 바꾸기",
    onlyDigits: "이 칸에는 숫자만 들어가요. 질문은 '질문하기'를 누른 뒤 입력해 주세요.",
    tooMany: (want, got) => "숫자 " + want + "자리만 입력해 주세요. 지금 " + got + "자리예요.",
    tooFew: (want, got) => "숫자 " + want + "자리를 모두 입력해 주세요. 지금 " + got + "자리예요.",
    hostNoticeLabel: "페이지 알림",
  };

  /* ---------- storage: everything under kbcert-chat:, never a secret ---------- */
  const store = {
    get(key, fallback) {
      try {
        const raw = window.localStorage.getItem(PREFIX + key);
        return raw === null ? fallback : JSON.parse(raw);
      } catch (_) {
        return fallback;
      }
    },
    set(key, value) {
      try { window.localStorage.setItem(PREFIX + key, JSON.stringify(value)); } catch (_) { /* private mode */ }
    },
    clear() {
      ["transcript", "step", "secret", "open", "scroll", "handoff"].forEach((k) => {
        try { window.localStorage.removeItem(PREFIX + k); } catch (_) { /* ignore */ }
      });
    },
  };

  let seq = 0;
  const newEntryId = () => Date.now().toString(36) + "-" + (seq++).toString(36);

  /* ---------- state ---------- */
  const secrets = new Map(); // entry id -> typed secret, memory only, deleted once delivered
  try { window.localStorage.removeItem(PREFIX + "sender"); } catch (_) { /* an old widget's id: useless now */ }
  const state = {
    messages: store.get("transcript", []),
    step: store.get("step", null),
    secretHint: store.get("secret", null), // {length, label}: the hint only, not a value
    busy: false,
    generation: 0, // bumped by "새 대화" so late replies of the old conversation are dropped
    controller: null,
  };
  if (!Array.isArray(state.messages)) state.messages = [];
  // A request cut off by a reload counts as failed; a masked one cannot be retried (value is gone).
  state.messages.forEach((m) => {
    if (m.from !== "user" || (m.status !== "pending" && m.status !== "failed")) return;
    if (m.masked) {
      m.status = "lost";
      if (m.hint) state.secretHint = m.hint;
    } else {
      m.status = "failed";
    }
  });

  function persist() {
    store.set("transcript", state.messages.slice(-MAX_KEPT));
    store.set("step", state.step);
    store.set("secret", state.secretHint);
  }

  /* ---------- tiny DOM helpers ---------- */
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach((k) => {
        if (attrs[k] === true) node.setAttribute(k, "");
        else if (attrs[k] !== false && attrs[k] != null) node.setAttribute(k, String(attrs[k]));
      });
    }
    if (text != null) node.textContent = String(text);
    return node;
  }

  function hhmm(ts) {
    const d = new Date(ts);
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  /* ---------- safe markdown subset: **bold**, lists, line breaks, [t](http(s)://...) ---------- */
  function safeUrl(raw) {
    try {
      const url = new URL(raw);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (_) {
      return null;
    }
  }

  // Bold is exactly two stars on each side of text that has no star in it and does not start or end
  // with a space. So a mask such as "010-****-3333" (a run of 3+ stars) never opens or closes a bold
  // span, and "010-****-3333 … **12**" keeps its mask as typed and bolds only "12".
  const BOLD = "(?<!\\*)\\*\\*(?![\\s*])([^*\\n]*?[^\\s*])\\*\\*(?!\\*)";
  const LINK = "\\[([^\\[\\]\\n]+)\\]\\(([^()\\s]+)\\)";
  function appendInline(parent, text, allowBold) {
    const re = new RegExp(BOLD + "|" + LINK, "g");
    let last = 0;
    let m;
    while ((m = re.exec(text)) !== null) {
      if (m[1] !== undefined && !allowBold) continue;
      parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      if (m[1] !== undefined) {
        const strong = el("strong");
        appendInline(strong, m[1], false);
        parent.appendChild(strong);
      } else {
        const href = safeUrl(m[3]);
        if (href) {
          const a = el("a", { href: href, target: "_blank", rel: "noopener noreferrer" }, m[2]);
          parent.appendChild(a);
        } else {
          parent.appendChild(document.createTextNode(m[0])); // not http(s): shown as typed
        }
      }
      last = re.lastIndex;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function renderMarkdown(text, container) {
    let list = null;
    let para = null;
    text.replace(/\r\n?/g, "\n").split("\n").forEach((line) => {
      const ol = /^\s*(\d{1,3})[.)]\s+(.*)$/.exec(line);
      const ul = /^\s*[-*•]\s+(.*)$/.exec(line);
      if (ol || ul) {
        const type = ol ? "ol" : "ul";
        if (!list || list.tagName.toLowerCase() !== type) {
          list = el(type);
          if (ol && ol[1] !== "1") list.setAttribute("start", ol[1]);
          container.appendChild(list);
        }
        const li = el("li");
        appendInline(li, ol ? ol[2] : ul[1], true);
        list.appendChild(li);
        para = null;
        return;
      }
      list = null;
      if (!line.trim()) {
        para = null;
        return;
      }
      if (para) para.appendChild(el("br"));
      else container.appendChild((para = el("p")));
      appendInline(para, line, true);
    });
  }

  function splitStep(text) {
    const nl = text.indexOf("\n");
    const first = (nl < 0 ? text : text.slice(0, nl)).trim();
    const m = STEP_RE.exec(first);
    if (!m) return { step: null, body: text };
    const n = Number(m[1]);
    const total = Number(m[2]);
    if (!(total > 0) || n > total) return { step: null, body: text };
    return { step: { n: n, total: total, label: m[3].trim() }, body: nl < 0 ? "" : text.slice(nl + 1) };
  }

  function stepBadge(step, testid) {
    const badge = el("div", { class: "kbc-step", "data-testid": testid });
    badge.appendChild(el("span", { class: "kbc-step-text" }, step.n + "/" + step.total + " · " + step.label));
    const bar = el("span", {
      class: "kbc-progress", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": step.total,
      "aria-valuenow": step.n, "aria-label": "진행 단계",
    });
    const fill = el("span", { class: "kbc-progress-fill" });
    fill.style.width = Math.round((step.n / step.total) * 100) + "%"; // CSSOM: allowed under CSP
    bar.appendChild(fill);
    badge.appendChild(bar);
    return badge;
  }

  /* ---------- the custom hint that asks for a masked field ---------- */
  function parseSecretHint(custom) {
    if (!custom || typeof custom !== "object" || Array.isArray(custom) || custom.input !== "secret") return null;
    // Rasa fills "{pin_length}" in a response's custom payload as text, so "6" counts like 6.
    const raw = typeof custom.length === "string" && /^\d{1,2}$/.test(custom.length) ? Number(custom.length) : custom.length;
    const length = Number.isInteger(raw) && raw > 0 && raw <= 32 ? raw : null;
    const label = typeof custom.label === "string" && custom.label.trim() ? custom.label.trim().slice(0, 100) : TEXT.secretDefault;
    return { length: length, label: label };
  }

  // A speech-bubble icon drawn as SVG: no emoji or icon font needed on the visitor's machine.
  function chatIcon() {
    const NS = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("class", "kbc-launcher-icon");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(NS, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  /* ---------- build the widget ---------- */
  const link = el("link", { rel: "stylesheet", href: cfg.css });
  document.head.appendChild(link);

  const root = el("div", { class: "kbc-root" });
  const launcher = el("button", {
    type: "button", class: "kbc-launcher", "data-testid": "chat-launcher",
    "aria-expanded": "false", "aria-controls": "kbc-panel", "aria-label": TEXT.open,
  });
  launcher.appendChild(chatIcon());
  launcher.appendChild(el("span", { class: "kbc-launcher-text" }, TEXT.launcher));

  const panel = el("section", {
    id: "kbc-panel", class: "kbc-panel", "data-testid": "chat-panel", role: "dialog",
    "aria-modal": "false", "aria-labelledby": "kbc-title", hidden: true,
  });
  const header = el("header", { class: "kbc-header" });
  const titleBox = el("div", { class: "kbc-titlebox" });
  titleBox.appendChild(el("h2", { id: "kbc-title", class: "kbc-title" }, cfg.title));
  const headerStep = el("div", { class: "kbc-header-step", "aria-live": "polite" });
  titleBox.appendChild(headerStep);
  const newChatBtn = el("button", { type: "button", class: "kbc-hbtn", "data-testid": "chat-new" }, TEXT.newChat);
  const closeBtn = el("button", { type: "button", class: "kbc-hbtn kbc-close", "data-testid": "chat-close", "aria-label": TEXT.close }, "✕");
  header.append(titleBox, newChatBtn, closeBtn);

  const log = el("div", {
    class: "kbc-log", role: "log", "aria-live": "polite", "aria-label": TEXT.log,
    "data-testid": "chat-log", tabindex: "0",
  });
  const notice = el("div", { class: "kbc-notice", role: "alert", "data-testid": "chat-notice", hidden: true });
  // A notice from the host page (the demo page's 모의 휴대폰: "새 문자가 왔어요"), shown where the
  // customer is, with a button that takes them to it (see "host page events" below).
  const hostNotice = el("div", {
    class: "kbc-host-notice", role: "status", "aria-label": TEXT.hostNoticeLabel,
    "data-testid": "chat-host-notice", hidden: true,
  });
  const hostNoticeText = el("span", { class: "kbc-host-notice-text" });
  const hostNoticeBtn = el("button", { type: "button", class: "kbc-host-notice-btn", "data-testid": "chat-host-notice-open" });
  hostNotice.append(hostNoticeText, hostNoticeBtn);

  const form = el("form", { class: "kbc-composer", novalidate: true });
  const hint = el("div", { class: "kbc-hint", hidden: true });
  const hintText = el("p", { id: "kbc-hint", class: "kbc-hint-text", "data-testid": "chat-secret-hint" });
  // Switches back to the normal text box, to ask a question or type "취소" at a PIN or code step.
  const plainBtn = el("button", {
    type: "button", class: "kbc-plain", "data-testid": "chat-secret-cancel", "aria-label": TEXT.askLabel,
  }, TEXT.ask);
  hint.append(hintText, plainBtn);
  const label = el("label", { class: "kbc-sr-only", for: "kbc-input" }, TEXT.inputLabel);
  const textarea = el("textarea", {
    id: "kbc-input", class: "kbc-input", rows: "1", placeholder: TEXT.placeholder,
    "data-testid": "chat-input", maxlength: "1000",
  });
  // No maxlength and no filtering: what the customer typed is never cut or changed behind their back;
  // a wrong length or a non-digit is refused here with a visible message (secretMessage) instead.
  const secretField = el("input", {
    id: "kbc-secret", class: "kbc-input kbc-secret", type: "password", inputmode: "numeric",
    autocomplete: "off", "aria-describedby": "kbc-hint kbc-secret-msg", hidden: true, spellcheck: "false",
  });
  const secretMsg = el("p", {
    id: "kbc-secret-msg", class: "kbc-field-msg", "data-testid": "chat-secret-error", "aria-live": "assertive", hidden: true,
  });
  const sendBtn = el("button", { type: "submit", class: "kbc-send", "data-testid": "chat-send" }, TEXT.send);
  const row = el("div", { class: "kbc-row" });
  row.append(textarea, secretField, sendBtn);
  form.append(hint, label, row, secretMsg);
  panel.append(header, log, notice, hostNotice, form);
  const handoffBar = el("div", { class: "kbc-handoff", role: "status", "data-testid": "handoff-banner", hidden: true });
  const handoffText = el("p", { class: "kbc-handoff-text" });
  const handoffLeave = el("button", { type: "button", class: "kbc-handoff-leave", "data-testid": "handoff-leave" }, "도우미에게 돌아가기");
  handoffBar.append(handoffText, handoffLeave);
  panel.insertBefore(handoffBar, notice);
  root.append(panel, launcher);
  document.body.appendChild(root);

  /* ---------- rendering ---------- */
  const nodes = new Map(); // entry id -> element
  let typingNode = null;

  function renderEntry(entry) {
    const isBot = entry.from === "bot" || entry.from === "agent" || entry.from === "desk";
    const node = el("div", {
      class: "kbc-msg " + (isBot ? "kbc-msg--bot" : "kbc-msg--user") + (entry.from === "bot" || !isBot ? "" : " kbc-msg--" + entry.from),
      "data-testid": entry.from === "agent" ? "msg-agent" : entry.from === "desk" ? "msg-desk" : isBot ? "msg-bot" : "msg-user",
    });
    if (entry.from === "agent") node.appendChild(el("div", { class: "kbc-from" }, "상담원 " + (entry.name || ""))); // a person, not the bot
    if (entry.step) node.appendChild(stepBadge(entry.step, "step"));
    if (entry.text) {
      const bubble = el("div", { class: "kbc-bubble" });
      if (isBot) renderMarkdown(entry.text, bubble);
      else bubble.textContent = entry.text; // user text is never interpreted
      if (entry.masked) bubble.setAttribute("aria-label", "비밀번호 입력됨");
      node.appendChild(bubble);
    }
    if (entry.image) {
      const a = el("a", { class: "kbc-bubble kbc-image", href: entry.image, target: "_blank", rel: "noopener noreferrer" }, TEXT.image);
      node.appendChild(a);
    }
    if (entry.buttons && entry.buttons.length) {
      const group = el("div", { class: "kbc-buttons", role: "group", "aria-label": TEXT.quickReplies });
      entry.buttons.forEach((b) => {
        const btn = el("button", { type: "button", class: "kbc-qr", "data-testid": "quick-reply", disabled: !!entry.answered }, b.title);
        btn.addEventListener("click", () => {
          // The row gets disabled, so focus moves to the input instead of falling to <body>.
          if (!btn.disabled && sendMessage(b.payload, b.title, false)) focusInput();
        });
        group.appendChild(btn);
      });
      node.appendChild(group);
    }
    const meta = el("div", { class: "kbc-meta" });
    meta.appendChild(el("time", { datetime: new Date(entry.ts).toISOString() }, hhmm(entry.ts)));
    node.appendChild(meta);
    if (!isBot) renderStatus(node, entry);
    return node;
  }

  function renderStatus(node, entry) {
    const old = node.querySelector(".kbc-status");
    if (old) old.remove();
    node.classList.toggle("kbc-msg--failed", entry.status === "failed" || entry.status === "lost");
    if (entry.status !== "failed" && entry.status !== "lost") return;
    const status = el("div", { class: "kbc-status" });
    status.appendChild(el("span", null, entry.status === "lost" ? TEXT.lostSecret : TEXT.failed));
    if (entry.status === "failed") {
      const retry = el("button", { type: "button", class: "kbc-retry", "data-testid": "chat-retry" }, TEXT.retry);
      retry.addEventListener("click", () => retryEntry(entry));
      status.appendChild(retry);
    }
    node.appendChild(status);
  }

  function appendEntry(entry) {
    const node = renderEntry(entry);
    nodes.set(entry.id, node);
    log.insertBefore(node, typingNode && typingNode.parentNode === log ? typingNode : null);
    scrollToEnd();
  }

  function renderAll() {
    nodes.clear();
    log.textContent = "";
    state.messages.forEach(appendEntry);
    renderHeaderStep();
    renderComposer();
  }

  function renderHeaderStep() {
    headerStep.textContent = "";
    if (state.step) headerStep.appendChild(stepBadge(state.step, "header-step"));
  }

  function renderComposer() {
    const secret = !!state.secretHint;
    textarea.hidden = secret;
    secretField.hidden = !secret;
    hint.hidden = !secret;
    // The label and the test hook follow whichever field is active.
    const active = secret ? secretField : textarea;
    const inactive = secret ? textarea : secretField;
    inactive.removeAttribute("data-testid");
    active.setAttribute("data-testid", "chat-input");
    label.setAttribute("for", active.id);
    if (secret) {
      hintText.textContent = "";
      hintText.append(el("strong", null, state.secretHint.label), " · " + TEXT.secretNote);
      label.textContent = state.secretHint.label;
      secretField.setAttribute("placeholder", state.secretHint.label);
    } else {
      secretField.value = "";
      label.textContent = TEXT.inputLabel;
      showSecretMessage("");
    }
    sendBtn.disabled = state.busy;
  }

  function showTyping(on) {
    if (on && !typingNode) {
      typingNode = el("div", { class: "kbc-msg kbc-msg--bot kbc-typing", "data-testid": "typing", role: "status", "aria-label": TEXT.typing });
      const dots = el("div", { class: "kbc-bubble", "aria-hidden": "true" });
      dots.append(el("span"), el("span"), el("span"));
      typingNode.appendChild(dots);
      log.appendChild(typingNode);
      scrollToEnd();
    } else if (!on && typingNode) {
      typingNode.remove();
      typingNode = null;
    }
  }

  function showNotice(text) {
    notice.textContent = text || "";
    notice.hidden = !text;
  }

  /* ---------- scrolling: new messages at the bottom; a reload comes back where the customer was ---------- */
  // Distance from the bottom in px (0 = at the bottom). Kept across reloads, and re-applied whenever the
  // log changes size: the stylesheet loads after the first render (before it, nothing scrolls, so a
  // plain scrollTop set then would leave a long transcript at its top), the panel opens, the composer grows.
  let fromBottom = Math.max(0, Number(store.get("scroll", 0)) || 0);
  let scrollSaveTimer = null;

  function applyScroll() {
    log.scrollTop = Math.max(0, log.scrollHeight - log.clientHeight - fromBottom);
  }

  function scrollToEnd() {
    fromBottom = 0;
    applyScroll();
    store.set("scroll", 0);
  }

  function trackScroll() {
    if (panel.hidden || !log.clientHeight) return;
    const distance = Math.round(log.scrollHeight - log.clientHeight - log.scrollTop);
    fromBottom = distance < 16 ? 0 : distance;
    clearTimeout(scrollSaveTimer);
    scrollSaveTimer = setTimeout(() => store.set("scroll", fromBottom), 150);
  }

  /* ---------- talking to Rasa ---------- */
  async function postMessage(message) {
    const controller = new AbortController();
    state.controller = controller;
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      const res = await fetch(cfg.server + "/webhooks/rest/webhook", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ message: message }), // the web front adds the cookie's conversation
        signal: controller.signal,
        cache: "no-store",
        credentials: "same-origin",
      });
      if (!res.ok) {
        const failure = new Error("HTTP " + res.status);
        const body = await res.json().catch(() => null);
        if (body && typeof body.error === "string") failure.notice = body.error; // e.g. the quota message
        throw failure;
      }
      const body = await res.json();
      return Array.isArray(body) ? body : [];
    } finally {
      clearTimeout(timer);
      if (state.controller === controller) state.controller = null;
    }
  }

  function handleReplies(replies) {
    // The header follows the LAST text the bot sent: a task that ends ("아직 갱신 기간이 아니에요")
    // or an answer outside a task carries no step marker, so no stale "2/4" stays in the header
    // even when an earlier message of the same reply had one.
    let step = null;
    replies.forEach((r) => {
      if (!r || typeof r !== "object") return;
      if (r.custom !== undefined) {
        const secretHint = parseSecretHint(r.custom);
        if (secretHint) state.secretHint = secretHint;
        if (r.custom && r.custom.handoff === "queued") handoff.join(); // live agent (block below)
      }
      const entry = { id: newEntryId(), from: "bot", ts: Date.now() };
      if (typeof r.text === "string" && r.text.trim()) {
        const parts = splitStep(r.text);
        entry.text = parts.body;
        step = parts.step;
        if (parts.step) entry.step = parts.step;
      }
      if (Array.isArray(r.buttons)) {
        entry.buttons = r.buttons
          .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
          .map((b) => ({ title: b.title, payload: b.payload }));
      }
      if (typeof r.image === "string" && safeUrl(r.image)) entry.image = safeUrl(r.image);
      if (entry.text || entry.step || entry.image || (entry.buttons && entry.buttons.length)) {
        state.messages.push(entry);
        appendEntry(entry);
      }
    });
    state.step = step;
    renderHeaderStep();
  }

  // Delivers one message. `entry` is the user bubble (null for the silent start payload).
  async function deliver(entry, message) {
    const generation = state.generation;
    state.busy = true;
    showNotice("");
    showTyping(true);
    renderComposer();
    if (entry) {
      entry.status = "pending";
      renderStatus(nodes.get(entry.id), entry);
    }
    let ok = false;
    let replies = [];
    let notice = "";
    try {
      replies = await postMessage(message);
      ok = true;
    } catch (err) {
      ok = false;
      notice = (err && err.notice) || "";
    }
    if (generation !== state.generation) return; // "새 대화" happened meanwhile
    state.busy = false;
    showTyping(false);
    if (ok) {
      if (entry) {
        entry.status = "sent";
        delete entry.payload;
        secrets.delete(entry.id);
        renderStatus(nodes.get(entry.id), entry);
      }
      handleReplies(replies);
      if (!entry && !state.messages.length) addLocalGreeting();
    } else {
      showNotice(notice || TEXT.offline);
      if (entry) {
        entry.status = "failed";
        renderStatus(nodes.get(entry.id), entry);
      } else if (!state.messages.length) {
        addLocalGreeting();
      }
    }
    persist();
    renderComposer();
    const lost = document.activeElement === document.body || (document.activeElement && document.activeElement.hidden);
    if (!panel.hidden && lost) focusInput(); // the field may have switched between text and secret
  }

  function markAnswered() {
    state.messages.forEach((m) => {
      if (m.from === "bot" && m.buttons && m.buttons.length && !m.answered) m.answered = true;
    });
    log.querySelectorAll(".kbc-qr").forEach((b) => { b.disabled = true; });
  }

  // message: what Rasa receives; shown: what the bubble says. Returns false when not sent.
  function sendMessage(message, shown, masked) {
    if (state.busy || !message) return false;
    markAnswered();
    const entry = { id: newEntryId(), from: "user", ts: Date.now(), status: "pending" };
    if (masked) {
      showHostNotice(null); // the code the page announced has been used
      entry.masked = true;
      entry.hint = state.secretHint;
      entry.text = "●".repeat((state.secretHint && state.secretHint.length) || 6);
      secrets.set(entry.id, message);
    } else {
      entry.text = shown;
      entry.payload = message; // kept until delivered so a retry survives a reload
    }
    state.secretHint = null; // any answer ends the secret request; the bot re-sends the hint if needed
    state.messages.push(entry);
    appendEntry(entry);
    persist();
    deliver(entry, message);
    return true;
  }

  function retryEntry(entry) {
    if (state.busy || entry.status !== "failed") return;
    const message = entry.masked ? secrets.get(entry.id) : entry.payload;
    if (!message) return;
    markAnswered();
    deliver(entry, message);
  }

  /* ---------- the masked field judges, but never edits, what was typed ---------- */
  function showSecretMessage(text) {
    secretMsg.textContent = text || "";
    secretMsg.hidden = !text;
    if (text) secretField.setAttribute("aria-invalid", "true");
    else secretField.removeAttribute("aria-invalid");
  }

  // The problem with the value so far, or "" when there is none. `final`: the customer pressed Enter.
  function secretProblem(value, final) {
    if (/\D/.test(value)) return TEXT.onlyDigits;
    const want = state.secretHint && state.secretHint.length;
    if (want && value.length > want) return TEXT.tooMany(want, value.length);
    if (final && want && value.length < want) return TEXT.tooFew(want, value.length);
    return "";
  }

  // Text typed into the masked field that is clearly words (a letter, and no run of 4+ digits that
  // could be a PIN or a code) moves to the text box when the customer switches, so a question
  // typed at the wrong place is not lost; anything that might be a secret is dropped, not shown.
  function looksLikeWords(value) {
    return /[A-Za-z\u3131-\u318e\uac00-\ud7a3]/.test(value) && !/\d{4,}/.test(value);
  }

  function submit() {
    if (state.busy) return;
    if (state.secretHint) {
      const value = secretField.value;
      if (!value) return;
      const problem = secretProblem(value, true);
      if (problem) {
        showSecretMessage(problem); // refused as typed: nothing is sent, nothing is cut
        secretField.focus();
        return;
      }
      secretField.value = "";
      showSecretMessage("");
      sendMessage(value, null, true);
    } else {
      const text = textarea.value.trim();
      if (!text) return;
      if (sendMessage(text, text, false)) {
        textarea.value = "";
        autoGrow();
      }
    }
    renderComposer();
    focusInput();
  }

  function start() {
    if (state.messages.length) return;
    if (cfg.startPayload) {
      deliver(null, cfg.startPayload);
    } else {
      addLocalGreeting();
      persist();
    }
  }

  function addLocalGreeting() {
    const greet = { id: newEntryId(), from: "bot", ts: Date.now(), text: cfg.greeting };
    state.messages.push(greet);
    appendEntry(greet);
  }

  function newChat() {
    handoff.leave(true);
    state.generation += 1;
    if (state.controller) state.controller.abort();
    secrets.clear();
    store.clear();
    state.messages = [];
    state.step = null;
    state.secretHint = null;
    state.busy = false;
    showTyping(false);
    showNotice("");
    textarea.value = "";
    showHostNotice(null);
    renderAll();
    persist();
    store.set("open", true);
    // A fresh cookie-bound conversation first; started either way (without the cookie the next
    // message also opens a new one).
    const generation = state.generation;
    fetch(cfg.server + "/conversation/new", { method: "POST", credentials: "same-origin", cache: "no-store" })
      .catch(() => null)
      .then(() => { if (generation === state.generation) start(); });
    focusInput();
  }

  /* ---------- live agent handoff (agentdesk/): queue, agent messages, back to the bot ----------
   * The bot's "상담원 연결" yes sends {"handoff": "queued"}; the web front queues the visitor's own
   * conversation (POST /chat/handoff) and this polls GET /chat/handoff every 2 s for the queue
   * position and the agent's messages, which are shown as from a person. */
  const handoff = (function () {
    const POLL_MS = 2000;
    const REQUEST_MS = 8000;
    let current = store.get("handoff", null); // {state, position, agentName, seen: [ids]}
    let timer = null;

    async function call(method, path) {
      const controller = new AbortController();
      const t = setTimeout(() => controller.abort(), REQUEST_MS);
      try {
        const res = await fetch(cfg.server + path, {
          method: method, cache: "no-store", credentials: "same-origin", signal: controller.signal,
          // The conversation is the one the web front's HttpOnly cookie names (docs/contracts.md).
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: method === "POST" ? "{}" : undefined,
        });
        const body = await res.json().catch(() => ({}));
        if (!res.ok) throw new Error((body && body.error) || "HTTP " + res.status);
        return body;
      } finally {
        clearTimeout(t);
      }
    }

    function render() {
      const open = !!current && (current.state === "queued" || current.state === "active");
      handoffBar.hidden = !open;
      if (!open) return;
      handoffText.textContent = current.state === "active"
        ? "상담원 " + (current.agentName || "") + " 님과 이야기하고 있어요."
        : "상담원 연결을 기다리고 있어요." + (current.position ? " 대기 순서: " + current.position + "번째" : "");
    }

    function apply(body) {
      const seen = new Set((current && current.seen) || []);
      (body.messages || []).forEach((m) => {
        if (!m || typeof m.text !== "string" || seen.has(m.id)) return;
        seen.add(m.id);
        const entry = { id: newEntryId(), from: m.from === "agent" ? "agent" : "desk", ts: Date.now(), text: m.text };
        if (m.from === "agent") entry.name = typeof m.name === "string" ? m.name.slice(0, 40) : "";
        state.messages.push(entry);
        appendEntry(entry);
      });
      current = { state: body.state, position: body.position || null, agentName: body.agent_name || null, seen: Array.from(seen).slice(-200) };
      store.set("handoff", current);
      persist();
      render();
      if (body.state === "queued" || body.state === "active") schedule();
      else stop();
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(poll, POLL_MS);
    }

    function stop() {
      clearTimeout(timer);
      timer = null;
    }

    async function poll() {
      try {
        apply(await call("GET", "/chat/handoff"));
      } catch (_) {
        schedule(); // a missed poll is retried; the queue keeps the place
      }
    }

    async function join() {
      try {
        apply(await call("POST", "/chat/handoff"));
      } catch (err) {
        showNotice(String(err.message || TEXT.offline));
      }
    }

    async function leave(silent) {
      if (!current || (current.state !== "queued" && current.state !== "active")) return;
      stop();
      try {
        await call("POST", "/chat/handoff/leave");
        if (!silent) await poll();
      } catch (_) {
        if (!silent) showNotice(TEXT.offline);
      }
      if (silent) {
        current = null;
        store.set("handoff", null);
        render();
      }
    }

    handoffLeave.addEventListener("click", () => {
      leave(false).then(focusInput);
    });

    return {
      join: join,
      leave: leave,
      resume() {
        render();
        if (current && (current.state === "queued" || current.state === "active")) poll();
      },
    };
  })();

  /* ---------- open / close, keyboard ---------- */
  function focusInput() {
    (state.secretHint ? secretField : textarea).focus();
  }

  function setOpen(open, focus) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    root.classList.toggle("kbc-open", open);
    store.set("open", open);
    if (open) {
      applyScroll();
      if (focus !== false) focusInput();
      start();
    }
  }

  function autoGrow() {
    textarea.style.height = "auto";
    textarea.style.height = Math.min(textarea.scrollHeight, 120) + "px";
  }

  launcher.addEventListener("click", () => setOpen(panel.hidden));
  closeBtn.addEventListener("click", () => {
    setOpen(false);
    launcher.focus();
  });
  newChatBtn.addEventListener("click", newChat);
  plainBtn.addEventListener("click", () => {
    const typed = secretField.value;
    state.secretHint = null;
    persist();
    renderComposer(); // empties the masked field
    if (typed && looksLikeWords(typed) && !textarea.value.trim()) {
      textarea.value = typed;
      autoGrow();
    }
    focusInput();
  });
  document.addEventListener("keydown", (e) => {
    // Escape closes the panel when focus is in it (or was lost to <body>), never for the host page.
    const here = root.contains(document.activeElement) || document.activeElement === document.body;
    if (e.key === "Escape" && !panel.hidden && here) {
      e.preventDefault();
      setOpen(false);
      launcher.focus();
    }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submit();
  });
  textarea.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    if (e.isComposing || e.keyCode === 229) return; // Korean IME: Enter confirms the syllable
    if (e.shiftKey) return; // newline
    e.preventDefault();
    submit();
  });
  textarea.addEventListener("input", autoGrow);
  secretField.addEventListener("input", () => showSecretMessage(secretProblem(secretField.value, false)));

  log.addEventListener("scroll", trackScroll, { passive: true });
  if (window.ResizeObserver) new ResizeObserver(applyScroll).observe(log);
  link.addEventListener("load", applyScroll);

  /* ---------- keyboard order: the chat's own controls first ---------- */
  // DOM order puts the quick replies above the input, so plain Tab from the send button would leave
  // for the host page. Instead: input → send → the newest answer's quick replies → launcher → page.
  function enabledReplies() {
    return Array.from(log.querySelectorAll(".kbc-qr")).filter((b) => !b.disabled);
  }

  function isShown(node) {
    return node.getClientRects().length > 0;
  }

  sendBtn.addEventListener("keydown", (e) => {
    if (e.key !== "Tab" || e.shiftKey) return;
    const replies = enabledReplies();
    if (!replies.length) return;
    e.preventDefault();
    replies[0].focus();
  });
  log.addEventListener("keydown", (e) => {
    if (e.key !== "Tab" || e.shiftKey) return;
    const replies = enabledReplies();
    if (!replies.length || e.target !== replies[replies.length - 1]) return;
    e.preventDefault();
    (isShown(launcher) ? launcher : newChatBtn).focus(); // on phones the launcher is hidden under the panel
  });
  launcher.addEventListener("keydown", (e) => {
    if (e.key !== "Tab" || !e.shiftKey || panel.hidden) return;
    const replies = enabledReplies();
    if (!replies.length) return;
    e.preventDefault();
    replies[replies.length - 1].focus();
  });

  /* ---------- host page events ---------- */
  // The page can show a short notice in the chat (text only) with a button that takes the customer to
  // an element of the page, e.g. the demo page's 모의 휴대폰 when a text arrives:
  //   window.dispatchEvent(new CustomEvent("kbcert:host-notice",
  //     {detail: {text: "모의 휴대폰에 새 문자가 왔어요.", action: "휴대폰 보기", target: "demo-phone"}}));
  // If the open panel covers that element (phones), the panel closes first; the page can reopen it
  // with the "kbcert:open-chat" event.
  let hostTarget = null;

  function showHostNotice(detail) {
    const text = detail && typeof detail.text === "string" ? detail.text.trim().slice(0, 200) : "";
    const target = detail && typeof detail.target === "string" && /^[A-Za-z][\w-]{0,63}$/.test(detail.target) ? detail.target : null;
    hostTarget = text && target ? target : null;
    hostNoticeText.textContent = text;
    hostNoticeBtn.textContent = hostTarget ? (typeof detail.action === "string" && detail.action.trim().slice(0, 40)) || "보기" : "";
    hostNoticeBtn.hidden = !hostTarget;
    hostNotice.hidden = !text;
  }

  function overlaps(a, b) {
    const r = a.getBoundingClientRect();
    const t = b.getBoundingClientRect();
    return r.left < t.right && t.left < r.right && r.top < t.bottom && t.top < r.bottom;
  }

  hostNoticeBtn.addEventListener("click", () => {
    const target = hostTarget ? document.getElementById(hostTarget) : null;
    showHostNotice(null);
    if (!target) {
      focusInput();
      return;
    }
    target.scrollIntoView({ block: "start" });
    if (!panel.hidden && overlaps(panel, target)) setOpen(false); // measured once it is in view
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  });
  window.addEventListener("kbcert:host-notice", (e) => showHostNotice(e.detail));
  window.addEventListener("kbcert:open-chat", () => setOpen(true));

  renderAll();
  handoff.resume();
  if (store.get("open", false)) setOpen(true, false); // restored after a reload: don't steal focus
})();
