"""The repository's forms: a document (with its file), a new version of the file, a proposal's
attachment, the list filters, and a commission report entered or corrected by hand."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..core.forms import BaseForm, options, strip
from .commission import FIELDS
from .models import LANGUAGES, DocumentKind

FILE_HELP = _l("PDF, office document (.docx, .xlsx, .odt, .ods), image (.png, .jpg), CSV or text; at most 1.9 MB.")


class DocumentForm(BaseForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(min=3, max=200)], filters=[strip])
    kind = SelectField(_l("Type of document"), choices=options(
        (k.value, k.label) for k in DocumentKind if k is not DocumentKind.ATTACHMENT), validators=[InputRequired()])
    document_date = DateField(_l("Date of the document"), validators=[InputRequired()])
    subject = SelectField(_l("Belongs to"), choices=[], validators=[Optional()],
                          description=_l("A document of a call or meeting is public only once that call or meeting is."))
    language = SelectField(_l("Language"), choices=options(LANGUAGES.items()), default="es")
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)], filters=[strip])
    file = FileField(_l("File"), description=FILE_HELP)


class DocumentDetailsForm(DocumentForm):
    """Correcting a document's details; its file is replaced with ReplaceForm."""

    file = None


class ReplaceForm(BaseForm):
    file = FileField(_l("New version of the file"), description=FILE_HELP)


class AttachmentForm(BaseForm):
    title = StringField(_l("Title of the attachment"), validators=[InputRequired(), Length(min=3, max=200)],
                        filters=[strip])
    file = FileField(_l("File"), description=FILE_HELP)


class DocumentFilterForm(BaseForm):
    """The repository's filters: a GET form, so no CSRF token and shareable addresses."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Type"), choices=[], validators=[Optional()], filters=[strip])
    plan = SelectField(_l("Action plan"), choices=[], validators=[Optional()], filters=[strip])
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=1990, max=2100)])
    language = SelectField(_l("Language"), choices=[], validators=[Optional()], filters=[strip])

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = options([("", _l("All types")), *((k.value, k.label) for k in DocumentKind)])
        self.plan.choices = options([("", _l("All plans")), *((str(p.id), p.name) for p in plans)])
        self.language.choices = options([("", _l("Any language")), *LANGUAGES.items()])


class ReportFilterForm(BaseForm):
    class Meta:
        csrf = False

    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=1990, max=2100)])
    person = StringField(_l("Commissioner"), validators=[Optional(), Length(max=100)], filters=[strip])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=100)], filters=[strip])


class CommissionReportForm(BaseForm):
    folio = StringField(FIELDS["folio"], validators=[InputRequired(), Length(max=40)], filters=[strip])
    report_date = DateField(FIELDS["report_date"], validators=[InputRequired()])
    addressee = StringField(FIELDS["addressee"], validators=[InputRequired(), Length(max=300)], filters=[strip])
    place = StringField(FIELDS["place"], validators=[InputRequired(), Length(max=300)], filters=[strip])
    period_from = DateField(FIELDS["period_from"], validators=[InputRequired()])
    period_to = DateField(FIELDS["period_to"], validators=[InputRequired()])
    act = TextAreaField(FIELDS["act"], validators=[InputRequired(), Length(max=5000)], filters=[strip])
    objective = TextAreaField(FIELDS["objective"], validators=[InputRequired(), Length(max=20000)], filters=[strip])
    activities = TextAreaField(FIELDS["activities"], validators=[InputRequired(), Length(max=20000)], filters=[strip])
    conclusions = TextAreaField(FIELDS["conclusions"], validators=[InputRequired(), Length(max=20000)], filters=[strip])
    results = TextAreaField(FIELDS["results"], validators=[InputRequired(), Length(max=20000)], filters=[strip])
    commissioner = StringField(FIELDS["commissioner"], validators=[InputRequired(), Length(max=200)], filters=[strip])
    position_key = StringField(FIELDS["position_key"], validators=[InputRequired(), Length(max=40)], filters=[strip])
    position_title = StringField(FIELDS["position_title"], validators=[InputRequired(), Length(max=300)],
                                 filters=[strip])
    unit = StringField(FIELDS["unit"], validators=[InputRequired(), Length(max=300)], filters=[strip])
