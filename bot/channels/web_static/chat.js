// An Dân — browser chat client. Plain ES2020, no dependencies, works offline.
// All user-visible text comes from the HTML template or from the bot's messages.
(() => {
  "use strict";

  const API = "/api/messages";
  const POLL_WAIT = 25;          // seconds the server may hold a long-poll
  const POLL_TIMEOUT = 40000;    // ms before we give up on one long-poll request
  const MAX_BACKOFF = 30000;
  const URL_RE = /https?:\/\/[^\s<>"']+/g;
  const TRAILING = /[.,;:!?'")\]}»”’]+$/;

  const [list, form, input, sendBtn, attachBtn, locBtn, fileInput, offline, retryBtn] =
    ["messages", "composer", "input", "send", "attach", "location", "file", "offline", "retry"]
      .map((id) => document.getElementById(id));
  const offlineText = (offline.querySelector("span") || offline).textContent.trim();

  const seen = new Set();        // message ids already rendered
  let pollCursor = 0;            // highest id delivered by the poll itself
  let busy = false;
  let wake = null;               // resolves the current backoff sleep early

  // ---------- rendering ----------

  function el(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }

  function link(href, text) {
    const a = el("a", null, text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function safeUrl(raw) {
    try {
      const u = new URL(String(raw), location.href);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch {
      return null;
    }
  }

  // Append plain text to `parent`, turning http(s) URLs into safe links.
  function appendText(parent, text) {
    const s = String(text || "");
    let last = 0;
    for (const m of s.matchAll(URL_RE)) {
      let url = m[0];
      const trail = url.match(TRAILING);
      if (trail) url = url.slice(0, -trail[0].length);
      if (!url) continue;
      if (m.index > last) parent.append(document.createTextNode(s.slice(last, m.index)));
      const href = safeUrl(url);
      parent.append(href ? link(href, url) : document.createTextNode(url));
      last = m.index + url.length;
    }
    if (last < s.length) parent.append(document.createTextNode(s.slice(last)));
  }

  function renderMedia(item) {
    const href = safeUrl(item && item.url);
    if (!href) return null;
    const caption = item.caption || "";
    const fig = el("figure", "media media-" + (item.kind === "image" ? "image" : "file"));
    const a = link(href);
    if (item.kind === "image") {
      const img = el("img");
      img.src = href;
      img.alt = caption;
      img.loading = "lazy";
      img.decoding = "async";
      img.addEventListener("load", scrollToEnd, { once: true });
      a.append(img);
      fig.append(a);
      if (caption) fig.append(el("figcaption", null, caption));
    } else {
      let name = caption;
      try { name = name || decodeURIComponent(new URL(href).pathname.split("/").pop()) || href; }
      catch { name = href; }
      a.className = "file-link";
      a.append(el("span", "file-icon"), el("span", "file-name", name));
      fig.append(a);
    }
    return fig;
  }

  function renderMessage(m) {
    const dir = m.direction === "in" ? "in" : "out";
    const node = el("div", "msg msg-" + dir);
    node.dataset.id = String(m.id);
    node.dataset.direction = dir;
    const bubble = el("div", "bubble");
    if (m.text) {
      const p = el("div", "text");
      appendText(p, m.text);
      bubble.append(p);
    }
    for (const item of m.media || []) {
      const f = renderMedia(item);
      if (f) bubble.append(f);
    }
    node.append(bubble);
    if (m.at_display) {
      const t = el("time", "meta", m.at_display);
      if (m.at) t.dateTime = m.at;
      node.append(t);
    }
    if (dir === "out" && Array.isArray(m.choices) && m.choices.length) {
      const box = el("div", "choices");
      for (const c of m.choices) {
        const b = el("button", "choice", c.label);
        b.type = "button";
        b.dataset.payload = c.payload;
        box.append(b);
      }
      node.append(box);
    }
    return node;
  }

  // Insert keeping id order; pending bubbles always stay last.
  function insert(node, id) {
    let ref = null;
    for (const child of list.children) {
      if (child.classList.contains("pending") ||
          (child.dataset.id && !child.dataset.ephemeral && Number(child.dataset.id) > id)) { ref = child; break; }
    }
    list.insertBefore(node, ref);
  }

  function render(msgs) {
    if (!Array.isArray(msgs) || !msgs.length) return;
    let added = false;
    // Ephemeral messages (before consent nothing is stored) have no id: shown once, in arrival order.
    for (const m of msgs.filter((x) => x && x.ephemeral)) {
      if (m.direction === "in") dropPending(m.text);
      const node = renderMessage(m);
      node.dataset.ephemeral = "true";
      insert(node, Infinity);
      added = true;
    }
    const sorted = msgs.filter((m) => m && !m.ephemeral && Number.isFinite(Number(m.id)))
      .sort((a, b) => Number(a.id) - Number(b.id));
    for (const m of sorted) {
      const id = Number(m.id);
      if (seen.has(id)) continue;
      seen.add(id);
      if (m.direction === "in") dropPending(m.text);
      insert(renderMessage(m), id);
      added = true;
    }
    if (added) scrollToEnd();
  }

  function scrollToEnd() {
    list.scrollTop = list.scrollHeight;
  }

  function note(text) {
    const n = el("div", "note", text || offlineText);
    n.setAttribute("role", "alert");
    list.append(n);
    scrollToEnd();
  }

  // Optimistic "you said" bubble until the server's echo arrives.
  function addPending(text) {
    const n = el("div", "pending msg-in");
    const b = el("div", "bubble"), p = el("div", "text");
    appendText(p, text);
    b.append(p);
    n.append(b);
    n.dataset.text = text;
    list.append(n);
    scrollToEnd();
    return n;
  }

  function dropPending(text) {
    for (const p of list.querySelectorAll(".pending")) {
      if (p.dataset.text === String(text || "").trim()) { p.remove(); return; }
    }
  }

  // ---------- sending ----------

  function setBusy(on) {
    busy = on;
    sendBtn.disabled = attachBtn.disabled = locBtn.disabled = on;
    list.setAttribute("aria-busy", on ? "true" : "false");
    document.body.classList.toggle("busy", on);
  }

  async function post(body, pendingText) {
    if (busy) return false;
    setBusy(true);
    const pending = pendingText ? addPending(pendingText) : null;
    try {
      const isForm = body instanceof FormData;
      const headers = { Accept: "application/json" };
      if (!isForm) headers["Content-Type"] = "application/json";
      const r = await fetch(API, { method: "POST", credentials: "same-origin", headers,
        body: isForm ? body : JSON.stringify(body) });
      let data = null;
      try { data = await r.json(); } catch { /* non-JSON body */ }
      if (!r.ok) throw new Error((data && data.error) || offlineText);
      const msgs = (data && data.messages) || [];
      render(msgs);
      if (pending && msgs.some((m) => m && m.direction === "in")) pending.remove();
      // Otherwise the poll brings the echo; never leave a ghost bubble behind.
      else if (pending) setTimeout(() => pending.remove(), 8000);
      return true;
    } catch (e) {
      if (pending) pending.remove();
      note(e instanceof TypeError ? offlineText : e.message);
      return false;
    } finally {
      setBusy(false);
    }
  }

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 160) + "px";
  }

  async function sendText() {
    const text = input.value;
    if (!text.trim() || busy) return;
    input.value = "";
    autosize();
    const ok = await post({ text }, text.trim());
    if (!ok) {  // give the text back so nothing is lost
      input.value = input.value ? text + "\n" + input.value : text;
      autosize();
    }
    input.focus();
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); sendText(); });

  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      sendText();
    }
  });
  input.addEventListener("input", autosize);

  list.addEventListener("click", (e) => {
    const b = e.target.closest("button.choice");
    if (!b || busy) return;
    post({ choice: b.dataset.payload }, b.textContent);
  });

  attachBtn.addEventListener("click", () => { if (!busy) fileInput.click(); });
  fileInput.addEventListener("change", async () => {
    const f = fileInput.files && fileInput.files[0];
    fileInput.value = "";
    if (!f) return;
    const fd = new FormData();
    fd.append("file", f, f.name);
    const caption = input.value.trim();
    if (caption) fd.append("caption", caption);
    if (await post(fd) && caption && input.value.trim() === caption) {
      input.value = "";
      autosize();
    }
  });

  if (!("geolocation" in navigator)) locBtn.hidden = true;
  locBtn.addEventListener("click", () => {
    if (busy || !navigator.geolocation) return;
    locBtn.disabled = true;
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        locBtn.disabled = busy;
        post({ location: { latitude: pos.coords.latitude, longitude: pos.coords.longitude } });
      },
      () => { locBtn.disabled = busy; },  // denied/unavailable: the bot will ask for an address
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });

  // ---------- long-poll ----------

  function sleep(ms) {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => { clearTimeout(t); resolve(); };
    });
  }

  function setOffline(on) { offline.hidden = !on; }

  async function pollLoop() {
    let delay = 1000;
    let first = true;
    for (;;) {
      const ctrl = new AbortController();
      const timer = setTimeout(() => ctrl.abort(), POLL_TIMEOUT);
      try {
        const url = `${API}?after=${pollCursor}&wait=${first ? 0 : POLL_WAIT}`;
        const r = await fetch(url, {
          credentials: "same-origin", cache: "no-store",
          headers: { Accept: "application/json" }, signal: ctrl.signal,
        });
        if (!r.ok) throw new Error(String(r.status));
        const data = await r.json();
        const msgs = (data && data.messages) || [];
        render(msgs);
        for (const m of msgs) pollCursor = Math.max(pollCursor, Number(m.id) || 0);
        setOffline(false);
        delay = 1000;
        first = false;
      } catch {
        setOffline(true);
        await sleep(delay);
        delay = Math.min(delay * 2, MAX_BACKOFF);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  const nudge = () => { if (wake) wake(); };
  retryBtn.addEventListener("click", nudge);
  window.addEventListener("online", nudge);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) nudge(); });

  autosize();
  pollLoop();
  // An invite link (/join/<code>) lands here as #start=<code>: redeem it once, then drop it from the address.
  const invite = /^#start=([A-Za-z0-9_-]{1,64})$/.exec(location.hash);
  if (invite) {
    history.replaceState(null, "", location.pathname);
    post({ text: "/start " + invite[1] }, null);
  }
})();
