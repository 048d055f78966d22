"""E-mail headers as a strict client reads them: real mail through the loopback SMTP server, decoded
with the standard library's modern parser, must give back exactly the text that was written."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ogpcocreate.core import mailheaders
from ogpcocreate.core.outbox import OutboxMessage, queue_mail, send_due
from ogpcocreate.core.text import one_line
from ogpcocreate.extensions import db
from ogpcocreate.organisations import services as organisations

from .factories import make_organisation, make_user

SUBJECTS = [
    "Agenda pública",
    "Tu comentario fue ocultado por moderación",
    "Agenda pública de la mesa de trabajo sobre transparencia presupuestaria, contrataciones abiertas y "
    "participación ciudadana en los municipios indígenas de Oaxaca, Chiapas y Guerrero",
    "Respuesta razonada a tu propuesta «Información pública sobre adquisiciones, obra pública y "
    "subsidios agrícolas en Michoacán de Ocampo» — revisión núm. 3",
    "¿Participarás? ¡Sí! Ñandú ñoño: áéíóú ÁÉÍÓÚ üÜ çÇ — " * 4,
    "Participación" * 12,
    "Comunicación-y-coordinación-interinstitucional-para-la-rendición-de-cuentas-en-materia-de-"
    "seguridad-pública",
    "plain ascii " + "x" * 120 + " end",
    "  dos  espacios  y\ttabulación  ",
]

NAMES = ["María José Núñez Güemes", 'Pérez, "La Jefa" Ñáñez', "Ángel Ö. Ü-Çelik de la Peña y Peña Ibáñez Oñate"]


def _raw_header_lines(message) -> list[str]:
    lines = []
    for name, value in message.raw_items():
        lines.extend(f"{name}: {value}".replace("\r\n", "\n").split("\n"))
    return lines


def _assert_strict(message) -> None:
    for line in _raw_header_lines(message):
        assert len(line) <= 78, line
        assert line.isascii(), line
    body = message.get_body(preferencelist=("plain",))
    assert body.get_content_type() == "text/plain"
    assert body.get_content_charset() == "utf-8"
    assert body["Content-Transfer-Encoding"] in ("quoted-printable", "base64", "7bit")


def _send(app, subject: str, recipient: str = "ana@example.org", name: str | None = None):
    with app.test_request_context():
        user = make_user(recipient)
        queue_mail(user.email, subject, "reset_password", locale="es", recipient_name=name, user=user,
                   reset_url="http://localhost/x", minutes=120)
        db.session.commit()
    with app.app_context():
        report = send_due()
        assert (report.sent, report.failed) == (1, 0)
        return db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))


@pytest.mark.parametrize("subject", SUBJECTS)
def test_subjects_decode_to_exactly_what_was_written(app, inbox, subject):
    stored = _send(app, subject)
    [received] = inbox.messages
    expected = "[ogpcocreate] " + " ".join(subject.split())
    assert stored.subject == expected
    assert received["Subject"] == expected
    _assert_strict(received)
    assert received["Message-ID"] == stored.message_id
    assert received["Date"].datetime is not None


@pytest.mark.parametrize("name", NAMES)
def test_recipient_display_names_with_accents(app, inbox, name):
    _send(app, "Agenda pública", recipient="maria@example.org", name=name)
    [received] = inbox.messages
    [address] = received["To"].addresses
    assert (address.display_name, address.addr_spec) == (name, "maria@example.org")
    _assert_strict(received)
    assert inbox.to("maria@example.org")


def test_sender_display_name_with_accents(app_config, make_app, inbox):
    app = make_app({**app_config, "MAIL_DEFAULT_SENDER": "Plataforma de Cocreación Pública <no-reply@example.org>"})
    _send(app, "Agenda pública")
    [received] = inbox.messages
    [sender] = received["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Plataforma de Cocreación Pública", "no-reply@example.org")
    _assert_strict(received)


def test_the_body_is_utf8_and_decodes_exactly(app, inbox):
    stored = _send(app, "Agenda pública")
    [received] = inbox.messages
    assert "contraseña" in stored.body_text
    assert inbox.body(received).replace("\r\n", "\n").rstrip("\n") == stored.body_text.rstrip("\n")


def test_a_stored_subject_with_line_breaks_is_sent_on_one_line(app, inbox):
    """A value stored before forms refused line breaks must not make the message unsendable."""
    with app.app_context():
        db.session.add(OutboxMessage(recipient="ana@example.org", subject="Hola\r\nBcc: intruso@example.org\x07\u202e",
                                     body_text="Cuerpo\n", message_id="<fixed-1@example.org>"))
        db.session.commit()
        assert send_due().sent == 1
    [received] = inbox.messages
    assert received["Subject"] == "Hola Bcc: intruso@example.org"
    assert received["Bcc"] is None
    _assert_strict(received)


def test_an_invitation_to_an_organisation_with_a_long_accented_name(app, inbox):
    name = ("Colectivo Ciudadano por la Transparencia, la Rendición de Cuentas y la Participación "
            "Pública en Michoacán de Ocampo, Asociación Civil")
    with app.test_request_context():
        admin = make_user("admin@example.org", locale="es")
        org = make_organisation(admin, name=name)
        organisations.invite(admin, org, "invitada@example.org")
        db.session.commit()
    with app.app_context():
        assert send_due().sent == 1
        stored = db.session.scalar(select(OutboxMessage))
    [received] = inbox.to("invitada@example.org")
    assert name in received["Subject"]
    assert received["Subject"] == stored.subject
    _assert_strict(received)
    assert name in inbox.body(received)


def _parse(header: str, raw: str):
    from email import message_from_bytes, policy

    return message_from_bytes(f"{header}: {raw}\r\n\r\nx".encode("ascii"), policy=policy.default)


LINE_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn")), max_size=300)


@settings(max_examples=300, deadline=None)
@given(LINE_TEXT)
@example("x" * 69)
@example("x" * 70)
@example("x" * 77)
@example("a " + "x" * 77)
@example("a " + "x" * 78)
@example("=?utf-8?q?hola?=")
def test_any_subject_round_trips(text):
    text = one_line(text)
    raw = mailheaders.unstructured("Subject", text)
    message = _parse("Subject", raw)
    assert message["Subject"] == text
    for line in f"Subject: {raw}".split("\r\n"):
        assert len(line) <= 78 and line.isascii(), line


@settings(max_examples=300, deadline=None)
@given(LINE_TEXT)
@example("x" * 74)
@example("x" * 75)
@example("Ana " + "x" * 80)
@example("=?utf-8?q?hola?=")
def test_any_display_name_round_trips_or_is_left_out(name):
    name = one_line(name)
    raw = mailheaders.mailbox("To", name, "maria@example.org")
    [address] = _parse("To", raw)["To"].addresses
    assert address.addr_spec == "maria@example.org"
    assert address.display_name in (name, "")
    for line in f"To: {raw}".split("\r\n"):
        assert len(line) <= 78 and line.isascii(), line


def test_a_display_name_too_long_to_encode_unambiguously_is_left_out():
    name = "Ñáñez-Núñez-Güemes-Íñiguez-Oñate-Peña-Álvarez"
    assert mailheaders.mailbox("To", name, "a@example.org") == "a@example.org"
    assert _parse("To", mailheaders.mailbox("To", "Ñáñez Núñez", "a@example.org"))["To"].addresses[0].display_name == "Ñáñez Núñez"
