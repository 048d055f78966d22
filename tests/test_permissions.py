"""The authorization matrix: every route of the URL map x every role, with the expected outcome.

A route without an entry in ROUTES fails ``test_every_route_is_in_the_matrix``, so a new view cannot
ship without a decision about who may use it.
"""

from __future__ import annotations

import pytest

from ogpcocreate.extensions import db
from ogpcocreate.secretariat.models import SecretariatMembership

from .world import ROLES, build_world

SEATS = {"seat_government", "seat_guarantor", "seat_civil_society"}
LOGGED_IN = set(ROLES) - {"anonymous"}
CONFIRMED = LOGGED_IN - {"unconfirmed"}
PUBLIC = set(ROLES)


# endpoint -> (method, url template, roles allowed, denial for the other logged-in roles)
# Denials: anonymous users are always sent to log in; "confirm" sends unconfirmed users to confirm.
ROUTES = {
    "main.home": ("GET", "/", PUBLIC),
    "main.record": ("GET", "/record", PUBLIC),
    "main.healthz": ("GET", "/healthz", PUBLIC),
    "main.language": ("POST", "/language", PUBLIC),
    "main.activity_page": ("GET", "/my/activity", LOGGED_IN),
    "opendata.record_csv": ("GET", "/record.csv", PUBLIC),
    "opendata.record_spreadsheet_csv": ("GET", "/record-spreadsheet.csv", PUBLIC),
    "opendata.record_json": ("GET", "/record.json", PUBLIC),
    "api.calls_list": ("GET", "/api/v1/calls", PUBLIC),
    "archive.index": ("GET", "/secretariat/archive", SEATS),
    "archive.my_data": ("GET", "/account/data.zip", LOGGED_IN),
    "archive.download": ("GET", "/secretariat/archive/1/download", SEATS),
    "api.plans_list": ("GET", "/api/v1/plans", PUBLIC),
    "api.plans_item": ("GET", "/api/v1/plans/{plan_id}", PUBLIC),
    "api.calls_item": ("GET", "/api/v1/calls/{call_id}", PUBLIC),
    "api.themes_list": ("GET", "/api/v1/themes", PUBLIC),
    "api.themes_item": ("GET", "/api/v1/themes/1", PUBLIC),
    "api.proposals_list": ("GET", "/api/v1/proposals", PUBLIC),
    "api.proposals_item": ("GET", "/api/v1/proposals/{proposal_id}", PUBLIC),
    "api.responses_list": ("GET", "/api/v1/responses", PUBLIC),
    "api.responses_item": ("GET", "/api/v1/responses/1", PUBLIC),
    "api.drafts_list": ("GET", "/api/v1/drafts", PUBLIC),
    "api.drafts_item": ("GET", "/api/v1/drafts/{draft_id}", PUBLIC),
    "api.comments_list": ("GET", "/api/v1/comments", PUBLIC),
    "api.comments_item": ("GET", "/api/v1/comments/{comment_id}", PUBLIC),
    "api.meetings_list": ("GET", "/api/v1/meetings", PUBLIC),
    "api.meetings_item": ("GET", "/api/v1/meetings/{meeting_id}", PUBLIC),
    "api.ballots_list": ("GET", "/api/v1/ballots", PUBLIC),
    "api.ballots_item": ("GET", "/api/v1/ballots/{ballot_id}", PUBLIC),
    "api.organisations_list": ("GET", "/api/v1/organisations", PUBLIC),
    "api.organisations_item": ("GET", "/api/v1/organisations/{org_id}", PUBLIC),
    "api.documents_list": ("GET", "/api/v1/documents", PUBLIC),
    "api.documents_item": ("GET", "/api/v1/documents/1", PUBLIC),
    "api.commission-reports_list": ("GET", "/api/v1/commission-reports", PUBLIC),
    "api.commission-reports_item": ("GET", "/api/v1/commission-reports/1", PUBLIC),
    "api.commitments_list": ("GET", "/api/v1/commitments", PUBLIC),
    "api.commitments_item": ("GET", "/api/v1/commitments/{draft_id}", PUBLIC),
    "api.record_list": ("GET", "/api/v1/record", PUBLIC),
    "api-docs.openapi_json": ("GET", "/api/v1/openapi.json", PUBLIC),
    "apidocs.docs": ("GET", "/api/v1/docs", PUBLIC),
    "apidocs.docs_asset": ("GET", "/api/v1/docs/assets/swagger-ui.css", PUBLIC),
    "apidocs.open_data": ("GET", "/open-data", PUBLIC),
    "apidocs.dataset_csv": ("GET", "/open-data/proposals.csv", PUBLIC),
    "static": ("GET", "/static/css/site.css", PUBLIC),
    "auth.register": ("GET", "/register", PUBLIC),
    "auth.check_email": ("GET", "/register/check-email", PUBLIC),
    "auth.confirm_email": ("GET", "/confirm/forged-token", PUBLIC),
    "auth.login": ("GET", "/login", PUBLIC),
    "auth.logout": ("POST", "/logout", PUBLIC),
    "auth.forgot_password": ("GET", "/password/forgot", PUBLIC),
    "auth.reset_password": ("GET", "/password/reset/forged-token", PUBLIC),
    "auth.unconfirmed": ("GET", "/confirm", LOGGED_IN),
    "auth.resend_confirmation": ("POST", "/confirm/resend", LOGGED_IN),
    "auth.profile": ("GET", "/account", LOGGED_IN),
    "auth.change_password": ("POST", "/account/password", LOGGED_IN),
    "auth.log_out_everywhere": ("POST", "/account/sessions/end", LOGGED_IN),
    "auth.close_account": ("POST", "/account/close", LOGGED_IN),
    "organisations.directory": ("GET", "/organisations", PUBLIC),
    "organisations.detail": ("GET", "/organisations/{org_id}", PUBLIC),
    "organisations.create": ("GET", "/organisations/new", CONFIRMED),
    "organisations.edit": ("GET", "/organisations/{org_id}/edit", {"org_admin"}),
    "organisations.invite": ("POST", "/organisations/{org_id}/invitations", {"org_admin"}),
    "organisations.revoke_invitation": ("POST", "/organisations/{org_id}/invitations/{invitation_id}/revoke", {"org_admin"}),
    "organisations.invitation": ("GET", "/invitations/{invitation_token}", PUBLIC),
    "organisations.accept_invitation": ("POST", "/invitations/{invitation_token}/accept", CONFIRMED),
    "organisations.leave": ("POST", "/organisations/{org_id}/leave", {"member", "org_admin"}),
    "organisations.transfer": ("POST", "/organisations/{org_id}/transfer", {"org_admin"}),
    "organisations.verify": ("POST", "/organisations/{org_id}/verification", SEATS),
    "organisations.review": ("GET", "/organisations/review", SEATS),
    "organisations.mine": ("GET", "/my/organisations", LOGGED_IN),
    "secretariat.public": ("GET", "/secretariat", PUBLIC),
    "secretariat.work": ("GET", "/secretariat/work", SEATS),
    "secretariat.manage": ("GET", "/admin/secretariat", {"site_admin"}),
    "secretariat.end": ("POST", "/admin/secretariat/{seat_id}/end", {"site_admin"}),
    "plans.index": ("GET", "/plans", PUBLIC),
    "plans.detail": ("GET", "/plans/{plan_id}", PUBLIC),
    "plans.create": ("GET", "/plans/new", SEATS),
    "plans.edit": ("GET", "/plans/{plan_id}/edit", SEATS),
    "plans.switch_on": ("POST", "/plans/{plan_id}/tripartite", SEATS),
    "reports.plan_influence": ("GET", "/plans/{plan_id}/influence", PUBLIC),
    "reports.call_influence": ("GET", "/calls/{call_id}/influence", PUBLIC),
    "reports.plan_influence_csv": ("GET", "/plans/{plan_id}/influence/territory.csv", PUBLIC),
    "reports.call_influence_csv": ("GET", "/calls/{call_id}/influence/sector.csv", PUBLIC),
    "reports.compare_plans": ("GET", "/plans/compare", PUBLIC),
    "reports.api_plan_influence": ("GET", "/api/v1/plans/{plan_id}/influence", PUBLIC),
    "reports.api_call_influence": ("GET", "/api/v1/calls/{call_id}/influence", PUBLIC),
    "calls.index": ("GET", "/calls", PUBLIC),
    "calls.detail": ("GET", "/calls/{call_id}", PUBLIC),
    "calls.record": ("GET", "/calls/{call_id}/record", PUBLIC),
    "calls.create": ("GET", "/plans/{plan_id}/calls/new", SEATS),
    "calls.edit": ("GET", "/calls/{draft_call_id}/edit", SEATS),
    # One route pair for every approvable act (approvals/registry.py); tests/test_tripartite.py walks the
    # other kinds of object through the same roles.
    "approvals.take_position": ("POST", "/calls/{draft_call_id}/positions", SEATS),
    "approvals.withdraw_position": ("POST", "/calls/{draft_call_id}/positions/999/withdraw", SEATS),
    "proposals.create": ("GET", "/calls/{call_id}/proposals/new", CONFIRMED),
    "proposals.detail": ("GET", "/proposals/{proposal_id}", PUBLIC),
    "proposals.edit": ("GET", "/proposals/{proposal_id}/edit", {"member"}),
    "proposals.withdraw": ("POST", "/proposals/{proposal_id}/withdraw", {"member"}),
    "proposals.mine": ("GET", "/my/contributions", LOGGED_IN),
    "responses.respond": ("POST", "/proposals/{proposal_id}/response", SEATS),
    "responses.respond_to_comment": ("POST", "/comments/{comment_id}/response", SEATS),
    "drafts.create": ("GET", "/calls/{closed_call_id}/drafts/new", SEATS),
    "drafts.publish": ("GET", "/drafts/{draft_id}/versions/new", SEATS),
    "drafts.detail": ("GET", "/drafts/{draft_id}", PUBLIC),
    "drafts.version": ("GET", "/drafts/{draft_id}/versions/1", PUBLIC),
    "drafts.compare": ("GET", "/drafts/{draft_id}/compare", PUBLIC),
    "drafts.comment": ("POST", "/drafts/{draft_id}/comments", CONFIRMED),
    "moderation.report": ("POST", "/comments/{comment_id}/report", LOGGED_IN),
    "moderation.hide": ("POST", "/comments/{comment_id}/hide", SEATS),
    "moderation.dismiss": ("POST", "/comments/{comment_id}/dismiss", SEATS),
    "moderation.reports": ("GET", "/moderation/reports", SEATS),
    "moderation.log": ("GET", "/moderation", PUBLIC),
    "moderation.code_of_conduct": ("GET", "/code-of-conduct", PUBLIC),
    "votes.index": ("GET", "/calls/{call_id}/ballots", PUBLIC),
    "votes.detail": ("GET", "/ballots/{ballot_id}", PUBLIC),
    "votes.create": ("GET", "/calls/{call_id}/ballots/new", SEATS),
    "votes.vote": ("POST", "/ballots/{ballot_id}/vote", CONFIRMED),
    "votes.publish": ("POST", "/ballots/{ballot_id}/publish", SEATS),
    "votes.adopt": ("POST", "/ballots/{ballot_id}/adopt", SEATS),
    "votes.publish_ballot": ("POST", "/ballots/{unpublished_ballot_id}/publication", SEATS),
    "meetings.index": ("GET", "/calls/{call_id}/meetings", PUBLIC),
    "meetings.detail": ("GET", "/meetings/{meeting_id}", PUBLIC),
    "meetings.create": ("GET", "/calls/{call_id}/meetings/new", SEATS),
    "meetings.edit": ("GET", "/meetings/{meeting_id}/edit", SEATS),
    "meetings.attendance": ("GET", "/meetings/{meeting_id}/attendance", SEATS),
    "meetings.add_attendees": ("POST", "/meetings/{meeting_id}/attendees", SEATS),
    "meetings.set_unregistered": ("POST", "/meetings/{meeting_id}/unregistered", SEATS),
    "meetings.publish": ("POST", "/meetings/{unpublished_meeting_id}/publication", SEATS),
    "repository.index": ("GET", "/repository", PUBLIC),
    "search.search": ("GET", "/search", PUBLIC),
    "repository.detail": ("GET", "/repository/{document_id}", PUBLIC),
    "repository.download": ("GET", "/repository/{document_id}/versions/1/file", PUBLIC),
    "repository.create": ("GET", "/repository/new", SEATS),
    "repository.edit": ("GET", "/repository/{document_id}/edit", SEATS),
    "repository.replace": ("POST", "/repository/{document_id}/versions", SEATS),
    "repository.publish": ("POST", "/repository/{document_id}/publication", SEATS),
    "repository.attach": ("GET", "/proposals/{proposal_id}/attachments", {"member"}),
    "repository.reports": ("GET", "/commission-reports", PUBLIC),
    "repository.reports_csv": ("GET", "/commission-reports.csv", PUBLIC),
    "repository.report": ("GET", "/commission-reports/{report_id}", PUBLIC),
    "repository.create_report": ("GET", "/commission-reports/new", SEATS),
    "repository.edit_report": ("GET", "/commission-reports/{report_id}/edit", SEATS),
    "monitoring.commitment": ("GET", "/commitments/{adopted_id}/implementation", PUBLIC),
    "monitoring.set_institution": ("POST", "/commitments/{adopted_id}/institution", SEATS),
    "monitoring.name_contact": ("POST", "/commitments/{adopted_id}/contacts", SEATS),
    "monitoring.end_contact": ("POST", "/commitments/{adopted_id}/contacts/{contact_id}/end", SEATS),
    # Contacts and the secretariat report progress; the world's contact holds the government seat
    # (tests/test_monitoring.py checks a contact who holds none).
    "monitoring.report_progress": ("POST", "/commitments/{adopted_id}/milestones/{milestone_id}/progress", SEATS),
    "monitoring.add_evidence": ("POST", "/commitments/{adopted_id}/milestones/{milestone_id}/evidence", SEATS),
    "monitoring.add_indicator": ("POST", "/commitments/{adopted_id}/indicators", SEATS),
    "monitoring.add_measurement": ("POST", "/commitments/{adopted_id}/indicators/{indicator_id}/measurements", SEATS),
    "monitoring.comment": ("POST", "/commitments/{adopted_id}/comments", CONFIRMED),
    "monitoring.respond": ("POST", "/commitments/{adopted_id}/comments/{implementation_comment_id}/response", SEATS),
    "monitoring.assess": ("POST", "/commitments/{adopted_id}/assessment", SEATS),
    "monitoring.grant_assessor": ("POST", "/plans/{plan_id}/assessors", SEATS),
    "monitoring.performance": ("GET", "/plans/{plan_id}/performance", PUBLIC),
    "monitoring.performance_csv": ("GET", "/plans/{plan_id}/performance.csv", PUBLIC),
    "monitoring.api_commitments": ("GET", "/api/v1/plans/{plan_id}/commitments", PUBLIC),
    "monitoring.update_settings": ("POST", "/plans/{plan_id}/monitoring-settings", SEATS),
    "monitoring.add_recommendation": ("POST", "/plans/{plan_id}/recommendations", SEATS),
    "monitoring.update_recommendation": ("POST", "/plans/{plan_id}/recommendations/{recommendation_id}", SEATS),
    "notifications.index": ("GET", "/notifications", LOGGED_IN),
    "notifications.mark_read": ("POST", "/notifications/999999/read", LOGGED_IN),  # someone else's: 404
    "notifications.mark_all_read": ("POST", "/notifications/read", LOGGED_IN),
    "notifications.preferences": ("GET", "/notifications/preferences", LOGGED_IN),
    "notifications.follow": ("POST", "/follow/call/{call_id}", LOGGED_IN),
    "notifications.unfollow": ("POST", "/unfollow/proposal/{proposal_id}", LOGGED_IN),
    # Signed link from an e-mail, used without logging in (a forged token is refused with a 400).
    "notifications.unsubscribe": ("GET", "/unsubscribe/forged-token", PUBLIC),
}
# Views behind participant_required send unconfirmed people to confirm their e-mail rather than 403.
CONFIRM_FIRST = {
    "organisations.create", "organisations.edit", "organisations.invite", "organisations.revoke_invitation",
    "organisations.accept_invitation", "organisations.transfer", "proposals.create", "proposals.edit",
    "proposals.withdraw", "votes.vote", "repository.attach",
}  # fmt: skip


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = endpoints - set(ROUTES)
    assert not missing, f"routes without an authorization entry: {sorted(missing)}"
    stale = set(ROUTES) - endpoints
    assert not stale, f"matrix entries for routes that no longer exist: {sorted(stale)}"
    for rule in app.url_map.iter_rules():
        method = ROUTES[rule.endpoint][0]
        assert method in rule.methods, f"{rule.endpoint} does not accept {method}"
        if rule.endpoint != "static":
            # Every state change is a POST; GET routes never change state (checked by their tests).
            assert rule.methods - {"HEAD", "OPTIONS"} <= {"GET", "POST"}, rule


def expected(endpoint: str, role: str) -> str:
    allowed = ROUTES[endpoint][2]
    if role in allowed:
        return "allowed"
    if role == "anonymous":
        return "login"
    if role == "unconfirmed" and endpoint in CONFIRM_FIRST:
        return "confirm"
    return "forbidden"


def outcome(response, endpoint: str) -> str:
    if response.status_code in (401, 403):
        return "forbidden"
    if response.status_code == 302:
        location = response.headers["Location"]
        if location.startswith("/login"):
            return "login"
        if location.startswith("/confirm?") and endpoint in CONFIRM_FIRST:
            return "confirm"
    assert response.status_code < 500, response.status_code
    return "allowed"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_route_access(world_case, endpoint, role):
    client = world_case.client(role)
    method, template, _allowed = ROUTES[endpoint]
    url = template.format(**world_case.world.__dict__)
    response = client.get(url) if method == "GET" else client.post_form(url)
    response.close()  # static files are streamed from an open file
    assert outcome(response, endpoint) == expected(endpoint, role), (endpoint, role, response.status_code, response.headers.get("Location"))


# The one route pair of approvals serves every kind of approvable object: each kind answers to the
# same roles as the matrix's entry for it.
APPROVAL_URLS = {
    "calls": "/calls/{draft_call_id}", "meetings": "/meetings/{meeting_id}", "drafts": "/drafts/{draft_id}",
    "plans": "/plans/{plan_id}",
}


def test_every_approvable_kind_is_walked():
    from ogpcocreate.approvals.registry import KINDS

    assert set(KINDS) == set(APPROVAL_URLS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("suffix", ["/positions", "/positions/999/withdraw"])
@pytest.mark.parametrize("kind", sorted(APPROVAL_URLS))
def test_every_approvable_act_answers_to_the_same_roles(world_case, kind, suffix, role):
    client = world_case.client(role)
    endpoint = "approvals.take_position" if suffix == "/positions" else "approvals.withdraw_position"
    response = client.post_form(APPROVAL_URLS[kind].format(**world_case.world.__dict__) + suffix)
    assert outcome(response, endpoint) == expected(endpoint, role), (kind, role, response.status_code)


def test_drafts_are_hidden_from_everyone_but_the_secretariat(app, make_client):
    world = build_world(app)
    anonymous = make_client()
    assert anonymous.get(f"/calls/{world.draft_call_id}").status_code == 404
    participant = make_client()
    participant.login("participant@example.org")
    assert participant.get(f"/calls/{world.draft_call_id}").status_code == 404
    assert participant.get(f"/calls/{world.draft_call_id}/record").status_code == 404
    seat = make_client()
    seat.login("seat_guarantor@example.org")
    assert seat.get(f"/calls/{world.draft_call_id}").status_code == 200


def test_a_seat_that_ended_no_longer_grants_access(app, make_client):
    build_world(app)
    with app.app_context():
        from sqlalchemy import select, update

        from ogpcocreate.core.db import utcnow

        db.session.execute(update(SecretariatMembership).values(ended_at=utcnow()))
        db.session.commit()
        assert db.session.scalar(select(SecretariatMembership.ended_at)) is not None
    client = make_client()
    client.login("seat_government@example.org")
    assert client.get("/organisations/review").status_code == 403
