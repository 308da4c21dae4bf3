// An Dân — browser chat client. Plain ES2020, no dependencies.
// The page's own words come from the server in the person's language (#andan-page, then /api/page when a reply
// says the language changed); everything else is the bot's messages.
(() => {
  "use strict";

  const API = "/api/messages";
  const POLL_WAIT = 25;          // seconds the server may hold a long-poll
  const POLL_TIMEOUT = 40000;    // ms before we give up on one long-poll request
  const MAX_BACKOFF = 30000;
  const URL_RE = /https?:\/\/[^\s<>"']+/g;
  const TRAILING = /[.,;:!?'")\]}»”’]+$/;
  // Vietnamese phone numbers (0… or +84…, spaces, dots or dashes between digits) and the emergency numbers.
  const PHONE_RE = /(?:\+84|\b0)\d(?:[ .-]?\d){7,9}\b|\b11[345]\b/g;
  const EPHEMERAL_KEY = "andan.ephemeral";  // sessionStorage: what the server did not keep, for a reload
  const THUMBS_KEY = "andan.thumbs";        // sessionStorage: small pictures of the person's own photos
  const MAX_THUMBS = 12;
  const RESEND_DELAY = 1500;     // ms before an input whose answer was lost on the way is sent once more

  const $ = (id) => document.getElementById(id);
  const list = $("messages"), form = $("composer"), input = $("input"), sendBtn = $("send");
  const attachBtn = $("attach"), locBtn = $("location"), fileInput = $("file"), menuBtn = $("menu");
  const offline = $("offline"), retryBtn = $("retry"), statusBox = $("status");
  const largeBtn = $("large"), notifyBtn = $("notify");

  let page = { lang: document.documentElement.lang, strings: {}, push: { enabled: false, key: null } };
  try { page = JSON.parse($("andan-page").textContent); } catch { /* the template's words stay */ }
  const S = (key, values) => {
    let s = (page.strings && page.strings[key]) || "";
    for (const [k, v] of Object.entries(values || {})) s = s.split("{" + k + "}").join(String(v));
    return s;
  };

  const seen = new Set();        // stored message ids already rendered
  let pollCursor = 0;            // highest id delivered by the poll itself
  let maxShown = 0;              // highest stored id on the page: where a message the server did not keep goes
  let seq = 0;                   // arrival order of such messages
  let busy = false;
  let wake = null;               // resolves the current backoff sleep early
  let loaded = false;            // the first poll has answered: later arrivals are new
  let unread = 0, urgentUnread = false;
  let unanswered = null;         // {sig, id}: the last input sent whose answer the page never saw

  // ---------- storage (never fatal: private modes may refuse it) ----------

  function load(store, key, fallback) {
    try { return JSON.parse(store.getItem(key)) || fallback; } catch { return fallback; }
  }
  function save(store, key, value) {
    try { store.setItem(key, JSON.stringify(value)); } catch { /* full or refused */ }
  }
  const session = window.sessionStorage, local = window.localStorage;
  let ephemeral = load(session, EPHEMERAL_KEY, []);
  let thumbs = load(session, THUMBS_KEY, {});

  function keepThumb(key, dataUrl) {
    thumbs[key] = dataUrl;
    const keys = Object.keys(thumbs);
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_THUMBS))) delete thumbs[old];
    save(session, THUMBS_KEY, thumbs);
  }

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

  // Split `text` by a pattern: plain parts go to `plain`, matches to `match`.
  function split(parent, text, re, match, plain) {
    let last = 0;
    for (const m of text.matchAll(re)) {
      if (m.index > last) plain(parent, text.slice(last, m.index));
      last = m.index + match(parent, m[0]);
    }
    if (last < text.length) plain(parent, text.slice(last));
  }

  const digits = (num) => num.replace(/[^\d+]/g, "").replace(/^\+84/, "0");

  // The numbers a scam uses: an alert lists them on "•" lines. They are never made callable, wherever they appear.
  function scamNumbers(text) {
    const found = new Set();
    for (const line of String(text || "").split("\n")) {
      if (line.trimStart().startsWith("•")) for (const m of line.matchAll(PHONE_RE)) found.add(digits(m[0]));
    }
    return found;
  }

  // Receipt codes never break across lines; in an urgent alert, phone numbers (the police, 113) can be called
  // with one tap — but never a number the alert warns about.
  function appendPlain(parent, text, opts) {
    const codes = opts.codes || [];
    const avoid = opts.avoid || new Set();
    const lines = text.split("\n");
    lines.forEach((line, i) => {
      if (i) parent.append("\n");
      const phones = opts.urgent && !line.trimStart().startsWith("•");
      const withPhones = (p, s) => {
        if (!phones) { p.append(s); return; }
        split(p, s, PHONE_RE, (q, num) => {
          if (avoid.has(digits(num))) { q.append(num); return num.length; }
          const a = el("a", "tel", num);
          a.href = "tel:" + num.replace(/[^\d+]/g, "");
          q.append(a);
          return num.length;
        }, (q, rest) => q.append(rest));
      };
      if (!codes.length) { withPhones(parent, line); return; }
      const re = new RegExp(codes.map((c) => c.replace(/[-]/g, "\\-")).join("|"), "g");
      split(parent, line, re, (p, code) => { p.append(el("span", "code-inline", code)); return code.length; },
        withPhones);
    });
  }

  // Plain text with http(s) URLs turned into safe links.
  function appendText(parent, text, opts) {
    const s = String(text || "");
    let last = 0;
    for (const m of s.matchAll(URL_RE)) {
      let url = m[0];
      const trail = url.match(TRAILING);
      if (trail) url = url.slice(0, -trail[0].length);
      if (!url) continue;
      if (m.index > last) appendPlain(parent, s.slice(last, m.index), opts || {});
      const href = safeUrl(url);
      parent.append(href ? link(href, url) : document.createTextNode(url));
      last = m.index + url.length;
    }
    if (last < s.length) appendPlain(parent, s.slice(last), opts || {});
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

  function codeCard(code) {
    const card = el("div", "code-card");
    card.append(el("p", "code-label", S("code_label")));
    const value = el("strong", "code-value", code);
    value.translate = false;
    card.append(value);
    const actions = el("div", "code-actions");
    const copy = el("button", "action-btn primary", S("copy"));
    copy.type = "button";
    copy.dataset.action = "copy";
    copy.dataset.code = code;
    const picture = el("button", "action-btn", S("save_picture"));
    picture.type = "button";
    picture.dataset.action = "picture";
    picture.dataset.code = code;
    actions.append(copy, picture);
    card.append(actions, el("p", "code-once", S("code_once")));
    return card;
  }

  function thumbKey(m) {
    return m.ephemeral ? "e:" + m.key : "id:" + m.id;
  }

  function renderMessage(m) {
    const dir = m.direction === "in" ? "in" : "out";
    const node = el("div", "msg msg-" + dir);
    node.dataset.direction = dir;
    if (m.ephemeral) {
      node.dataset.ephemeral = "true";
      node.dataset.after = String(m.after || 0);
      node.dataset.seq = String(m.seq || 0);
    } else {
      node.dataset.id = String(m.id);
    }
    const bubble = el("div", "bubble");
    bubble.append(el("span", "visually-hidden", dir === "in" ? S("you") : S("bot")));
    if (m.urgent && dir === "out") {
      node.classList.add("urgent");
      const label = el("span", "urgent-label");
      label.append(el("span", null, "⚠"), el("span", null, S("urgent")));
      label.firstChild.setAttribute("aria-hidden", "true");
      bubble.append(label);
    }
    let text = m.text || "";
    const thumb = dir === "in" ? thumbs[thumbKey(m)] : null;
    if (thumb) {
      const img = el("img", "thumb");
      img.addEventListener("load", scrollToEnd, { once: true });
      img.src = thumb;
      img.alt = S("your_photo");
      bubble.append(img);
      text = text.split("\n").filter((line) => !line.startsWith("📎 ")).join("\n");
    }
    if (text) {
      const p = el("div", "text");
      const urgent = m.urgent && dir === "out";
      appendText(p, text, { urgent, codes: dir === "out" ? m.codes : [], avoid: urgent ? scamNumbers(text) : null });
      bubble.append(p);
    }
    for (const item of m.media || []) {
      const f = renderMedia(item);
      if (f) bubble.append(f);
    }
    node.append(bubble);
    // Beside the bubble, not inside it: the code gets the message's whole width to stay on one line, large.
    if (dir === "out" && Array.isArray(m.codes) && m.codes.length) {
      node.classList.add("has-code");
      for (const code of m.codes) node.append(codeCard(code));
    }
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
        b.dataset.label = c.label;
        box.append(b);
      }
      node.append(box);
    }
    return node;
  }

  // Sort key: stored messages by id; those the server did not keep after the stored message they followed.
  function order(node) {
    if (node.dataset.ephemeral) return [Number(node.dataset.after) || 0, 1, Number(node.dataset.seq) || 0];
    return [Number(node.dataset.id) || 0, 0, 0];
  }
  function before(a, b) {
    for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
    return false;
  }

  // Insert keeping that order; pending bubbles and notes always stay last.
  function insert(node) {
    const key = order(node);
    let ref = null;
    for (const child of list.children) {
      if (!child.classList.contains("msg") || before(key, order(child))) { ref = child; break; }
    }
    list.insertBefore(node, ref);
  }

  // A question's buttons live until the person answers (anything sent after it) or presses one of them.
  function refreshChoices() {
    let answered = false;
    const children = Array.from(list.children);
    for (let i = children.length - 1; i >= 0; i--) {
      const n = children[i];
      if (n.classList.contains("msg-in") || n.classList.contains("pending")) { answered = true; continue; }
      const spent = answered || n.dataset.spent === "true";
      for (const b of n.querySelectorAll("button.choice")) b.disabled = spent;
    }
  }

  // Messages the server did not keep (before consent, private exchanges) stay in this tab for a reload.
  function remember(m) {
    ephemeral.push(m);
    if (ephemeral.length > 300) ephemeral = ephemeral.slice(-300);
    save(session, EPHEMERAL_KEY, ephemeral);
  }

  function render(msgs, opts) {
    if (!Array.isArray(msgs) || !msgs.length) return [];
    const added = [];
    const o = opts || {};
    for (const m of msgs) {
      if (!m) continue;
      if (m.ephemeral) {
        if (!m.key) {  // arriving now: place it after what is shown, and keep it for a reload
          m.key = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
          m.after = maxShown;
          m.seq = ++seq;
          if (o.thumb && m.direction === "in" && !o.thumbUsed) { keepThumb(thumbKey(m), o.thumb); o.thumbUsed = true; }
          remember(m);
        } else {
          seq = Math.max(seq, m.seq || 0);
        }
      } else {
        const id = Number(m.id);
        if (!Number.isFinite(id) || seen.has(id)) continue;
        seen.add(id);
        maxShown = Math.max(maxShown, id);
        if (o.thumb && m.direction === "in" && !o.thumbUsed) { keepThumb(thumbKey(m), o.thumb); o.thumbUsed = true; }
      }
      if (m.direction === "in") dropPending(m.text);
      const node = renderMessage(m);
      insert(node);
      added.push(m);
    }
    if (added.length) {
      refreshChoices();
      scrollToEnd();
    }
    return added;
  }

  function scrollToEnd() {
    list.scrollTop = list.scrollHeight;
  }

  function announce(text) {
    statusBox.textContent = "";
    setTimeout(() => { statusBox.textContent = text; }, 50);
  }

  function note(text) {
    const n = el("div", "note", text || S("offline"));
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
    refreshChoices();
    scrollToEnd();
    return n;
  }

  function dropPending(text) {
    for (const p of list.querySelectorAll(".pending")) {
      if (p.dataset.text === String(text || "").trim()) { p.remove(); return; }
    }
  }

  // ---------- the page's words, when the person changes language ----------

  function applyStrings(info) {
    if (!info || !info.strings) return;
    page = info;
    document.documentElement.lang = info.lang;
    for (const n of document.querySelectorAll("[data-s]")) n.textContent = S(n.dataset.s);
    for (const n of document.querySelectorAll("[data-s-aria]")) n.setAttribute("aria-label", S(n.dataset.sAria));
    for (const n of document.querySelectorAll("[data-s-title]")) n.title = S(n.dataset.sTitle);
    for (const n of document.querySelectorAll("[data-s-placeholder]")) n.placeholder = S(n.dataset.sPlaceholder);
    baseTitle = S("title") || baseTitle;
    updateTitle();
  }

  async function followLanguage(lang) {
    if (!lang || lang === document.documentElement.lang) return;
    try {
      const r = await fetch("/api/page", { credentials: "same-origin", cache: "no-store" });
      if (r.ok) applyStrings(await r.json());
    } catch { /* next reply tries again */ }
  }

  // ---------- sending ----------

  function setBusy(on) {
    busy = on;
    sendBtn.disabled = attachBtn.disabled = locBtn.disabled = menuBtn.disabled = on;
    list.setAttribute("aria-busy", on ? "true" : "false");
    document.body.classList.toggle("busy", on);
  }

  function xhrPost(body, progress) {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", API);
      xhr.withCredentials = true;
      xhr.responseType = "json";
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) progress(e.loaded / e.total); });
      xhr.addEventListener("load", () => resolve({
        ok: xhr.status >= 200 && xhr.status < 300, status: xhr.status, data: xhr.response,
      }));
      xhr.addEventListener("error", () => resolve({ ok: false, network: true }));
      xhr.addEventListener("abort", () => resolve({ ok: false, network: true }));
      xhr.send(body);
    });
  }

  async function jsonPost(url, body) {
    try {
      const r = await fetch(url, { method: "POST", credentials: "same-origin",
        headers: { Accept: "application/json", "Content-Type": "application/json" }, body: JSON.stringify(body) });
      let data = null;
      try { data = await r.json(); } catch { /* non-JSON body */ }
      return { ok: r.ok, status: r.status, data };
    } catch {
      return { ok: false, network: true };
    }
  }

  // Every input carries a client id ("id", in the JSON or as a form field): an input sent again because its
  // answer never arrived keeps its id, and the server answers it without handling it twice (a photo is kept once,
  // a form's answer counted once).
  function newId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // The same input: the same words or button, or the same file with the same caption.
  function signature(body) {
    if (body instanceof FormData) {
      const files = body.getAll("file").map((f) => [f.name, f.size, f.lastModified]);
      return JSON.stringify(["file", files, body.get("caption") || ""]);
    }
    return JSON.stringify(body);
  }

  // Send one input; `opts.pending` is the person's own words shown at once, `opts.upload` a file's progress
  // bubble. Returns true once the server has answered. An answer lost on the way (the network failed) has the
  // input sent once more by itself; when that fails too, or a server error came back, the input keeps its id for
  // the person's own second try with the same words or file.
  async function post(body, opts) {
    const o = opts || {};
    if (busy) return false;
    setBusy(true);
    const pending = o.upload || (o.pending ? addPending(o.pending) : null);
    const url = o.url || API;
    let sig = null, id = null, sent = body;
    if (url === API) {
      sig = signature(body);
      id = unanswered && unanswered.sig === sig ? unanswered.id : newId();
      if (body instanceof FormData) body.set("id", id);
      else sent = { ...body, id };
    }
    const send = () => (body instanceof FormData ? xhrPost(body, o.progress || (() => {})) : jsonPost(url, sent));
    try {
      let res = await send();
      if (id && res.network) {
        await new Promise((resolve) => setTimeout(resolve, RESEND_DELAY));
        res = await send();
      }
      if (id) unanswered = res.network || res.status >= 500 ? { sig, id } : null;
      if (!res.ok) {
        if (pending) pending.remove();
        refreshChoices();
        note(res.network ? S("offline") : (res.data && res.data.error) || (o.failed || S("offline")));
        return false;
      }
      const msgs = (res.data && res.data.messages) || [];
      render(msgs, { thumb: o.thumb });
      if (pending && msgs.some((m) => m && m.direction === "in")) { pending.remove(); refreshChoices(); }
      // Otherwise the poll brings the echo; never leave a ghost bubble behind.
      else if (pending) setTimeout(() => { pending.remove(); refreshChoices(); }, 8000);
      followLanguage(res.data && res.data.lang);
      if (pushWanted) ensurePush();
      return true;
    } finally {
      setBusy(false);
    }
  }

  function autosize() {  // grows with its lines up to the CSS max-height, then scrolls; empty, one row
    input.style.height = "auto";
    if (input.value) input.style.height = input.scrollHeight + 2 + "px";
    form.classList.toggle("writing", Boolean(input.value));  // a very short screen gives the words the row
  }

  async function sendText() {
    const text = input.value;
    if (!text.trim() || busy) return;
    input.value = "";
    autosize();
    const ok = await post({ text }, { pending: text.trim() });
    if (!ok) {  // give the text back so nothing is lost
      input.value = input.value ? text + "\n" + input.value : text;
      autosize();
    }
    input.focus();
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); sendText(); });

  // Enter sends; Shift+Enter (or Enter while an input method composes) starts a new line.
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      sendText();
    }
  });
  input.addEventListener("input", autosize);

  async function press(button, byKeyboard) {
    if (busy || button.disabled) return;
    const node = button.closest(".msg");
    const ok = await post({ choice: button.dataset.payload, label: button.dataset.label },
      { pending: button.dataset.label });
    if (ok && node) {
      node.dataset.spent = "true";
      button.classList.add("chosen");
      refreshChoices();
    }
    if (byKeyboard) {  // keep a keyboard user where the conversation goes on
      const last = Array.from(list.querySelectorAll(".msg-out")).pop();
      const next = last && last.querySelector("button.choice:enabled");
      (next || input).focus();
    }
  }

  list.addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (!b) return;
    if (b.classList.contains("choice")) press(b, e.detail === 0);
    else if (b.dataset.action === "copy") copyCode(b);
    else if (b.dataset.action === "picture") savePicture(b.dataset.code);
  });

  // Always there beside the text box: the main menu, whatever was said before (the same as typing "menu").
  menuBtn.addEventListener("click", () => {
    post({ choice: menuBtn.dataset.payload, label: menuBtn.textContent.trim() }, { pending: menuBtn.textContent.trim() });
  });

  // ---------- files: progress, then a small picture of the person's own photo ----------

  function thumbnail(file) {
    return new Promise((resolve) => {
      if (!file.type.startsWith("image/")) { resolve(null); return; }
      const url = URL.createObjectURL(file);
      const img = new Image();
      img.onload = () => {
        const scale = Math.min(1, 240 / Math.max(img.naturalWidth, img.naturalHeight));
        const c = document.createElement("canvas");
        c.width = Math.max(1, Math.round(img.naturalWidth * scale));
        c.height = Math.max(1, Math.round(img.naturalHeight * scale));
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        URL.revokeObjectURL(url);
        try { resolve(c.toDataURL("image/jpeg", 0.7)); } catch { resolve(null); }
      };
      img.onerror = () => { URL.revokeObjectURL(url); resolve(null); };
      img.src = url;
    });
  }

  function uploadBubble(thumb, name) {
    const n = el("div", "pending msg-in");
    n.dataset.text = "";
    const b = el("div", "bubble upload");
    if (thumb) {
      const img = el("img", "thumb");
      img.addEventListener("load", scrollToEnd, { once: true });
      img.src = thumb;
      img.alt = S("your_photo");
      b.append(img);
    } else {
      b.append(el("span", "file-name", name));
    }
    const bar = el("progress");
    bar.max = 100;
    bar.value = 0;
    const label = el("span", "upload-text", S("uploading", { percent: 0 }));
    bar.setAttribute("aria-label", label.textContent);
    b.append(bar, label);
    n.append(b);
    list.append(n);
    refreshChoices();
    scrollToEnd();
    return {
      node: n,
      progress: (f) => {
        const pct = Math.round(f * 100);
        bar.value = pct;
        label.textContent = S("uploading", { percent: pct });
        bar.setAttribute("aria-label", label.textContent);
      },
    };
  }

  attachBtn.addEventListener("click", () => { if (!busy) fileInput.click(); });
  // Files chosen together go in as few uploads as the server takes (its size and count per upload): one answer
  // for an album of photos, not one per photo. A file too large on its own still goes alone, to be refused plainly.
  function batches(files) {
    const most = (page.upload && page.upload.bytes) || 0, count = (page.upload && page.upload.files) || 1;
    const out = [];
    let cur = [], size = 0;
    for (const f of files) {
      if (cur.length && (cur.length >= count || size + f.size > most)) { out.push(cur); cur = []; size = 0; }
      cur.push(f);
      size += f.size;
    }
    if (cur.length) out.push(cur);
    return out;
  }

  fileInput.addEventListener("change", async () => {
    const chosen = Array.from(fileInput.files || []);
    fileInput.value = "";
    if (!chosen.length || busy) return;
    let caption = input.value.trim();
    for (const group of batches(chosen)) {
      const fd = new FormData();
      for (const f of group) fd.append("file", f, f.name);
      if (caption) fd.append("caption", caption);
      const thumb = await thumbnail(group[0]);
      const up = uploadBubble(thumb, group.map((f) => f.name).join(", "));
      const ok = await post(fd, { upload: up.node, progress: up.progress, thumb, failed: S("upload_failed") });
      if (!ok) return;
      if (caption && input.value.trim() === caption) {
        input.value = "";
        autosize();
      }
      caption = "";  // the words go with the first upload only
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

  // ---------- receipt codes: copy, or keep as a picture made here ----------

  async function copyCode(button) {
    const code = button.dataset.code;
    let ok = false;
    try {
      await navigator.clipboard.writeText(code);
      ok = true;
    } catch {
      const t = el("textarea");
      t.value = code;
      t.setAttribute("readonly", "");
      t.className = "visually-hidden";
      document.body.append(t);
      t.select();
      try { ok = document.execCommand("copy"); } catch { ok = false; }
      t.remove();
    }
    button.textContent = ok ? S("copied") : S("copy_failed");
    announce(button.textContent);
    setTimeout(() => { button.textContent = S("copy"); }, 4000);
  }

  function wrapLines(ctx, text, width) {
    const lines = [];
    let line = "";
    for (const word of text.split(/\s+/)) {
      const next = line ? line + " " + word : word;
      if (ctx.measureText(next).width > width && line) { lines.push(line); line = word; } else line = next;
    }
    if (line) lines.push(line);
    return lines;
  }

  function savePicture(code) {
    const W = 1080, H = 640, pad = 64;
    const c = document.createElement("canvas");
    c.width = W;
    c.height = H;
    const g = c.getContext("2d");
    const font = 'system-ui, "Noto Sans", Arial, sans-serif';
    g.fillStyle = "#ffffff";
    g.fillRect(0, 0, W, H);
    g.fillStyle = "#1f4e5f";
    g.fillRect(0, 0, W, 120);
    g.fillStyle = "#ffffff";
    g.font = `700 52px ${font}`;
    g.fillText("An Dân", pad, 80);
    g.fillStyle = "#1c2430";
    g.font = `600 38px ${font}`;
    let y = 200;
    for (const line of wrapLines(g, S("picture_title"), W - 2 * pad)) { g.fillText(line, pad, y); y += 48; }
    g.strokeStyle = "#1f4e5f";
    g.lineWidth = 4;
    g.setLineDash([14, 10]);
    g.strokeRect(pad, y, W - 2 * pad, 140);
    g.setLineDash([]);
    g.fillStyle = "#1f4e5f";
    let size = 84;
    g.font = `800 ${size}px "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace`;
    while (g.measureText(code).width > W - 2 * pad - 48 && size > 30) {
      size -= 4;
      g.font = `800 ${size}px "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace`;
    }
    g.fillText(code, (W - g.measureText(code).width) / 2, y + 70 + size / 3);
    y += 200;
    g.fillStyle = "#1c2430";
    g.font = `400 32px ${font}`;
    for (const line of wrapLines(g, S("picture_hint", { code }), W - 2 * pad)) { g.fillText(line, pad, y); y += 42; }
    g.fillStyle = "#566170";
    g.font = `400 26px ${font}`;
    let when = "";
    try {
      when = new Intl.DateTimeFormat(document.documentElement.lang, { timeZone: page.timezone || undefined,
        hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit", year: "numeric" }).format(new Date());
    } catch { when = new Date().toLocaleString(); }
    g.fillText(when, pad, H - 36);
    c.toBlob((blob) => {
      if (!blob) return;
      const a = el("a");
      a.href = URL.createObjectURL(blob);
      a.download = (S("picture_name") || "andan") + "-" + code + ".png";
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    }, "image/png");
  }

  // ---------- preferences: large text, notifications ----------

  function setLarge(on) {
    document.documentElement.classList.toggle("large", on);
    largeBtn.setAttribute("aria-pressed", on ? "true" : "false");
    try { local.setItem("andan.large", on ? "1" : "0"); } catch { /* not remembered */ }
    autosize();
    scrollToEnd();
  }
  largeBtn.setAttribute("aria-pressed", document.documentElement.classList.contains("large") ? "true" : "false");
  largeBtn.addEventListener("click", () => setLarge(!document.documentElement.classList.contains("large")));

  const canNotify = "Notification" in window;
  const canPush = canNotify && "serviceWorker" in navigator && "PushManager" in window;
  let pushWanted = false;        // notifications on, and the server does not hold this browser's subscription yet
  let pushTried = 0;

  function notifyOn() {
    return canNotify && Notification.permission === "granted" && local.getItem("andan.notify") === "1";
  }

  function b64ToBytes(b64) {
    const s = atob((b64 + "===".slice((b64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(s, (ch) => ch.charCodeAt(0));
  }

  // Web Push: the server tells this browser of new messages while no page of the chat is open.
  async function ensurePush() {
    if (!canPush || !page.push || !page.push.enabled || !page.push.key || !notifyOn()) { pushWanted = false; return; }
    if (Date.now() - pushTried < 30000) return;
    pushTried = Date.now();
    try {
      const reg = await navigator.serviceWorker.register("/sw.js");
      await navigator.serviceWorker.ready;
      const sub = (await reg.pushManager.getSubscription()) ||
        await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64ToBytes(page.push.key) });
      const res = await jsonPost("/api/push", sub.toJSON());
      pushWanted = !res.ok;  // not registered yet: try again after the next message
    } catch {
      pushWanted = false;  // no push service in this browser: the page's own notifications still work
    }
  }

  async function dropPush() {
    try {
      const reg = await navigator.serviceWorker.getRegistration("/");
      const sub = reg && await reg.pushManager.getSubscription();
      if (sub) {
        await fetch("/api/push", { method: "DELETE", credentials: "same-origin",
          headers: { "Content-Type": "application/json" }, body: JSON.stringify({ endpoint: sub.endpoint }) });
        await sub.unsubscribe();
      }
    } catch { /* nothing to undo */ }
  }

  function showNotifyState() {
    notifyBtn.setAttribute("aria-pressed", notifyOn() ? "true" : "false");
  }

  if (canNotify) {
    notifyBtn.hidden = false;
    showNotifyState();
    notifyBtn.addEventListener("click", async () => {
      if (notifyOn()) {
        try { local.setItem("andan.notify", "0"); } catch { /* session only */ }
        showNotifyState();
        dropPush();
        return;
      }
      const permission = Notification.permission === "granted" ? "granted" : await Notification.requestPermission();
      if (permission !== "granted") {
        note(S("notify_denied"));
        return;
      }
      try { local.setItem("andan.notify", "1"); } catch { /* session only */ }
      showNotifyState();
      pushTried = 0;
      pushWanted = true;
      ensurePush();
    });
    if (notifyOn()) { pushWanted = true; ensurePush(); }
  }

  // ---------- while the person is away: tab title and notification ----------

  let baseTitle = document.title;

  function away() {
    return document.visibilityState !== "visible";
  }

  function updateTitle() {
    if (!unread) document.title = baseTitle;
    else document.title = urgentUnread ? S("urgent_title") : S("unread_title", { n: unread });
  }

  async function tell(urgent) {
    if (!notifyOn()) return;
    const title = "An Dân";
    const options = { body: S(urgent ? "push_urgent" : "push_new"), tag: urgent ? "andan-urgent" : "andan",
      lang: document.documentElement.lang, icon: "/static/icon-192.png", requireInteraction: urgent };
    try {
      const reg = "serviceWorker" in navigator ? await navigator.serviceWorker.getRegistration("/") : null;
      if (reg) await reg.showNotification(title, options);
      else new Notification(title, options);
    } catch { /* the title still says it */ }
  }

  function arrived(added) {
    const fresh = added.filter((m) => m.direction === "out");
    if (!fresh.length || !away()) return;
    unread += fresh.length;
    const urgent = fresh.some((m) => m.urgent);
    urgentUnread = urgentUnread || urgent;
    updateTitle();
    tell(urgent);
  }

  document.addEventListener("visibilitychange", () => {
    if (!away()) {
      unread = 0;
      urgentUnread = false;
      updateTitle();
      nudge();
    }
  });

  // ---------- long-poll ----------

  function sleep(ms) {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => { clearTimeout(t); resolve(); };
    });
  }

  function setOffline(on) { offline.hidden = !on; }

  async function greet(resume) {
    // Nothing to show: ask for the greeting (the start, or the main menu), so the page is never blank. A form
    // still open comes back instead, at its question: a private form's questions live only in the tab that showed
    // them, so a tab opened anew sends `resume` and gets that question (or nothing, when no form is open).
    await post(resume ? { resume: true } : {}, { url: "/api/hello" });
  }

  async function pollLoop() {
    let delay = 1000;
    for (;;) {
      const ctrl = new AbortController();
      const timer = setTimeout(() => ctrl.abort(), POLL_TIMEOUT);
      try {
        const url = `${API}?after=${pollCursor}&wait=${loaded ? POLL_WAIT : 0}`;
        const r = await fetch(url, {
          credentials: "same-origin", cache: "no-store",
          headers: { Accept: "application/json" }, signal: ctrl.signal,
        });
        if (!r.ok) throw new Error(String(r.status));
        const data = await r.json();
        const msgs = (data && data.messages) || [];
        const added = render(msgs);
        for (const m of msgs) pollCursor = Math.max(pollCursor, Number(m.id) || 0);
        setOffline(false);
        delay = 1000;
        if (!loaded) {
          loaded = true;
          list.setAttribute("aria-busy", "false");
          followLanguage(data && data.lang);
          if (!invite && !list.querySelector(".msg")) greet(false);
          else if (!invite && !restored.length) greet(true);
        } else {
          arrived(added);
          followLanguage(data && data.lang);
        }
      } catch {
        setOffline(true);
        await sleep(delay);
        delay = Math.min(delay * 2, MAX_BACKOFF);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  function nudge() { if (wake) wake(); }
  retryBtn.addEventListener("click", nudge);
  window.addEventListener("online", nudge);

  // What this tab showed before a reload, and the server did not keep.
  const restored = ephemeral;
  ephemeral = [];
  for (const m of restored) {
    ephemeral.push(m);
    seq = Math.max(seq, m.seq || 0);
    insert(renderMessage(m));
  }
  save(session, EPHEMERAL_KEY, ephemeral);
  refreshChoices();
  scrollToEnd();

  autosize();
  // An invite link (/join/<code>) lands here as #start=<code>: redeem it once, then drop it from the address.
  const invite = /^#start=([A-Za-z0-9_-]{1,64})$/.exec(location.hash);
  pollLoop();
  if (invite) {
    history.replaceState(null, "", location.pathname);
    post({ text: "/start " + invite[1] });
  }
})();
