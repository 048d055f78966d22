"""Factories for tests: build people, organisations and seats directly, through the same models."""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path

from werkzeug.security import generate_password_hash

from ogpcocreate.auth.models import User
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.sectors import Seat, Sector
from ogpcocreate.extensions import db
from ogpcocreate.organisations.models import Membership, Organisation, Role, Verification
from ogpcocreate.organisations.services import name_key
from ogpcocreate.secretariat.models import SecretariatMembership

PASSWORD = "a-long-and-quiet-harbour-42"
_counter = itertools.count(1)


@cache
def _hash() -> str:
    # A cheap hash method: tests log in hundreds of times; production uses the default (scrypt).
    return generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def make_user(email: str | None = None, *, confirmed: bool = True, name: str | None = None, admin: bool = False,
              territory: str | None = "MX-OAX", locale: str = "es") -> User:
    n = next(_counter)
    user = User(
        email=email or f"person{n}@example.org",
        display_name=name or f"Persona {n}",
        password_hash=_hash(),
        email_confirmed_at=utcnow() if confirmed else None,
        is_admin=admin,
        territory=territory,
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_organisation(admin: User | None = None, *, name: str | None = None, sector: Sector = Sector.CIVIL_SOCIETY,
                      territory: str = "MX-OAX", verified: bool = True, members: list[User] = (), cluni: str | None = None) -> Organisation:
    n = next(_counter)
    name = name or f"Organización {n}"
    org = Organisation(
        name=name,
        name_key=name_key(name),
        sector=sector,
        territory=territory,
        cluni=cluni or (f"ORG{n:010d}" if sector is Sector.CIVIL_SOCIETY else None),
        verification=Verification.VERIFIED if verified else Verification.PENDING,
        created_by_id=(admin or make_user()).id,
    )
    db.session.add(org)
    db.session.flush()
    if admin is not None:
        db.session.add(Membership(organisation_id=org.id, user_id=admin.id, role=Role.ADMIN))
    for member in members:
        db.session.add(Membership(organisation_id=org.id, user_id=member.id, role=Role.MEMBER))
    db.session.flush()
    return org


def make_seat(user: User, seat: Seat) -> SecretariatMembership:
    membership = SecretariatMembership(user_id=user.id, seat=seat)
    db.session.add(membership)
    db.session.flush()
    return membership


def make_plan(creator: User | None = None, *, requires_tripartite: bool = True, notice_days: int = 14, name: str | None = None):
    from ogpcocreate.plans.models import ActionPlan

    plan = ActionPlan(name=name or f"Plan {next(_counter)}", period_start=2025, period_end=2027,
                      requires_tripartite=requires_tripartite, notice_days=notice_days,
                      created_by_id=(creator or make_user()).id)
    db.session.add(plan)
    db.session.flush()
    return plan


def make_call(plan=None, *, phase: str = "open", individuals: bool = True, themes=("Transparencia", "Participación"),
              now=None):
    """A call whose dates put it in ``phase`` now: draft, announced, open, review, deliberation, decision, results;
    or "scheduled": published by the seats, with its announcement date still to come (not public yet)."""
    from datetime import timedelta

    from ogpcocreate.calls.models import Call, Submitters, Theme

    now = now or utcnow()
    day = timedelta(days=1)
    offsets = {  # where "now" falls: days from now of announce, open, close, deliberation, decision, results
        "draft": (20, 40, 60, 61, 80, 90),
        "scheduled": (20, 40, 60, 61, 80, 90),
        "announced": (-20, 10, 30, 31, 50, 60),
        "open": (-30, -10, 10, 11, 30, 40),
        "review": (-60, -40, -2, 5, 20, 30),
        "deliberation": (-60, -40, -20, -10, 10, 20),
        "decision": (-90, -70, -50, -40, -10, 5),
        "results": (-90, -70, -50, -40, -10, -5),
    }[phase]
    plan = plan or make_plan()
    call = Call(plan_id=plan.id, title=f"Convocatoria {next(_counter)}", description="<p>Descripción</p>",
                description_source="Descripción",
                submitters=Submitters.ORGANISATIONS_AND_INDIVIDUALS if individuals else Submitters.ORGANISATIONS,
                created_by_id=plan.created_by_id,
                **{name: now + offset * day for name, offset in zip(
                    ("announce_at", "opens_at", "closes_at", "deliberation_at", "decision_at", "results_at"), offsets,
                    strict=True)})
    if phase == "scheduled":
        call.published_at = now - day
    elif phase != "draft":
        call.published_at = now + offsets[0] * day
    if phase == "results":
        call.results_published_at = now - 4 * day
    call.themes = [Theme(name=name, position=i) for i, name in enumerate(themes)]
    db.session.add(call)
    db.session.flush()
    return call


def make_proposal(call, author: User, organisation=None, *, title: str | None = None, theme=None):
    from ogpcocreate.proposals.models import Proposal

    proposal = Proposal(call_id=call.id, theme_id=(theme or call.themes[0]).id, author_id=author.id,
                        organisation_id=organisation.id if organisation else None, title=title or f"Propuesta {next(_counter)}",
                        problem_source="Problema", problem="<p>Problema</p>", action_source="Acción", action="<p>Acción</p>",
                        expected_result_source="Resultado", expected_result="<p>Resultado</p>")
    db.session.add(proposal)
    db.session.flush()
    return proposal


def make_response(proposal, responder: User, outcome: str = "not_adopted", seat: Seat = Seat.GOVERNMENT):
    from ogpcocreate.responses.models import Outcome, Response

    response = Response(proposal_id=proposal.id, outcome=Outcome(outcome), justification_source="Porque sí",
                        justification="<p>Porque sí</p>", responder_id=responder.id, seat=seat)
    db.session.add(response)
    db.session.flush()
    return response


def make_response_to_comment(comment, responder: User, outcome: str = "not_adopted", seat: Seat = Seat.GOVERNMENT):
    from ogpcocreate.responses.models import Outcome, Response

    response = Response(comment_id=comment.id, outcome=Outcome(outcome), justification_source="Porque sí",
                        justification="<p>Porque sí</p>", responder_id=responder.id, seat=seat)
    db.session.add(response)
    db.session.flush()
    return response


def make_draft(call, creator: User, *, sources=(), open_for_comments: bool = True, title: str | None = None):
    """A draft commitment with one published version, open for comments or with its round closed."""
    from datetime import date, timedelta

    from ogpcocreate.drafts.models import DraftCommitment, DraftVersion, Milestone

    draft = DraftCommitment(call_id=call.id, theme_id=call.themes[0].id, title=title or f"Compromiso {next(_counter)}",
                            created_by_id=creator.id)
    draft.sources = list(sources)
    db.session.add(draft)
    db.session.flush()
    now = utcnow()
    version = DraftVersion(draft_id=draft.id, number=1, published_at=now - timedelta(days=10), published_by_id=creator.id,
                           comments_close_at=now + (timedelta(days=5) if open_for_comments else -timedelta(days=1)),
                           **{f"{s}{suffix}": f"Texto de {s}" for s in ("problem", "status_quo", "description", "how",
                                                                        "relevance", "other_actors")
                              for suffix in ("", "_source")})
    version.milestones = [Milestone(position=0, description="Primer hito", due=date(2027, 6, 30), responsible="SFP")]
    db.session.add(version)
    db.session.flush()
    db.session.refresh(draft)
    return draft


def make_comment(version, author: User, body: str = "Un comentario", *, organisation=None, section=None, parent=None,
                 is_contribution: bool = True):
    from ogpcocreate.comments.models import Comment

    comment = Comment(version_id=version.id, author_id=author.id, organisation_id=organisation.id if organisation else None,
                      section=section, parent_id=parent.id if parent else None, is_contribution=is_contribution,
                      body_source=body, body=f"<p>{body}</p>")
    db.session.add(comment)
    db.session.flush()
    return comment


def make_meeting(call, creator: User | None = None, *, starts_at=None, modality: str = "in_person",
                 territory: str = "MX-OAX", minutes: str = "Se acordó **publicar** los datos.", theme=None,
                 title: str | None = None, published: bool = True):
    """A meeting of ``call`` that took place yesterday, with draft (unsigned) minutes, published by the
    secretariat unless ``published`` is False."""
    from datetime import timedelta

    from ogpcocreate.core.richtext import sanitize
    from ogpcocreate.meetings.models import Meeting, Modality

    meeting = Meeting(call_id=call.id, theme_id=theme.id if theme else None, title=title or f"Mesa {next(_counter)}",
                      starts_at=starts_at or utcnow() - timedelta(days=1), modality=Modality(modality),
                      place="Casa de la Cultura, Oaxaca de Juárez", territory=territory, minutes_source=minutes,
                      minutes=sanitize(minutes), created_by_id=(creator or make_user()).id,
                      published_at=utcnow() - timedelta(days=8) if published else None)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def make_document(creator: User | None = None, *, title: str | None = None, kind: str = "report", published=True,
                  data: bytes = b"%PDF-1.4\n% un documento\n%%EOF\n", filename: str = "documento.pdf", text: str | None = None,
                  call=None, meeting=None, plan=None, proposal=None, document_date=None):
    """A repository document with one version, its file in the store; published unless told otherwise."""
    from datetime import date

    from ogpcocreate.core.storage import storage
    from ogpcocreate.repository.models import Document, DocumentKind, DocumentVersion

    creator = creator or make_user()
    document = Document(title=title or f"Documento {next(_counter)}", kind=DocumentKind(kind),
                        document_date=document_date or date(2026, 3, 1), language="es", description="",
                        call=call, meeting=meeting, plan=plan, proposal=proposal, created_by_id=creator.id,
                        published_at=utcnow() if published else None)
    from ogpcocreate.repository.services import extract_text

    key = storage().put(data)
    text = extract_text(filename.rsplit(".", 1)[-1], data) if text is None else text
    document.versions.append(DocumentVersion(number=1, filename=filename, extension=filename.rsplit(".", 1)[-1],
                                             size=len(data), sha256=key, text=text, created_by_id=creator.id))
    db.session.add(document)
    db.session.flush()
    return document


# The real report the project started from (shared/seeds/), shipped with the demo.
SEED_REPORT = Path(__file__).resolve().parent.parent / "ogpcocreate" / "demo" / "data" / "informe-comision-2018-folio-670.txt"


def make_commission_report(folio: str | None = None, **overrides):
    from datetime import date

    from ogpcocreate.repository.models import CommissionReport

    values = {"folio": folio or f"F-{next(_counter)}", "report_date": date(2018, 7, 26),
              "addressee": "Mtra. Arelly Gómez González", "place": "Tiblisi, Georgia.",
              "period_from": date(2018, 7, 14), "period_to": date(2018, 7, 20), "act": "Cumbre Global de OGP",
              "objective": "Participar en la Cumbre", "activities": "1. Reunión Ministerial",
              "conclusions": "Se destacaron los esfuerzos", "results": "La participación fue vital",
              "commissioner": "DR. EBER OMAR BETANZOS TORRES", "position_key": "H11",
              "position_title": "SUBSECRETARIO DE LA FUNCIÓN PÚBLICA", "unit": "SSFP", **overrides}
    report = CommissionReport(**values)
    db.session.add(report)
    db.session.flush()
    return report


def make_pdf(text: str) -> bytes:
    """A small, valid one-page PDF whose page shows ``text`` (Latin-1, Helvetica): its words can be
    extracted like those of any real report."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
def make_adopted(call, creator: User, *, title: str | None = None, milestones=None):
    """A commitment adopted by the seats, with one published version whose round has closed."""
    from ogpcocreate.drafts.models import Adoption, Milestone

    draft = make_draft(call, creator, open_for_comments=False, title=title)
    if milestones is not None:
        version = draft.versions[0]
        for milestone in list(version.milestones):
            db.session.delete(milestone)
        db.session.flush()
        version.milestones = [Milestone(position=i, **m) for i, m in enumerate(milestones)]
    draft.adopted_via = Adoption.TRIPARTITE
    draft.adopted_at = utcnow()
    db.session.flush()
    db.session.refresh(draft)
    return draft
