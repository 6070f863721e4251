"""The assessment form; Flask-WTF adds the CSRF token. Choices are checked here against the chosen framework."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from learning.assessments.services import DOMAIN_LABELS, DOMAINS, RATINGS, NewAssessment, is_domain_of
from learning.environments.models import Framework

RATIONALE_MIN, RATIONALE_MAX = 10, 2000
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tabs and line breaks are plain text
GROUPS = {Framework.NASSS: _l("NASSS domains"), Framework.CFIR: _l("CFIR constructs")}


def _plain_text(value: str | None) -> str | None:
    """Strip the text and count a browser's CRLF line break as one character."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def _domain_choices() -> list[SelectChoice]:
    choices = [SelectChoice("", _l("Choose a domain or construct"))]
    for framework, domains in DOMAINS.items():
        choices += [SelectChoice(d, DOMAIN_LABELS[d], optgroup=GROUPS[framework]) for d in domains]
    return choices


class AssessmentForm(FlaskForm):
    """One NASSS domain or CFIR construct rated, with a rationale, a role and a date."""

    framework = RadioField(
        _l("Framework"),
        choices=[SelectChoice(f.value, f.value) for f in Framework],
        validate_choice=False,  # checked in validate_framework, with one clear message
        validators=[InputRequired(_l("Choose NASSS or CFIR."))],
    )
    domain = SelectField(
        _l("Domain (NASSS) or construct (CFIR)"),
        choices=_domain_choices(),
        validate_choice=False,
        validators=[InputRequired(_l("Choose a domain or construct."))],
    )
    rating = RadioField(
        _l("Rating"),
        choices=[SelectChoice(r.code, r.label) for ratings in RATINGS.values() for r in ratings.values()],
        validate_choice=False,
        validators=[InputRequired(_l("Choose a rating."))],
    )
    rationale = TextAreaField(
        _l("Rationale: why this rating? (%(min)d to %(max)d characters)", min=RATIONALE_MIN, max=RATIONALE_MAX),
        filters=[_plain_text],
        validators=[
            DataRequired(_l("Write why you chose this rating.")),
            Length(RATIONALE_MIN, RATIONALE_MAX, _l("Write between %(min)d and %(max)d characters.")),
        ],
    )
    assessed_by_role = SelectField(
        _l("Assessed by (role)"), validate_choice=False, validators=[InputRequired(_l("Choose a role."))]
    )
    assessed_on = DateField(_l("Date of the assessment"), invalid_value_message=_l("Enter a date as YYYY-MM-DD."))

    def __init__(self, *, roles: dict[str, str], earliest: date, latest: date, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.assessed_by_role.choices = [SelectChoice("", _l("Choose a role"))] + [
            SelectChoice(code, label) for code, label in roles.items()
        ]
        self.earliest, self.latest = earliest, latest

    def chosen_framework(self) -> Framework | None:
        """Return the framework the form names, or None when it names none."""
        return Framework(self.framework.data) if self.framework.data in set(Framework) else None

    def validate_framework(self, field: Field) -> None:
        if self.chosen_framework() is None:
            raise ValidationError(_l("Choose NASSS or CFIR."))

    def validate_domain(self, field: Field) -> None:
        framework = self.chosen_framework()
        if not any(field.data in domains for domains in DOMAINS.values()):
            raise ValidationError(_l("Choose a domain or construct from the list."))
        if framework is not None and not is_domain_of(framework, field.data):
            message = _l("This is not a %(framework)s domain: choose one under %(framework)s.", framework=framework)
            raise ValidationError(message)

    def validate_rating(self, field: Field) -> None:
        framework = self.chosen_framework()
        if framework is Framework.NASSS and field.data not in RATINGS[framework]:
            raise ValidationError(_l("A NASSS rating is simple, complicated or complex."))
        if framework is Framework.CFIR and field.data not in RATINGS[framework]:
            raise ValidationError(_l("A CFIR rating is a whole number from \u22122 to +2."))

    def validate_rationale(self, field: Field) -> None:
        if CONTROL_CHARACTERS.search(field.data or ""):
            raise ValidationError(_l("Use plain text only."))

    def validate_assessed_by_role(self, field: Field) -> None:
        if field.data not in {choice.value for choice in field.choices if choice.value}:
            raise ValidationError(_l("Choose a role from the list."))

    def validate_assessed_on(self, field: Field) -> None:
        if field.data is None:
            if not field.errors:  # a date that could not be read has said so already
                raise ValidationError(_l("Enter the date of the assessment."))
        elif field.data > self.latest:
            raise ValidationError(_l("The date cannot be in the future."))
        elif field.data < self.earliest:
            earliest = self.earliest.isoformat()
            raise ValidationError(
                _l("The date cannot be before %(date)s, a year before the programme started.", date=earliest)
            )

    def to_assessment(self) -> NewAssessment:
        """Return the validated fields; call only after validate_on_submit()."""
        framework = self.chosen_framework()
        if framework is None or self.assessed_on.data is None:
            raise ValueError("the form has not been validated")
        return NewAssessment(
            framework=framework,
            domain=self.domain.data,
            rating=self.rating.data,
            rationale=self.rationale.data or "",
            assessed_by_role=self.assessed_by_role.data,
            assessed_on=self.assessed_on.data,
        )
