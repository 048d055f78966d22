"""ogpcocreate: co-creation of OGP national action plans in the open."""

from __future__ import annotations

import logging

from flask import Flask

from . import config as config_module
from .config import ROOT


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    try:
        config_module.load(app.config, overrides)
    except config_module.ConfigError as exc:
        if overrides is None:
            # Started by the flask command or gunicorn: one line saying what to set, not a traceback.
            raise SystemExit(f"ogpcocreate: configuration error: {exc}") from None
        raise
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address (rate limits count it) from the proxies' X-Forwarded-For, trusting only
        # as many entries as there are proxies of ours.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"])
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("ogpcocreate").setLevel(logging.WARNING if app.testing else logging.INFO)

    from .extensions import babel, csrf, db, limiter, mail, migrate

    db.init_app(app)
    from . import transitions
    from .core import fragments, pagecache

    # First: its after_request runs last and stores each page with every header the others added.
    pagecache.init_app(app, transitions.next_transition)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    app.jinja_env.globals["csrf_token"] = fragments.csrf_token  # a placeholder inside shared fragments
    mail.init_app(app)
    limiter.init_app(app)

    from .core import errors, i18n, params, ratelimit, security

    params.register(app)  # before any blueprint: every <int:...> is bounded
    ratelimit.init_app(app)

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.register(app)
    security.register(app)
    errors.register(app)
    _init_login(app)
    _register_models()
    _register_blueprints(app)
    _register_template_context(app)
    _register_log_listeners()

    from . import cli

    cli.register(app)
    return app


def _register_models() -> None:
    """Import every models module so metadata (and Alembic) see all tables."""
    from .approvals import models as _approvals  # noqa: F401
    from .archive import models as _archive  # noqa: F401
    from .auth import models as _auth  # noqa: F401
    from .calls import models as _calls  # noqa: F401
    from .comments import models as _comments  # noqa: F401
    from .core import eventlog as _eventlog  # noqa: F401
    from .core import outbox as _outbox  # noqa: F401
    from .core import pagecache as _pagecache  # noqa: F401
    from .drafts import models as _drafts  # noqa: F401
    from .meetings import models as _meetings  # noqa: F401
    from .moderation import models as _moderation  # noqa: F401
    from .monitoring import models as _monitoring  # noqa: F401
    from .notifications import models as _notifications  # noqa: F401
    from .organisations import models as _organisations  # noqa: F401
    from .plans import models as _plans  # noqa: F401
    from .proposals import models as _proposals  # noqa: F401
    from .reports import models as _reports  # noqa: F401
    from .repository import models as _repository  # noqa: F401
    from .responses import models as _responses  # noqa: F401
    from .search import models as _search  # noqa: F401
    from .secretariat import models as _secretariat  # noqa: F401
    from .votes import models as _votes  # noqa: F401


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l
    from sqlalchemy import select

    from .auth.models import User, dummy_password_hash
    from .extensions import db, login_manager

    if not app.testing:
        dummy_password_hash()  # computed now, so that the first log-in to an unknown address is not the slow one

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_token: str):
        return db.session.scalar(select(User).where(User.session_token == session_token))


def _register_log_listeners() -> None:
    """Derived data kept in step with the participation log, in the same transaction."""
    from .core import eventlog
    from .notifications import services as notifications
    from .organisations.acting import individual_sector
    from .reports import tally
    from .search import index as search_index

    eventlog.listen(tally.count)
    search_index.register()
    eventlog.listen(notifications.on_append)
    eventlog.classify_individuals(individual_sector)


def _register_blueprints(app: Flask) -> None:
    from .approvals.views import bp as approvals_bp
    from .auth.views import bp as auth_bp
    from .calls.views import bp as calls_bp
    from .drafts.views import bp as drafts_bp
    from .main.views import bp as main_bp
    from .meetings.views import bp as meetings_bp
    from .moderation.views import bp as moderation_bp
    from .monitoring.views import bp as monitoring_bp
    from .notifications.views import bp as notifications_bp
    from .opendata.views import bp as opendata_bp
    from .organisations.views import bp as organisations_bp
    from .plans.views import bp as plans_bp
    from .proposals.views import bp as proposals_bp
    from .reports.views import bp as reports_bp
    from .repository.views import bp as repository_bp
    from .responses.views import bp as responses_bp
    from .search.views import bp as search_bp
    from .secretariat.views import bp as secretariat_bp
    from .votes.views import bp as votes_bp

    for blueprint in (main_bp, auth_bp, organisations_bp, secretariat_bp, plans_bp, calls_bp, proposals_bp, responses_bp,
                      drafts_bp, moderation_bp, votes_bp, meetings_bp, reports_bp, opendata_bp, approvals_bp,
                      repository_bp, search_bp, monitoring_bp, notifications_bp):
        app.register_blueprint(blueprint)
    from .api import views as api_views
    from .archive.views import bp as archive_bp

    api_views.register(app)
    app.register_blueprint(archive_bp)


def _register_template_context(app: Flask) -> None:
    from flask import g, has_request_context
    from flask_babel import get_locale

    from . import permissions, visibility
    from .approvals.models import Action
    from .approvals.registry import position_url, withdraw_url
    from .core import territories
    from .core.eventlog import subject_label, verb_label
    from .core.sectors import Seat, Sector
    from .main.forms import LanguageForm
    from .notifications.services import is_following, unread_count
    from .proposals.rules import change_refusal as proposal_change_refusal
    from .responses.rules import response_refusal

    def unread_once(user) -> int:
        """The header's unread count, asked once per request (the menus are drawn twice: wide and phone)."""
        if "unread_notifications" not in g:
            g.unread_notifications = unread_count(user)
        return g.unread_notifications

    @app.context_processor
    def inject():
        return {
            **permissions.TEMPLATE_HELPERS,
            "Sector": Sector,
            "Action": Action,
            "Seat": Seat,
            "territories": territories,
            "current_locale": str(get_locale()),
            # formdata=None: the switcher never reads the request (an error page may be showing a bad one);
            # no CSRF token: base.html adds one only for a logged-in person (main/views.py, language).
            "language_form": LanguageForm(formdata=None, meta={"csrf": False}) if has_request_context() else None,
            "site_name": app.config["SITE_NAME"],
            "verb_label": verb_label,
            "subject_label": subject_label,
            "visibility": visibility,
            "position_url": position_url,
            "withdraw_url": withdraw_url,
            # Rules the pages ask to show a button or its reason (<feature>/rules.py).
            "proposal_change_refusal": proposal_change_refusal,
            "response_refusal": response_refusal,
            "is_following": is_following,
            "unread_notifications": unread_once,
        }
