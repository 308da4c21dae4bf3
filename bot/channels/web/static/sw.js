// An Dân — service worker: shows a Web Push as a notification, and opens the chat when it is pressed.
// A push carries no words of any message: only that one is waiting (and whether it is an urgent alert).
"use strict";

self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch { data = {}; }
  const urgent = Boolean(data.urgent);
  event.waitUntil(self.registration.showNotification(data.title || "An Dân", {
    body: data.body || "",
    lang: data.lang || "vi",
    tag: urgent ? "andan-urgent" : "andan",
    renotify: urgent,
    requireInteraction: urgent,
    icon: "/static/icon-192.png",
    badge: "/static/icon-192.png",
    data: { url: "/" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const client of windows) {
      if (new URL(client.url).origin === self.location.origin && "focus" in client) return client.focus();
    }
    return self.clients.openWindow("/");
  })());
});
