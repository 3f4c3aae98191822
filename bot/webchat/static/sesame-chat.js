/*
 * Sésame web chat: an accessible widget for Rasa's socket.io channel.
 * Embed with one script tag pointing at /static/sesame-chat.js on the web process, with an
 * optional data-rasa-url attribute (default: the URL the web process injects). See README.md.
 * No framework, no CDN: the socket.io client is served next to this file (vendor/).
 * Bot text is always inserted with textContent / text nodes (never innerHTML): no XSS.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var base = script && script.src ? script.src.replace(/[^/]*(\?.*)?$/, "") : "/static/";
  var injected = "__SESAME_RASA_URL__";
  var rasaUrl = (script && script.getAttribute("data-rasa-url")) ||
    (injected.indexOf("__") === 0 ? location.protocol + "//" + location.hostname + ":5005" : injected);
  // The web server that serves this file also serves a conseiller's replies (/chat/messages).
  var webBase = base.replace(/static\/$/, "");
  var STORE_KEY = "sesame-chat-v1";
  var MAX_AGE_MS = 60 * 60 * 1000; // same as Rasa's session expiration
  var SLOW_MS = 15000;
  var contacts = "__SESAME_HELP__"; // the sourced human contacts, injected by the web server
  var HELP = (contacts.indexOf("__") === 0 ? "" : contacts + " ") +
    "En cas d'urgence, appelez le 115 (abri), le 17 (police) ou le 15 (santé).";
  var uid = "sesame-" + Math.random().toString(36).slice(2, 8);

  function freshState() {
    return { sessionId: null, messages: [], open: false, large: false, updatedAt: Date.now(),
             agentAfter: 0, caseOpen: false, agent: "" };
  }
  var expired = false;
  function loadState() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(STORE_KEY));
      if (saved && Array.isArray(saved.messages)) {
        // While a person handles the request, the conversation is kept: their answer may come later.
        if (saved.caseOpen || Date.now() - saved.updatedAt < MAX_AGE_MS) { return saved; }
        expired = saved.messages.length > 0; // said aloud on next opening, never silently
        window.localStorage.removeItem(STORE_KEY);
      }
    } catch (e) { /* storage disabled or corrupted: start afresh */ }
    return freshState();
  }
  var state = loadState();
  function saveState() {
    state.updatedAt = Date.now();
    try { window.localStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var canSpeak = "speechSynthesis" in window && "SpeechSynthesisUtterance" in window;

  // ------------------------------------------------------------------ DOM
  var root = el("div", { "class": "sesame-chat", "data-sesame-chat": "" });
  var launcher = el("button", {
    type: "button", "class": "sesame-launcher sesame-primary-button",
    "aria-expanded": "false", "aria-controls": uid + "-panel"
  }, "Une question ? Écrire à Sésame");
  var panel = el("section", { id: uid + "-panel", "class": "sesame-panel", "aria-labelledby": uid + "-title" });
  panel.hidden = true;
  var header = el("div", { "class": "sesame-header" });
  header.appendChild(el("h2", { id: uid + "-title", "class": "sesame-title" },
    "Sésame, l'assistant de la Ville de Chambéry"));
  var tools = el("div", { "class": "sesame-tools" });
  var largeButton = el("button", { type: "button", "aria-pressed": "false" }, "Texte plus grand");
  var clearButton = el("button", { type: "button" }, "Effacer la conversation");
  var closeButton = el("button", { type: "button" }, "Fermer");
  tools.appendChild(largeButton); tools.appendChild(clearButton); tools.appendChild(closeButton);
  header.appendChild(tools);

  var log = el("div", {
    "class": "sesame-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": "Conversation avec Sésame", tabindex: "0"
  });
  var status = el("p", { "class": "sesame-status", role: "status" });
  var agentBanner = el("p", { "class": "sesame-agent-banner", role: "status" });
  agentBanner.hidden = true;
  var form = el("form", { "class": "sesame-form", novalidate: "" });
  var input = el("textarea", { id: uid + "-input", rows: "2", autocomplete: "off", "aria-describedby": uid + "-hint" });
  form.appendChild(el("label", { "for": uid + "-input" }, "Votre message"));
  var row = el("div", { "class": "sesame-form-row" });
  row.appendChild(input);
  row.appendChild(el("button", { type: "submit", "class": "sesame-primary-button" }, "Envoyer"));
  form.appendChild(row);
  form.appendChild(el("p", { id: uid + "-hint", "class": "sesame-hint" },
    "Entrée pour envoyer. Maj + Entrée pour aller à la ligne. Échap pour fermer."));
  panel.appendChild(header); panel.appendChild(agentBanner); panel.appendChild(log); panel.appendChild(status); panel.appendChild(form);
  root.appendChild(launcher); root.appendChild(panel);

  // ------------------------------------------------------------------ messages
  var URL_RE = /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)])/g;

  function appendText(parent, text) {
    // Links become <a> built from text nodes; everything else stays plain text.
    var last = 0;
    text.replace(URL_RE, function (url, _g, offset) {
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, url);
      parent.appendChild(link);
      last = offset + url.length;
      return url;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function speak(text, button) {
    var synth = window.speechSynthesis;
    if (synth.speaking) { synth.cancel(); return; }
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = "fr-FR";
    utterance.onend = function () { button.removeAttribute("data-speaking"); };
    button.setAttribute("data-speaking", "");
    synth.speak(utterance);
  }

  function renderMessage(message, index) {
    var bubble = el("div", { "class": "sesame-msg sesame-msg-" + message.from, "data-index": String(index) });
    if (message.from === "agent") {
      bubble.appendChild(el("p", { "class": "sesame-author" }, (message.author || "Un conseiller") + " a écrit :"));
    } else {
      bubble.appendChild(el("span", { "class": "sesame-visually-hidden" },
        message.from === "bot" ? "Sésame a écrit : " : "Vous avez écrit : "));
    }
    var paragraph = el("p");
    appendText(paragraph, message.text || "");
    bubble.appendChild(paragraph);
    if (message.from === "bot" && message.choices && message.choices.length) {
      var list = el("ul", { "class": "sesame-choices", "aria-label": "Choix possibles" });
      message.choices.forEach(function (choice) {
        var item = el("li");
        var button = el("button", { type: "button" }, choice.title);
        button.addEventListener("click", function () { choose(index, choice); });
        item.appendChild(button);
        list.appendChild(item);
      });
      bubble.appendChild(list);
    }
    if (message.from === "bot" && canSpeak && message.text) {
      var listen = el("button", { type: "button", "class": "sesame-listen" }, "Écouter");
      listen.addEventListener("click", function () { speak(message.text, listen); });
      bubble.appendChild(listen);
    }
    return bubble;
  }

  function scrollToEnd() {
    if (reducedMotion) { log.style.scrollBehavior = "auto"; }
    log.scrollTop = log.scrollHeight;
  }

  function addMessage(message) {
    state.messages.push(message);
    saveState();
    log.appendChild(renderMessage(message, state.messages.length - 1));
    scrollToEnd();
  }

  function dropChoices() {
    // An answered question keeps its text; its buttons go (the answer is shown as your message).
    state.messages.forEach(function (message) { message.choices = []; });
    Array.prototype.forEach.call(log.querySelectorAll(".sesame-choices"), function (list) {
      list.parentNode.removeChild(list);
    });
  }

  // Restore the conversation before the log is in the page: history is not announced again.
  state.messages.forEach(function (message, index) { log.appendChild(renderMessage(message, index)); });

  // ------------------------------------------------------------------ a person answers
  // A conseiller's replies are fetched from the web server, not pushed through socket.io:
  // they are stored there, so they arrive after a reload, a closed tab or a lost connection.
  var agentTimer = null;

  function showAgent() {
    agentBanner.hidden = !state.agent;
    agentBanner.textContent = state.agent ? state.agent + " vous répond." : "";
  }

  function pollAgent(soon) {
    window.clearTimeout(agentTimer);
    agentTimer = window.setTimeout(fetchAgent, soon ? 1500 : (state.caseOpen ? 4000 : 30000));
  }

  function fetchAgent() {
    if (!state.sessionId || !window.fetch) { pollAgent(false); return; }
    if (document.hidden) { pollAgent(false); return; }
    var url = webBase + "chat/messages?conversation=" + encodeURIComponent(state.sessionId) +
      "&after=" + encodeURIComponent(String(state.agentAfter || 0));
    window.fetch(url, { credentials: "omit", cache: "no-store" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (body) {
      if (!body) { return; }
      var info = body.case || {};
      state.caseOpen = !!info.open;
      state.agent = info.person_answering ? (info.agent || "Un conseiller") : "";
      (body.messages || []).forEach(function (message) {
        state.agentAfter = Math.max(state.agentAfter || 0, message.id);
        waiting(false);
        addMessage({ from: "agent", author: message.author, text: String(message.text || ""), choices: [] });
      });
      saveState();
      showAgent();
    }).catch(function () { /* offline: the next poll tries again */ }).then(function () { pollAgent(false); });
  }

  // ------------------------------------------------------------------ connection
  var socket = null;
  var pending = [];
  var slowTimer = null;
  var failures = 0;

  function setStatus(text) { status.textContent = text; }

  function waiting(on) {
    window.clearTimeout(slowTimer);
    if (!on) { setStatus(""); return; }
    setStatus("Sésame écrit une réponse…");
    slowTimer = window.setTimeout(function () {
      setStatus("La réponse prend plus de temps que prévu. Vous pouvez attendre ou écrire à nouveau. " + HELP);
    }, SLOW_MS);
  }

  function loadSocketIo(callback) {
    if (window.io) { callback(); return; }
    var tag = el("script", { src: base + "vendor/socket.io.min.js" });
    tag.onload = callback;
    tag.onerror = function () { setStatus("Le chat ne peut pas démarrer. " + HELP); };
    document.head.appendChild(tag);
  }

  function emitUser(text) {
    socket.emit("user_uttered", { message: text, session_id: state.sessionId });
  }

  function connect() {
    if (socket) { return; }
    setStatus("Connexion à Sésame…");
    loadSocketIo(function () {
      socket = window.io(rasaUrl, { path: "/socket.io", transports: ["websocket"], reconnection: true });
      socket.on("connect", function () {
        failures = 0;
        socket.emit("session_request", { session_id: state.sessionId });
      });
      socket.on("session_confirm", function (data) {
        var id = typeof data === "string" ? data : (data && data.session_id);
        var isNew = !state.sessionId;
        state.sessionId = id;
        saveState();
        setStatus("");
        if (isNew && !state.messages.some(function (m) { return m.from === "user"; })) {
          pending.unshift("/greet");
        }
        if (pending.length) { waiting(true); }
        while (pending.length) { emitUser(pending.shift()); }
      });
      socket.on("bot_uttered", function (data) {
        data = data || {};
        var choices = (data.quick_replies || data.buttons || []).filter(function (b) {
          return b && b.title && b.payload;
        }).map(function (b) { return { title: String(b.title), payload: String(b.payload) }; });
        var text = data.text ? String(data.text) : "";
        if (!text && data.attachment && data.attachment.payload && data.attachment.payload.src) {
          text = "Image : " + data.attachment.payload.src;
        }
        if (!text && !choices.length) { return; }
        waiting(false);
        addMessage({ from: "bot", text: text, choices: choices });
        pollAgent(true); // a request for a person may have just been created
      });
      socket.on("connect_error", function () {
        failures += 1;
        setStatus(failures < 3 ? "Connexion impossible. Nouvelle tentative…" :
          "Sésame ne répond pas pour le moment. Nous réessayons. " + HELP);
      });
      socket.on("disconnect", function () {
        setStatus("La connexion est coupée. Nouvelle tentative…");
      });
    });
  }

  function send(text, shown) {
    addMessage({ from: "user", text: shown || text, choices: [] });
    if (socket && socket.connected && state.sessionId) {
      if (state.agent) {
        setStatus("Message envoyé à " + state.agent + ".");
      } else {
        waiting(true);
      }
      emitUser(text);
    } else {
      pending.push(text);
      setStatus("Votre message partira dès que la connexion sera rétablie.");
      connect();
    }
  }

  function choose(index, choice) {
    dropChoices();
    saveState();
    send(choice.payload, choice.title);
    input.focus();
  }

  // ------------------------------------------------------------------ open, close, tools
  function open() {
    panel.hidden = false;
    if (expired) {
      expired = false;
      addMessage({ from: "bot", choices: [], text:
        "Votre conversation précédente a été effacée après 1 heure sans message, pour protéger votre vie privée." });
    }
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    state.open = true;
    saveState();
    connect();
    scrollToEnd();
    input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    saveState();
    if (canSpeak) { window.speechSynthesis.cancel(); }
    launcher.focus();
  }

  function applyLarge() {
    root.classList.toggle("sesame-large", !!state.large);
    largeButton.setAttribute("aria-pressed", state.large ? "true" : "false");
  }

  launcher.addEventListener("click", open);
  closeButton.addEventListener("click", close);
  largeButton.addEventListener("click", function () {
    state.large = !state.large;
    saveState();
    applyLarge();
  });
  clearButton.addEventListener("click", function () {
    var large = state.large;
    state = freshState();
    state.large = large;
    state.open = true;
    saveState();
    while (log.firstChild) { log.removeChild(log.firstChild); }
    setStatus("Conversation effacée. Une nouvelle conversation commence.");
    if (socket && socket.connected) {
      socket.emit("session_request", { session_id: null }); // a new id, then the greeting
    }
    input.focus();
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit();
  });
  function submit() {
    var text = input.value.trim();
    if (!text) {
      setStatus("Écrivez votre message avant d'envoyer.");
      input.focus();
      return;
    }
    input.value = "";
    send(text);
    input.focus();
  }

  function mount() {
    if (!document.querySelector("link[data-sesame-chat]")) {
      var css = el("link", { rel: "stylesheet", href: base + "sesame-chat.css", "data-sesame-chat": "" });
      document.head.appendChild(css);
    }
    applyLarge();
    showAgent();
    document.body.appendChild(root);
    fetchAgent();
    if (state.open) {
      panel.hidden = false;
      launcher.hidden = true;
      launcher.setAttribute("aria-expanded", "true");
      connect();
      scrollToEnd();
    }
  }

  window.SesameChat = { open: open, close: close };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mount);
  } else {
    mount();
  }
})();
