"""The one settings object: read from the environment and an optional `.env`, every name prefixed `ANDAN_`."""

from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Where a generated secret key is kept when ANDAN_SECRET_KEY is not set.
SECRET_KEY_FILE = Path(".andan_secret_key")
# How long handled platform updates are remembered for de-duplication (bot.app.housekeeping forgets them after
# it): Telegram keeps unfetched updates 24 hours and Zalo retries webhooks for up to about 12, so two days is
# plenty. The Zalo OA replay window must stay below it.
UPDATE_MEMORY = timedelta(days=2)


class Settings(BaseSettings):
    """Configuration of one An Dân deployment. Defaults run everything locally on SQLite."""

    model_config = SettingsConfigDict(env_prefix="ANDAN_", env_file=".env", extra="ignore")

    database_url: str = Field("sqlite+aiosqlite:///andan.db", description="SQLAlchemy async URL.")
    host: str = Field("127.0.0.1", description="Address the HTTP server (web chat, webhooks) binds.")
    port: int = Field(8080, description="Port of the HTTP server.")
    public_url: str | None = Field(
        None, description="Public https base URL; when set, channels use webhooks."
    )
    secret_key: SecretStr | None = Field(
        None, description="Key for encryption and keyed hashes; generated into .andan_secret_key if absent."
    )
    timezone: str = Field("Asia/Ho_Chi_Minh", description="Timezone for every date and time shown.")
    default_locale: str = Field("vi", description="Language for people who have not chosen one.")
    flow_idle_minutes: int = Field(60, description="A multi-step conversation left idle this long expires.")
    max_text_length: int = Field(4000, description="Longest message accepted from a person.")
    invite_days: int = Field(14, description="Days an invite stays valid.")
    ward_margin_km: float = Field(
        3.0,
        ge=0,
        description="A shared location (a camera, a footage request, a problem) may lie this far beyond its ward's "
        "known extent (twice the radius of a circle of the ward's area around its centre); farther is refused.",
    )
    join_link_days: int = Field(
        7, ge=1, description="Days a group's reusable join link stays valid unless its maker picks otherwise."
    )
    join_link_max_uses: int = Field(
        50, ge=1, description="People who may join by one group join link unless its maker picks otherwise."
    )
    places_import_max_mb: int = Field(
        2,
        ge=1,
        description="Largest areas-and-groups file (CSV or XLSX) accepted by `andan places import` and /diaban.",
    )
    places_import_max_lines: int = Field(
        5000,
        ge=1,
        description="Most lines an areas-and-groups file may have (a ward has a few hundred groups).",
    )
    places_name_max_length: int = Field(
        80, ge=10, description="Longest name of a residential area or group, in characters."
    )
    log_level: str = Field("INFO", description="Logging level.")
    web_enabled: bool = Field(True, description="Serve the web chat at / .")
    web_max_upload_mb: int = Field(10, description="Largest photo or file accepted by the web chat.")
    web_max_message_kb: int = Field(
        256,
        ge=16,
        description="Largest web chat message request (JSON) read; a message itself is at most "
        "ANDAN_MAX_TEXT_LENGTH characters.",
    )
    web_max_small_request_kb: int = Field(
        8, ge=2, description="Largest web chat greeting or push subscription request (JSON) read."
    )
    web_upload_max_parts: int = Field(
        13,
        ge=3,
        description="Most parts of a web chat upload form (the page sends up to ten files chosen at once, a "
        "caption and an id).",
    )
    web_poll_max_seconds: float = Field(
        25.0,
        ge=1,
        le=35,
        description="Longest a web chat page's long poll is held open (the page waits 40 s).",
    )
    web_polls_per_session: int = Field(
        8, ge=1, description="Long polls one web chat session may hold open at once (one per open tab)."
    )
    web_polls_max: int = Field(
        1000,
        ge=1,
        description="Long polls this process holds open at once; each looks at the database every second. "
        "Past it, a page is told to come back shortly (429).",
    )
    webhook_max_kb: int = Field(
        1024,
        ge=64,
        description="Largest webhook body read from Telegram, the Zalo Bot or the Zalo OA (an update is a few "
        "kilobytes; files come as ids or URLs).",
    )
    request_body_seconds: float = Field(
        10.0,
        gt=0,
        description="Longest wait for the whole JSON body of a webhook or web chat request (answered 408 past it), "
        "so a client trickling a body byte by byte cannot hold a connection. Web chat uploads are not bounded by it.",
    )
    json_max_depth: int = Field(
        64, ge=16, description="Deepest nesting of a JSON body read (a Telegram update nests about a dozen)."
    )
    web_push_enabled: bool = Field(
        True,
        description="Offer Web Push in the web chat: a registered person may be told of new messages with the "
        "page closed (the push says only that there is a message).",
    )
    web_push_hosts: str = Field(
        "fcm.googleapis.com,push.services.mozilla.com,push.apple.com,notify.windows.com",
        description="Push services (hosts with their subdomains, comma-separated) a browser's subscription may "
        "point at.",
    )
    web_push_allow_http: bool = Field(
        False, description="Allow plain-http push services (tests with a local fake only)."
    )
    web_push_allow_private: bool = Field(
        False,
        description="Allow push services on private or loopback addresses (tests with a local fake only).",
    )
    web_push_seconds: float = Field(10.0, gt=0, description="Longest time one Web Push request may take.")
    vapid_private_key: SecretStr | None = Field(
        None,
        description="VAPID private key (P-256, base64url raw or PEM) that signs Web Push requests; derived from "
        "ANDAN_SECRET_KEY if absent.",
    )
    vapid_subject: str = Field(
        "",
        description="VAPID contact (mailto: or https: URL) push services may use; ANDAN_PUBLIC_URL if absent.",
    )
    media_dir: Path = Field(
        Path("media"), description="Where uploaded media is kept (encrypted where sensitive)."
    )
    quiet_hours: str = Field("21:00-07:00", description="Local hours when only urgent messages are pushed.")
    scheduler_enabled: bool = Field(
        True, description="Run scheduled jobs (reminders, digests) in this process."
    )

    # Channels (see the channels section of the README).
    telegram_token: SecretStr | None = Field(None, description="Bot token from BotFather; enables Telegram.")
    telegram_api_url: str = Field("https://api.telegram.org", description="Bot API server base URL.")
    telegram_webhook_secret: SecretStr | None = Field(None, description="Webhook secret; derived if absent.")
    zalo_bot_token: SecretStr | None = Field(None, description="Zalo Bot Platform token; enables Zalo Bot.")
    zalo_bot_api_url: str = Field("https://bot-api.zaloplatforms.com", description="Zalo Bot API base URL.")
    zalo_oa_app_id: str | None = Field(None, description="Zalo app id of the Official Account.")
    zalo_oa_secret_key: SecretStr | None = Field(
        None, description="Zalo app secret (OAuth and webhook signatures)."
    )
    zalo_oa_webhook_secret: SecretStr | None = Field(
        None, description="OA Secret Key that signs webhooks (X-ZEvent-Signature); the app secret if absent."
    )
    zalo_oa_access_token: SecretStr | None = Field(None, description="Initial OA access token.")
    zalo_oa_refresh_token: SecretStr | None = Field(None, description="Initial OA refresh token.")
    zalo_oa_api_url: str = Field("https://openapi.zalo.me", description="Zalo OA Open API base URL.")
    zalo_oa_oauth_url: str = Field("https://oauth.zaloapp.com", description="Zalo OAuth base URL.")
    # Reaching Zalo residents beyond the consultation window (bot.delivery.reach); see "Reaching every resident".
    zalo_oa_window_days: int = Field(
        7,
        ge=1,
        description="Days after a person's last message in which the OA may send them consultation messages.",
    )
    zalo_oa_promotion_enabled: bool = Field(
        False,
        description="The OA holds the promotion-message permission: use it beyond the consultation window.",
    )
    zalo_oa_promotion_hours: str = Field(
        "08:00-22:00", description="Local hours in which Zalo accepts promotion messages."
    )
    zalo_oa_promotion_daily_cap: int = Field(
        1, ge=0, description="Promotion messages one follower may get per local day."
    )
    zalo_oa_id: str | None = Field(
        None,
        description="The OA's id, for the link to a private chat (https://zalo.me/<id>) given in group chats.",
    )
    zalo_oa_group_path: str = Field(
        "/v3.0/oa/message", description="OA API path that posts to a GMF group chat."
    )
    zalo_oa_group_recipient: str = Field(
        "group_id", description='Recipient field naming a GMF group chat ("group_id" or "conversation_id").'
    )
    zalo_zns_api_url: str = Field(
        "https://business.openapi.zalo.me", description="Zalo Notification Service (ZNS) base URL."
    )
    zalo_zns_urgent_alert_template: str | None = Field(
        None, description="Approved ZNS template id for urgent alerts; enables ZNS for them."
    )
    zalo_zns_tip_reply_template: str | None = Field(
        None, description='Approved ZNS template id for "a new reply to your tip"; enables ZNS for it.'
    )
    zalo_reach_leader_minutes: int = Field(
        30,
        ge=1,
        description="Minutes after an urgent alert when group leaders get the list of who was not reached (other "
        "alerts' lists come once their sending is done, not before this).",
    )

    tip_retention_days: int = Field(365, description="Days a closed tip keeps its content before purge.")
    tip_receipt_working_days: int = Field(
        3, ge=1, description="Working days the ward police have to send a tipster the notice of receipt."
    )
    tip_decision_days: int = Field(
        20,
        ge=1,
        description="Days the investigating body has to decide on a tip it received (Criminal Procedure Code "
        "art. 147); shown to the police as information.",
    )
    tip_extension_months: int = Field(
        2,
        ge=1,
        description="Longest extension of the investigating body's decision deadline, by it and once more by the "
        "procuracy (Criminal Procedure Code art. 147); bounds an extension the ward police record.",
    )
    tip_daily_limit: int = Field(
        5, description="Tips one person may send per day (counted without knowing who)."
    )

    # Outbox sender (bot.delivery). Platform limits default to the platforms' published figures.
    delivery_enabled: bool = Field(True, description="Run the outbox sender in this process.")
    delivery_window: int = Field(
        50, description="Sends in flight at once (also the bound on duplicates after a crash)."
    )
    delivery_lease_seconds: float = Field(
        60.0, description="A claimed row returns to the queue after this if its sender died."
    )
    delivery_poll_seconds: float = Field(1.0, description="How often an idle sender looks for due rows.")
    delivery_max_attempts: int = Field(
        8, description="Attempts before a row with transient errors is marked failed."
    )
    delivery_backoff_seconds: float = Field(
        10.0, description="First retry delay after a transient error (doubles, with jitter)."
    )
    delivery_defer_seconds: float = Field(
        5.0, description="A row whose chat is not free for longer goes back to the queue."
    )
    delivery_rate_margin: float = Field(
        0.97, description="Fraction of each platform limit the sender aims for."
    )
    delivery_senders: int = Field(
        1,
        ge=1,
        description="Processes sending for the same bots (ANDAN_DELIVERY_ENABLED); each paces at 1/N of every limit.",
    )
    telegram_per_second: float = Field(30.0, description="Telegram messages per second over all chats.")
    telegram_chat_per_second: float = Field(
        1.0, description="Telegram messages per second to one private chat."
    )
    telegram_chat_burst: int = Field(3, description="Short burst tolerated in one private chat.")
    telegram_group_per_minute: float = Field(
        20.0, description="Telegram messages per minute to one group chat."
    )
    telegram_paid_broadcast: bool = Field(
        False, description="Use Telegram paid broadcasts (allow_paid_broadcast, costs Stars)."
    )
    telegram_paid_per_second: float = Field(
        1000.0, description="Telegram messages per second with paid broadcasts."
    )
    zalo_oa_per_second: float = Field(
        10.0, description="Zalo OA messages per second (the OA's quota still applies)."
    )
    zalo_bot_per_second: float = Field(10.0, description="Zalo Bot messages per second.")

    # Files people send: pixel budget, cleaning in worker processes (bot.cleaning).
    files_max_pixels: int = Field(
        50_000_000,
        ge=1,
        description="Largest image accepted, in pixels (width × height), read from its header before decoding.",
    )
    files_workers: int = Field(
        2, ge=1, description="Worker processes that decode and clean uploaded files, off the event loop."
    )
    files_queue: int = Field(
        8,
        ge=0,
        description="Uploaded files that may wait for a cleaning worker; beyond that one is politely refused.",
    )
    files_job_seconds: float = Field(
        30.0,
        gt=0,
        description="Longest cleaning of one file; then its worker is stopped and the file counts as not cleanable.",
    )
    files_job_memory_mb: int = Field(
        1536, ge=0, description="Address-space limit of a cleaning worker, in MB (0: none)."
    )

    # Replay of signed webhook events.
    zalo_oa_event_max_age_seconds: int = Field(
        86400,
        ge=1,
        description="A Zalo OA webhook event signed longer ago than this is ignored (replay of a captured event). "
        "Zalo redelivers an event it could not hand over for up to about 12 hours [3P], and a handled event's "
        "msg_id is remembered two days, so a day keeps late deliveries and leaves no gap for a replay; it must be "
        "shorter than those two days.",
    )

    @model_validator(mode="after")
    def _replay_window_within_memory(self) -> Settings:
        # An event older than the window is refused by its timestamp, a younger one already handled by its msg_id:
        # a window as long as the memory would let a replay through once its msg_id is forgotten.
        if self.zalo_oa_event_max_age_seconds >= UPDATE_MEMORY.total_seconds():
            raise ValueError(
                "ANDAN_ZALO_OA_EVENT_MAX_AGE_SECONDS must be shorter than the "
                f"{UPDATE_MEMORY.total_seconds():.0f} s handled events are remembered"
            )
        return self

    # Abuse limits without identity (bot.guard.ratelimit), reverse proxies, media downloads.
    rate_web_sessions_per_hour: int = Field(
        600,
        ge=0,
        description="New web chat sessions (cookies) one client network may open per hour; 0: no limit.",
    )
    rate_web_people_per_hour: int = Field(
        120,
        ge=0,
        description="People who may register in the web chat from one client network per hour; 0: no limit.",
    )
    rate_tips_per_day: int = Field(
        50,
        ge=0,
        description="Tips the web chat accepts from one client network per day (besides the per-person "
        "limit); 0: no limit.",
    )
    rate_code_failures_per_hour: int = Field(
        20,
        ge=0,
        description="Wrong receipt or link codes per hour from one client network (web) or chat account "
        "before code look-ups pause; 0: no limit.",
    )
    client_ipv4_prefix: int = Field(
        32, ge=0, le=32, description="IPv4 prefix length counted as one client network."
    )
    client_ipv6_prefix: int = Field(
        64, ge=0, le=128, description="IPv6 prefix length counted as one client network."
    )
    trusted_proxies: str = Field(
        "",
        description="Reverse proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For is believed; "
        "empty: none.",
    )
    media_hosts: str = Field(
        "zdn.vn,zadn.vn,zalo.me,zaloapp.com,zaloplatforms.com",
        description="Hosts (with their subdomains, comma-separated) the Zalo channels may download media from.",
    )
    media_allow_http: bool = Field(
        False, description="Allow plain-http media URLs (tests with local fakes only)."
    )
    media_allow_private: bool = Field(
        False, description="Allow media hosts on private or loopback addresses (tests with local fakes only)."
    )
    media_download_seconds: float = Field(30.0, gt=0, description="Longest time one media download may take.")

    # Watching a process (bot.metrics) and running several (bot.channels.poll_lease).
    metrics_port: int = Field(
        0,
        ge=0,
        le=65535,
        description="Port of a separate HTTP server that serves GET /metrics (Prometheus); 0: none.",
    )
    metrics_host: str = Field("127.0.0.1", description="Address the metrics server binds.")
    metrics_token: SecretStr | None = Field(
        None,
        description="Bearer token for GET /metrics on the main port (and the metrics port); unset: not on the main port.",
    )
    poll_lease_seconds: float = Field(
        10.0,
        gt=0,
        description="Of several processes, the one polling a bot holds a lease this long, renewed every third of "
        "it; another process takes polling over when it lapses.",
    )
    # -- cameras (issue 18) --
    camera_clip_retention_days: int = Field(
        30,
        ge=1,
        description="Days a camera owner's clip is kept for the police unless the officer marks it as evidence.",
    )
    camera_clip_max_mb: int = Field(
        200,
        ge=1,
        description="Largest clip or still a camera owner may upload through the one-time upload link, in MB.",
    )
    camera_upload_link_hours: int = Field(
        24, ge=1, description="Hours a camera owner's one-time upload link stays valid."
    )
    camera_remind_hours: int = Field(
        24,
        ge=1,
        description="An owner who has not answered a footage request is reminded this many hours before their "
        "recording would be overwritten (once).",
    )
    camera_max_per_owner: int = Field(20, ge=1, description="Cameras one person may register.")
    # -- problems (issue 18) --
    problems_max_text_length: int = Field(
        1500,
        ge=50,
        description="Longest description of an everyday problem reported to the ward (/phananh), in characters.",
    )
    problems_max_photos: int = Field(3, ge=0, description="Photos one problem report may carry.")
    problems_daily_limit: int = Field(
        10, ge=1, description="Problem reports one person may send per day (named and anonymous alike)."
    )
    # -- fire safety (issue 19) --
    firesafety_remind_first_days: int = Field(
        30,
        ge=1,
        le=120,
        description="Days before a household's fire extinguisher expires when its members are first reminded.",
    )
    firesafety_remind_last_days: int = Field(
        7,
        ge=1,
        le=60,
        description="Days before a household's fire extinguisher expires when its members are reminded again.",
    )
    firesafety_point_overdue_days: int = Field(
        35,
        ge=7,
        le=120,
        description="Days without a check after which a public fire point is shown as overdue.",
    )
    firesafety_text_max_length: int = Field(
        200,
        ge=20,
        le=2000,
        description="Longest name of a liên gia team, fire point place or contents, or check note, in characters.",
    )
    firesafety_advice_max_length: int = Field(
        600,
        ge=50,
        le=4000,
        description="Longest advice text a ward admin may set for one fire-safety checklist item, in characters.",
    )
    firesafety_team_min_households: int = Field(
        5, ge=2, le=50, description="Fewest households of a tổ liên gia an toàn PCCC."
    )
    firesafety_team_max_households: int = Field(
        10, ge=2, le=50, description="Most households of a tổ liên gia an toàn PCCC."
    )
    # -- tip rewards (issue 19) --
    tip_reward_code_failures_per_hour: int = Field(
        5,
        ge=0,
        description="Wrong reward claim codes an officer's chat account (or web client network) may type per hour "
        "before claim-code checks pause; 0: no limit.",
    )
    # -- year review (issue 19) --
    review_grade_good_max_unmet: int = Field(
        1,
        ge=0,
        description="Year review: a self-managed group with no unmet criterion is rated “vững mạnh”; with at most "
        "this many unmet (or still without data) it is rated “khá”.",
    )
    review_grade_fair_max_unmet: int = Field(
        2,
        ge=0,
        description="Year review: a group with more unmet criteria than for “khá” but at most this many is rated "
        "“trung bình”; with more, “yếu”.",
    )
    review_remind_month: int = Field(
        12, ge=1, le=12, description="Year review: month from which the ward admin and police are reminded."
    )
    review_remind_day: int = Field(
        1, ge=1, le=28, description="Year review: day of `review_remind_month` the year-end reminders start."
    )
    # -- words and tip deadlines (issue 16) --
    tip_transfer_hours: int = Field(
        24,
        ge=1,
        le=720,
        description="Hours the ward police have to check a tip and transfer it to the investigating body "
        "(Criminal Procedure Code art. 145: at once, after a preliminary check; TTLT 01/2017: within 24 hours).",
    )
    tip_transfer_island_hours: int = Field(
        48,
        ge=1,
        le=720,
        description="The same for a special zone (đặc khu, an island commune: TTLT 01/2017 allows 48 hours for "
        "remote and island communes).",
    )
    tip_transfer_reminder_hours: int = Field(
        6,
        ge=1,
        le=168,
        description="Hours before the transfer deadline when the ward police are reminded of it.",
    )
    # -- inbound (issue 17) --

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def secret_bytes(self) -> bytes:
        """The deployment secret; generated and stored on first use so restarts keep it."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        value = _read_secret_file() or _create_secret_file()
        self.secret_key = SecretStr(value)
        return value.encode()


def _read_secret_file() -> str | None:
    try:
        return SECRET_KEY_FILE.read_text().strip() or None
    except FileNotFoundError:
        return None


def _create_secret_file() -> str:
    """A new random key, in a file that is private (0600) from the moment it exists: created with its mode, never
    chmod-ed afterwards. When another process created the file first, its key is the deployment's key."""
    value = secrets.token_urlsafe(48)
    try:
        fd = os.open(SECRET_KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _wait_for_secret_file()
    with os.fdopen(fd, "w") as out:
        out.write(value + "\n")
    return value


def _wait_for_secret_file() -> str:
    """The other process may not have written its key yet: give it a moment."""
    for _attempt in range(100):
        if value := _read_secret_file():
            return value
        time.sleep(0.02)
    raise RuntimeError(f"{SECRET_KEY_FILE} exists but is empty: remove it or set ANDAN_SECRET_KEY")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
