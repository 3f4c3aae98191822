/* Console Sésame: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Text loading states: a submitted button says what is happening and is not pressed twice.
  document.addEventListener("submit", function (event) {
    var button = event.target.querySelector("button[data-loading]");
    if (!button) { return; }
    if (button.getAttribute("aria-disabled") === "true") { event.preventDefault(); return; }
    button.setAttribute("aria-disabled", "true");
    button.textContent = button.getAttribute("data-loading");
  });

  // The error summary takes the focus, so a screen reader and a keyboard user start there.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  // New messages of the conversation, every few seconds, into the aria-live list.
  var list = document.getElementById("transcript");
  if (!list || !window.fetch) { return; }
  var url = list.getAttribute("data-messages-url");
  var after = parseFloat(list.getAttribute("data-after") || "0") || 0;
  var status = document.getElementById("poll-status");
  var delay = 4000;
  var failures = 0;

  function say(text) { if (status) { status.textContent = text; } }

  function line(message) {
    var item = document.createElement("li");
    item.className = "line line-" + (message.kind === "user" ? "user" : "bot");
    var meta = document.createElement("p");
    meta.className = "meta";
    var author = document.createElement("span");
    author.className = "author";
    author.textContent = message.author;
    meta.appendChild(author);
    meta.appendChild(document.createTextNode(", " + message.time));
    var text = document.createElement("p");
    text.className = "text";
    text.textContent = message.text;
    item.appendChild(meta);
    item.appendChild(text);
    return item;
  }

  function poll() {
    fetch(url + "?after=" + encodeURIComponent(String(after)), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.status === 401) { say("Votre session a expiré. Reconnectez-vous."); return null; }
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (body) {
      if (!body) { return; }
      failures = 0;
      var empty = document.getElementById("transcript-empty");
      (body.messages || []).forEach(function (message) {
        if (message.timestamp <= after) { return; }
        after = message.timestamp;
        list.appendChild(line(message));
        if (empty) { empty.remove(); empty = null; }
      });
      if (body.messages && body.messages.length) { list.scrollTop = list.scrollHeight; }
      say("Mise à jour automatique. Dernière vérification à " + new Date().toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" }) + ".");
      window.setTimeout(poll, delay);
    }).catch(function () {
      failures += 1;
      say("La mise à jour automatique ne marche pas pour l'instant. Utilisez le lien Actualiser.");
      window.setTimeout(poll, Math.min(60000, delay * Math.pow(2, failures)));
    });
  }

  say("Mise à jour automatique toutes les quelques secondes.");
  window.setTimeout(poll, delay);
})();
