"""The web chat channel: the chat page, its JSON API (send, long-poll), delivery of pushes into the transcript, and
Web Push for people who asked to be told of new messages with the page closed.

API (same origin, session bound to the HttpOnly cookie `andan_session`):
- `POST /api/messages` — JSON `{"text"}` | `{"choice", "label"?}` | `{"location": {"latitude", "longitude"}}`,
  optional `"id"` (the client's id of the input, a string or a number); or multipart with `file` (+ `caption`,
  + `id`: the same client id as a form field, at most 128 bytes).
  A pressed button's `label` (what the person saw) is what the transcript echoes when the bot no longer offers it.
  An input sent again with an id this browser already sent is not handled again: the answer is the messages
  stored for it (their ids unchanged), or, where nothing was stored (before consent, in a private form), its echo
  and a line saying it had arrived, with the choices the conversation offers now, both ephemeral.
  Sent as `application/json` or `multipart/form-data` (415 otherwise), from the page's own origin (403 when a
  browser sends it from another site's page). 200 → `{"messages": [Msg], "lang"}`; 4xx → `{"error": "<text>"}`.
- `POST /api/hello` — JSON `{}`: the greeting of an empty chat (the start for a new person, the main menu for a
  registered one), without an echo. Same answer as a message.
- `GET /api/messages?after=<id>&wait=<s≤25>` — messages with id > after, waiting up to `wait` seconds.
- `GET /api/page` — `{"lang", "strings", "push", "timezone"}`: the page's own words in the person's language (the page asks
  again when a reply's `lang` differs from its own), and whether Web Push is offered, with the VAPID key.
- `POST /api/push` — JSON PushSubscription `{"endpoint", "keys": {"p256dh", "auth"}}` of a registered person's
  browser; `DELETE /api/push` — JSON `{"endpoint"}`. 200 → `{"ok": true}`.
- Msg: `{"id", "ephemeral", "direction": "in"|"out", "text", "choices": [{"label","payload"}], "media", "at",
  "at_display", "urgent", "codes"}`. Before consent nothing is stored: such messages have `"id": null,
  "ephemeral": true`. `urgent`: an urgent alert; `codes`: the receipt codes in the text, shown once.
- A request without a session cookie opens a new session; beyond ANDAN_RATE_WEB_SESSIONS_PER_HOUR from one client
  network it is answered 429 with `Retry-After` and `{"error"}` (bot.guard.ratelimit).

Where it lives: channel.py (the channel, its routes, delivery), sessions.py (the cookie, the session's language,
the limit on new sessions), page.py (the page, its words and static files), incoming.py (reading and refusing what
the page sends), messages.py (sending), polling.py (the long poll), transcript.py (rows as JSON, media links),
subscriptions.py and push.py (Web Push).
"""

from bot.channels.web.channel import WebChannel
from bot.channels.web.page import page_strings
from bot.channels.web.transcript import is_urgent

__all__ = ["WebChannel", "is_urgent", "page_strings"]
