/*
 * Agent console (agentdesk/). Plain ES2019, no dependencies, no inline script (CSP: script-src 'self').
 * Text from customers and agents reaches the DOM only through textContent. Every POST carries the
 * session's CSRF token; the session itself is an HttpOnly cookie this script never sees.
 */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const REQUEST_MS = 10000;
  const state = { me: null, csrf: "", view: "queue", openId: null, timer: null, handoffs: [] };
  const STATE_TEXT = { queued: "대기 중", active: "상담 중", closed: "종료" };
  const TASKS = { renew_certificate: "갱신", issue_certificate: "발급", check_certificate: "상태 확인",
    copy_certificate: "다른 기기 연결", revoke_certificate: "폐기", change_pin: "비밀번호 변경" };

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach((k) => {
      if (attrs[k] === true) node.setAttribute(k, "");
      else if (attrs[k] !== false && attrs[k] != null) node.setAttribute(k, String(attrs[k]));
    });
    if (text != null) node.textContent = String(text);
    return node;
  }

  async function api(method, path, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_MS);
    try {
      const headers = { Accept: "application/json" };
      if (method !== "GET") {
        headers["Content-Type"] = "application/json";
        headers["X-CSRF-Token"] = state.csrf;
      }
      const res = await fetch(path, { method: method, headers: headers, credentials: "same-origin", cache: "no-store",
        body: method === "GET" ? undefined : JSON.stringify(body || {}), signal: controller.signal });
      const data = await res.json().catch(() => ({}));
      if (res.status === 401 && path !== "/agent/api/login") showLogin();
      if (!res.ok) throw Object.assign(new Error(data.error || "요청을 처리하지 못했어요."), { status: res.status });
      return data;
    } catch (err) {
      if (err.name === "AbortError") throw new Error("서버 응답이 늦어요. 잠시 후 다시 시도해 주세요.");
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /* ---------- login / logout ---------- */
  function showLogin() {
    state.me = null;
    stopPolling();
    $("tabs").hidden = true;
    $("who").hidden = true;
    ["queue-view", "insights-view", "review-view"].forEach((id) => { $(id).hidden = true; });
    $("login-view").hidden = false;
  }

  function signedIn(me) {
    state.me = me;
    state.csrf = me.csrf;
    $("login-view").hidden = true;
    $("tabs").hidden = false;
    $("who").hidden = false;
    $("who-name").textContent = me.name + " (" + me.roles.map((r) => (r === "agent" ? "상담원" : "분석 담당")).join(", ") + ")";
    document.querySelectorAll(".tab").forEach((tab) => {
      const needs = tab.dataset.view === "queue" ? "agent" : "analyst";
      tab.hidden = me.roles.indexOf(needs) < 0;
    });
    show(me.roles.indexOf("agent") >= 0 ? "queue" : "insights");
  }

  $("login-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("login-error").textContent = "";
    try {
      const me = await api("POST", "/agent/api/login", { login: $("login-id").value.trim(), password: $("login-password").value });
      $("login-password").value = "";
      signedIn(me);
    } catch (err) {
      $("login-error").textContent = err.message;
      $("login-password").focus();
    }
  });

  $("logout").addEventListener("click", async () => {
    try { await api("POST", "/agent/api/logout"); } catch (_) { /* the session may be gone already */ }
    showLogin();
    $("login-id").focus();
  });

  /* ---------- views ---------- */
  function show(view) {
    state.view = view;
    stopPolling();
    ["queue", "insights", "review"].forEach((v) => {
      $(v + "-view").hidden = v !== view;
      const tab = document.querySelector('.tab[data-view="' + v + '"]');
      if (v === view) tab.setAttribute("aria-current", "page");
      else tab.removeAttribute("aria-current");
    });
    if (view === "queue") pollQueue();
    if (view === "insights") loadInsights();
    if (view === "review") loadReview();
  }
  document.querySelectorAll(".tab").forEach((tab) => tab.addEventListener("click", () => show(tab.dataset.view)));

  function stopPolling() {
    clearTimeout(state.timer);
    state.timer = null;
  }

  /* ---------- queue and one conversation ---------- */
  function waited(seconds) {
    if (seconds < 60) return seconds + "초";
    return Math.floor(seconds / 60) + "분";
  }

  // Rebuilt only when the queue itself changes, and the focused item keeps the focus: the list is
  // polled every 2 s and a keyboard user must not lose their place.
  let queueSignature = "";
  function renderQueue() {
    const list = $("queue-list");
    $("queue-empty").hidden = state.handoffs.length > 0;
    const signature = JSON.stringify(state.handoffs.map((h) => [h.id, h.state, h.position, h.agent_name, h.id === state.openId]));
    if (signature === queueSignature) {
      state.handoffs.forEach((h) => {
        const time = list.querySelector('[data-handoff="' + h.id + '"] .waited');
        if (time) time.textContent = waited(h.waited_seconds);
      });
      return;
    }
    queueSignature = signature;
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.handoff : null;
    list.textContent = "";
    state.handoffs.forEach((h) => {
      const li = el("li");
      const who = h.state === "active" ? " · " + (h.agent_name || "") : h.position ? " · " + h.position + "번째" : "";
      const btn = el("button", { type: "button", "data-testid": "queue-item", "data-handoff": h.id,
        "aria-current": h.id === state.openId ? "true" : "false" });
      btn.appendChild(el("span", { class: "state" }, STATE_TEXT[h.state] || h.state));
      btn.appendChild(document.createTextNode(" 상담 #" + h.id + who + " · 대기 "));
      btn.appendChild(el("span", { class: "waited" }, waited(h.waited_seconds)));
      btn.addEventListener("click", () => openConversation(h.id, true));
      li.appendChild(btn);
      list.appendChild(li);
      if (focused && String(h.id) === focused) btn.focus();
    });
  }

  async function pollQueue() {
    if (state.view !== "queue" || !state.me) return;
    try {
      const data = await api("GET", "/agent/api/queue");
      state.handoffs = data.handoffs || [];
      renderQueue();
      if (state.openId != null) await refreshConversation();
    } catch (err) {
      $("conv-status").textContent = err.message;
    }
    stopPolling();
    if (state.view === "queue" && state.me) state.timer = setTimeout(pollQueue, 2000);
  }

  function renderCustomer(customer, handoff) {
    const dl = $("customer");
    dl.textContent = "";
    const rows = [["상태", (STATE_TEXT[handoff.state] || handoff.state) + (handoff.agent_name ? " (" + handoff.agent_name + ")" : "")],
      ["본인 확인", customer.verified ? "확인됨" : "확인 안 됨"]];
    if (customer.name) rows.push(["이름", customer.name]);
    if (customer.phone) rows.push(["휴대폰", customer.phone]);
    if (customer.task) rows.push(["진행하던 일", TASKS[customer.task] || customer.task]);
    if (customer.cert_state) rows.push(["인증서 상태", customer.cert_state]);
    if (customer.cert_expires_on) rows.push(["만료일", customer.cert_expires_on]);
    rows.forEach((r) => { dl.append(el("dt", null, r[0]), el("dd", null, r[1])); });
  }

  const KIND = { user: "고객", bot: "도우미", agent: "상담원", system: "안내" };

  function renderTranscript(turns) {
    const log = $("transcript");
    const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 20;
    log.textContent = "";
    turns.forEach((t) => {
      const li = el("div", { class: "turn turn--" + t.kind, "data-testid": "turn-" + t.kind });
      const label = t.kind === "agent" && t.agent_name ? "상담원 " + t.agent_name : KIND[t.kind] || t.kind;
      li.appendChild(el("span", { class: "who-line" }, label + (t.button ? " (버튼)" : "")));
      li.appendChild(document.createTextNode(t.text));
      log.appendChild(li);
    });
    if (atEnd) log.scrollTop = log.scrollHeight;
  }

  function renderActions(handoff) {
    const mine = handoff.state === "active" && state.me && handoff.agent_login === state.me.login;
    $("take").disabled = handoff.state !== "queued";
    $("handback").disabled = !mine;
    $("close").disabled = !mine;
    $("reply-input").disabled = !mine;
    $("reply-form").querySelector("button").disabled = !mine;
  }

  async function openConversation(id, focus) {
    state.openId = id;
    renderQueue();
    $("conv-empty").hidden = true;
    $("conv").hidden = false;
    $("conv-title").textContent = "상담 #" + id;
    $("conv-status").textContent = "";
    await refreshConversation();
    if (focus) $("conv-title").focus();
  }

  async function refreshConversation() {
    const id = state.openId;
    if (id == null) return;
    try {
      const data = await api("GET", "/agent/api/conversations/" + id);
      if (id !== state.openId) return;
      renderCustomer(data.customer, data.handoff);
      renderTranscript(data.turns);
      renderActions(data.handoff);
    } catch (err) {
      if (err.status === 404) {
        state.openId = null;
        $("conv").hidden = true;
        $("conv-empty").hidden = false;
      }
      $("conv-status").textContent = err.message;
    }
  }

  async function act(path, body, done) {
    if (state.openId == null) return;
    $("conv-status").textContent = "";
    try {
      await api("POST", "/agent/api/conversations/" + state.openId + "/" + path, body);
      $("conv-status").textContent = done;
      await refreshConversation();
      return true;
    } catch (err) {
      $("conv-status").textContent = err.message;
      return false;
    }
  }

  $("take").addEventListener("click", async () => {
    if (await act("take", null, "상담을 맡았어요. 답변을 입력해 주세요.")) $("reply-input").focus();
  });
  $("handback").addEventListener("click", async () => {
    if (await act("handback", null, "도우미에게 돌려줬어요.")) $("queue-title").focus();
  });
  $("close").addEventListener("click", async () => {
    if (await act("close", null, "상담을 종료했어요.")) $("queue-title").focus();
  });
  $("reply-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = $("reply-input").value.trim();
    if (!text) return;
    if (await act("reply", { text: text }, "보냈어요.")) {
      $("reply-input").value = "";
      $("reply-input").focus();
    }
  });
  $("reply-input").addEventListener("keydown", (e) => {
    // Enter sends, Shift+Enter is a new line; never while the Korean IME is composing.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      $("reply-form").requestSubmit();
    }
  });
  $("queue-title").setAttribute("tabindex", "-1");

  /* ---------- insights: tables and bar charts drawn as SVG by this script ---------- */
  const SVG = "http://www.w3.org/2000/svg";

  function barChart(rows, label) {
    const width = 560;
    const rowH = 22;
    const max = Math.max(1, ...rows.map((r) => r.value));
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "chart");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label);
    svg.setAttribute("viewBox", "0 0 " + width + " " + Math.max(rowH, rows.length * rowH));
    svg.setAttribute("width", String(width));
    rows.forEach((r, i) => {
      const name = document.createElementNS(SVG, "text");
      name.setAttribute("x", "0");
      name.setAttribute("y", String(i * rowH + 15));
      name.textContent = r.label;
      const bar = document.createElementNS(SVG, "rect");
      bar.setAttribute("class", "bar");
      bar.setAttribute("x", "200");
      bar.setAttribute("y", String(i * rowH + 4));
      bar.setAttribute("height", "14");
      bar.setAttribute("width", String(Math.max(1, Math.round((r.value / max) * 300))));
      const num = document.createElementNS(SVG, "text");
      num.setAttribute("x", String(206 + Math.round((r.value / max) * 300)));
      num.setAttribute("y", String(i * rowH + 15));
      num.textContent = String(r.value);
      svg.append(name, bar, num);
    });
    return svg;
  }

  function table(headers, rows, caption) {
    const t = el("table");
    t.appendChild(el("caption", { class: "muted" }, caption));
    const head = el("tr");
    headers.forEach((h) => head.appendChild(el("th", { scope: "col" }, h)));
    t.appendChild(el("thead")).appendChild(head);
    const body = el("tbody");
    rows.forEach((r) => {
      const tr = el("tr");
      r.forEach((cell) => tr.appendChild(el("td", typeof cell === "number" ? { class: "n" } : null, cell)));
      body.appendChild(tr);
    });
    t.appendChild(body);
    return t;
  }

  function block(title, ...children) {
    const box = el("div", { class: "block" });
    box.appendChild(el("h3", null, title));
    children.forEach((c) => box.appendChild(c));
    return box;
  }

  const pct = (x) => (x * 100).toFixed(1) + " %";

  async function loadInsights() {
    const root = $("insights");
    root.textContent = "불러오는 중이에요…";
    let r;
    try {
      r = await api("GET", "/agent/api/insights");
    } catch (err) {
      root.textContent = err.message;
      return;
    }
    root.textContent = "";
    const cards = el("div", { class: "cards" });
    [["대화 수", r.conversations], ["fallback 비율", pct(r.fallback_rate)], ["상담원 연결 비율", pct(r.handoff_rate)],
      ["상담원 연결 제안", r.handoff_offered]].forEach((c) => {
      const card = el("div", { class: "card", "data-testid": "insight-card" });
      card.append(el("span", { class: "num" }, c[1]), el("span", null, c[0]));
      cards.appendChild(card);
    });
    root.appendChild(cards);
    root.appendChild(block("일별 대화 수",
      barChart(r.per_day.map((d) => ({ label: d.day, value: d.count })), "일별 대화 수 막대그래프"),
      table(["날짜", "대화"], r.per_day.map((d) => [d.day, d.count]), "일별 대화 수 표")));
    root.appendChild(block("많이 물어본 FAQ",
      barChart(r.faq_top.map((f) => ({ label: f.title, value: f.count })), "많이 물어본 FAQ 막대그래프"),
      table(["FAQ", "키", "질문 수"], r.faq_top.map((f) => [f.title, f.key, f.count]), "많이 물어본 FAQ 표")));
    r.funnels.forEach((f) => {
      root.appendChild(block("과제 퍼널: " + f.title + " (평균 " + f.avg_turns + "턴)",
        barChart(f.stages.map((s) => ({ label: s.stage, value: s.count })), f.title + " 퍼널 막대그래프"),
        table(["단계", "도달", "이탈"], f.stages.map((s) => [s.stage, s.count, s.dropped || 0]), f.title + " 단계별 도달과 이탈")));
    });
    root.appendChild(block("이해하지 못한 메시지 (" + r.fallback_count + " / " + r.typed_messages + ")",
      table(["날짜", "메시지", "가장 가까운 추정"], r.fallback_messages.map((m) => [m.day, m.text, m.guess || "-"]), "fallback 메시지 목록")));
  }

  /* ---------- NLU review inbox ---------- */
  const REASONS = { fallback: "이해 못 함", correction: "고객이 정정", suggestion: "제안 버튼 선택" };

  async function loadReview() {
    const list = $("review-list");
    list.textContent = "";
    $("review-status").textContent = "불러오는 중이에요…";
    let data;
    try {
      data = await api("GET", "/agent/api/review");
    } catch (err) {
      $("review-status").textContent = err.message;
      return;
    }
    $("review-status").textContent = data.items.length ? "검토할 메시지 " + data.items.length + "개" : "검토할 메시지가 없어요.";
    data.items.forEach((item, i) => {
      const li = el("li", { "data-testid": "review-item" });
      li.appendChild(el("span", { class: "text" }, item.text));
      li.appendChild(el("span", { class: "muted" }, "예측: " + (item.predicted || "-") + " · " + item.reasons.map((r) => REASONS[r] || r).join(", ")));
      const row = el("div", { class: "row" });
      const id = "label-" + i;
      row.appendChild(el("label", { for: id }, "맞는 라벨"));
      const select = el("select", { id: id, "data-testid": "review-label" });
      data.labels.forEach((l) => {
        const option = el("option", { value: l }, l);
        if (l === (item.suggested || item.predicted)) option.selected = true;
        select.appendChild(option);
      });
      const save = el("button", { type: "button", "data-testid": "review-save" }, "저장");
      save.addEventListener("click", async () => {
        try {
          await api("POST", "/agent/api/review", { key: item.key, label: select.value });
          li.remove();
          $("review-status").textContent = "저장했어요: " + select.value;
        } catch (err) {
          $("review-status").textContent = err.message;
        }
      });
      row.append(select, save);
      li.appendChild(row);
      list.appendChild(li);
    });
  }

  /* ---------- start ---------- */
  api("GET", "/agent/api/me").then(signedIn, showLogin);
})();
