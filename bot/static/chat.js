// Web chat client for POST /api/chat and GET /api/chat/updates (SPEC §7). Vanilla JS, no build step.
// Server text is only ever inserted as text nodes; URLs become anchor elements built here.
(function () {
  "use strict";

  const MAX_CHARS = 4096; // the server's limit for one message
  const COUNTER_FROM = 3500; // show the counter from this length on
  const POLL_MS = 5000;
  const MAX_POLL_MS = 5 * 60 * 1000;
  const SESSION_KEY = "donghanh.session";
  const TRANSCRIPT_KEY = "donghanh.transcript";
  const MAX_SAVED = 100; // messages kept in sessionStorage so a reload shows the conversation again
  const URL_PATTERN = /https?:\/\/[^\s<>"]+/g;
  const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"»]+$/;

  const TEXT = {
    you: "Bạn:",
    bot: "Đồng hành:",
    choices: "Lựa chọn",
    typing: "Đang trả lời…",
    started: "Đã bắt đầu cuộc trò chuyện mới.",
    network: "Không kết nối được với máy chủ. Vui lòng kiểm tra mạng rồi gửi lại.",
    server: "Hệ thống đang bận, chưa gửi được tin nhắn. Vui lòng thử lại sau ít phút.",
    confirmNew: "Bắt đầu cuộc trò chuyện mới? Nội dung đang hiển thị sẽ bị xóa khỏi màn hình.",
    count: (n) => `${n}/${MAX_CHARS} ký tự`,
    over: (n) => `Quá ${n - MAX_CHARS} ký tự (${n}/${MAX_CHARS}). Vui lòng rút gọn trước khi gửi.`,
  };

  const byId = (id) => document.getElementById(id);
  const log = byId("log");
  const form = byId("composer");
  const input = byId("message");
  const sendButton = byId("send");
  const status = byId("status");
  const alertBox = byId("alert");
  const counter = byId("counter");
  const greeting = log.firstElementChild;
  const finePointer = window.matchMedia("(pointer: fine)");

  let session = loadSession();
  let busy = false;
  let lastStarter = "";
  let pollTimer = 0;
  let pollDelay = POLL_MS;
  let polling = false;

  // Storage can be missing or full (private browsing): the chat still works, only without memory.
  function storageGet(area, key) {
    try { return window[area].getItem(key); } catch (error) { return null; }
  }

  function storageSet(area, key, value) {
    try {
      if (value === null) window[area].removeItem(key);
      else window[area].setItem(key, value);
    } catch (error) { /* ignored: see above */ }
  }

  function newSessionId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  function loadSession() {
    let id = storageGet("localStorage", SESSION_KEY);
    if (!id) {
      id = newSessionId();
      storageSet("localStorage", SESSION_KEY, id);
    }
    return id;
  }

  // Plain text into `parent`, with bare http(s) URLs turned into links.
  function appendText(parent, text) {
    let last = 0;
    for (const match of text.matchAll(URL_PATTERN)) {
      const url = match[0].replace(TRAILING_PUNCTUATION, "");
      parent.append(text.slice(last, match.index));
      const link = document.createElement("a");
      link.href = url;
      link.textContent = url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      parent.append(link);
      last = match.index + url.length;
    }
    parent.append(text.slice(last));
  }

  function validButtons(buttons) {
    if (!Array.isArray(buttons)) return [];
    return buttons.filter((b) => b && typeof b.title === "string" && typeof b.payload === "string");
  }

  function addMessage(who, text, buttons) {
    const item = document.createElement("li");
    item.className = `msg msg-${who}`;
    const label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = who === "user" ? TEXT.you : TEXT.bot;
    const body = document.createElement("p");
    body.className = "msg-text";
    appendText(body, String(text));
    item.append(label, body);
    const choices = validButtons(buttons);
    if (choices.length) {
      const row = document.createElement("div");
      row.className = "actions";
      row.setAttribute("role", "group");
      row.setAttribute("aria-label", TEXT.choices);
      for (const choice of choices) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "action";
        button.textContent = choice.title;
        button.dataset.payload = choice.payload;
        button.disabled = busy;
        row.append(button);
      }
      item.append(row);
    }
    log.append(item);
    item.scrollIntoView({ block: "nearest" });
    return item;
  }

  // Older choices no longer apply once the user has answered or new choices arrived.
  function retireButtons() {
    for (const row of log.querySelectorAll(".actions:not(.done)")) {
      row.classList.add("done");
      for (const button of row.children) button.disabled = true;
    }
  }

  function showReplies(replies) {
    const valid = replies.filter((reply) => reply && typeof reply.text === "string");
    if (valid.some((reply) => validButtons(reply.buttons).length)) retireButtons();
    const items = valid.map((reply) => addMessage("bot", reply.text, reply.buttons));
    if (items.length) items[0].scrollIntoView({ block: "nearest" }); // the start of a long batch stays in view
  }

  function saveTranscript() {
    const messages = Array.from(log.querySelectorAll(".msg:not(.greeting)"), (item) => {
      const row = item.querySelector(".actions");
      return {
        who: item.classList.contains("msg-user") ? "user" : "bot",
        text: item.querySelector(".msg-text").textContent,
        buttons: row ? Array.from(row.children, (b) => ({ title: b.textContent, payload: b.dataset.payload })) : [],
        done: Boolean(row && row.classList.contains("done")),
      };
    });
    storageSet("sessionStorage", TRANSCRIPT_KEY, JSON.stringify({ session, messages: messages.slice(-MAX_SAVED) }));
  }

  function restoreTranscript() {
    let saved = null;
    try { saved = JSON.parse(storageGet("sessionStorage", TRANSCRIPT_KEY) || "null"); } catch (error) { saved = null; }
    if (!saved || saved.session !== session || !Array.isArray(saved.messages)) return;
    log.setAttribute("aria-live", "off"); // do not read the old conversation aloud again
    for (const message of saved.messages) {
      if (!message || typeof message.text !== "string") continue;
      const item = addMessage(message.who === "user" ? "user" : "bot", message.text, message.buttons);
      if (message.done) item.querySelector(".actions")?.classList.add("done");
    }
    for (const button of log.querySelectorAll(".actions.done button")) button.disabled = true;
    log.setAttribute("aria-live", "polite");
  }

  function showAlert(text) { alertBox.textContent = text; }
  function clearAlert() { alertBox.textContent = ""; }

  function charCount(text) { return Array.from(text).length; } // code points, as the server counts

  function updateComposer() {
    const count = charCount(input.value);
    const over = count > MAX_CHARS;
    counter.hidden = count < COUNTER_FROM;
    counter.textContent = over ? TEXT.over(count) : TEXT.count(count);
    counter.classList.toggle("over", over);
    if (over) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    sendButton.disabled = busy || over || input.value.trim() === "";
    input.style.height = "auto"; // grow with the text, up to the CSS max-height
    input.style.height = `${input.scrollHeight + input.offsetHeight - input.clientHeight}px`;
  }

  function setBusy(on) {
    busy = on;
    status.textContent = on ? TEXT.typing : "";
    status.classList.toggle("typing", on);
    for (const button of log.querySelectorAll(".actions:not(.done) button")) button.disabled = on;
    updateComposer();
  }

  async function readJson(response) {
    try { return await response.json(); } catch (error) { return null; }
  }

  // Send one message or button press; on failure the user's bubble is taken back and an alert explains.
  async function send(body, shownText) {
    if (busy) return false;
    clearAlert();
    const asked = session;
    const bubble = addMessage("user", shownText);
    setBusy(true);
    let problem = TEXT.network;
    try {
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ session: asked, ...body }),
      });
      const data = await readJson(response);
      if (response.ok && data && Array.isArray(data.replies)) {
        if (asked === session) {
          retireButtons();
          showReplies(data.replies);
          saveTranscript();
        }
        return true;
      }
      problem = response.status === 422 && data && typeof data.error === "string" ? data.error : TEXT.server;
    } catch (error) {
      problem = TEXT.network;
    } finally {
      setBusy(false);
    }
    bubble.remove();
    showAlert(problem);
    return false;
  }

  async function submitText() {
    const text = input.value.trim();
    if (busy || text === "" || charCount(text) > MAX_CHARS) return;
    const typed = input.value;
    input.value = "";
    lastStarter = "";
    updateComposer();
    if (!(await send({ text }, text))) {
      input.value = input.value ? `${typed}\n${input.value}` : typed; // never lose what was typed
      updateComposer();
    }
  }

  async function press(button) {
    // The pressed button is about to be disabled: keep focus somewhere useful, without
    // popping up the on-screen keyboard on touch devices.
    if (finePointer.matches) input.focus();
    else log.focus({ preventScroll: true });
    await send({ payload: button.dataset.payload }, button.textContent);
  }

  function useStarter(chip) {
    const starter = chip.dataset.starter || `${chip.textContent}: `;
    const current = input.value === lastStarter ? "" : input.value;
    input.value = starter + current;
    lastStarter = input.value === starter ? starter : "";
    updateComposer();
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  function startNewChat() {
    if (log.children.length > 1 && !window.confirm(TEXT.confirmNew)) return;
    session = newSessionId();
    storageSet("localStorage", SESSION_KEY, session);
    storageSet("sessionStorage", TRANSCRIPT_KEY, null);
    while (log.lastElementChild !== greeting) log.lastElementChild.remove();
    clearAlert();
    pollDelay = POLL_MS;
    schedulePoll(POLL_MS);
    status.textContent = TEXT.started;
    input.focus();
  }

  // Later messages (a department's reply, a rating prompt) arrive by polling while the page is visible.
  function schedulePoll(delay) {
    window.clearTimeout(pollTimer);
    pollTimer = document.visibilityState === "visible" ? window.setTimeout(poll, delay) : 0;
  }

  async function poll() {
    pollTimer = 0;
    if (polling || busy) {
      schedulePoll(POLL_MS);
      return;
    }
    polling = true;
    const asked = session;
    try {
      const response = await fetch(`/api/chat/updates?session=${encodeURIComponent(asked)}`, {
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      const data = await readJson(response);
      if (!response.ok || !data || !Array.isArray(data.replies)) throw new Error(`updates: HTTP ${response.status}`);
      if (asked === session && data.replies.length) {
        showReplies(data.replies);
        saveTranscript();
      }
      pollDelay = POLL_MS;
    } catch (error) {
      pollDelay = Math.min(pollDelay * 2, MAX_POLL_MS); // back off quietly; sending still works
    } finally {
      polling = false;
    }
    schedulePoll(pollDelay);
  }

  input.addEventListener("input", updateComposer);
  input.addEventListener("keydown", (event) => {
    // Enter sends, Shift+Enter breaks the line; keys inside an IME composition (Telex, VNI) are left alone.
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    submitText();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitText();
  });
  log.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || button.disabled) return;
    if (button.classList.contains("chip")) useStarter(button);
    else if (button.classList.contains("action") && !busy) press(button);
  });
  byId("new-chat").addEventListener("click", startNewChat);
  document.addEventListener("visibilitychange", () => schedulePoll(pollDelay > POLL_MS ? pollDelay : 0));

  restoreTranscript();
  updateComposer();
  schedulePoll(0);
})();
