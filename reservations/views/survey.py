"""The satisfaction survey a visit's receipt links to (QR code or e-mail): no login, the
link's token is the key to that one visit's survey."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from organization.http import NotFound
from reservations import services
from reservations.forms import SurveyForm
from reservations.models import Visit
from reservations.ratelimit import rate_limited


@require_http_methods(["GET", "POST"])
@never_cache
@rate_limited("survey", methods=("POST",))
@rate_limited("manage", methods=("GET",))
def survey(request, token: str):
    """The satisfaction survey, opened from the receipt's QR code or the e-mailed link.
    No login: the link's token (128 random bits) is the key to this one visit's survey."""
    visit = (
        Visit.objects.filter(survey_token=token)
        .select_related("procedure", "survey_answer")
        .first()
    )
    if visit is None:
        raise NotFound(_("This survey link is not valid."))
    state = services.survey_state(visit)
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and state == "open" and form.is_valid():
        try:
            services.survey_answer_submit(
                visit=visit, language=request.LANGUAGE_CODE, **form.cleaned_data
            )
        except services.SurveyClosed:
            state = "answered"
        else:
            return redirect("reservations:survey_thanks", token=token)
    status = 200
    if request.method == "POST":
        status = 400 if state == "open" else 409
    return render(
        request,
        "reservations/counter/survey.html",
        {"visit": visit, "form": form, "state": state, "days": settings.SURVEY_OPEN_DAYS},
        status=status,
    )


@require_GET
@rate_limited("manage")
def survey_thanks(request, token: str):
    visit = Visit.objects.filter(survey_token=token).select_related("procedure").first()
    if visit is None:
        raise NotFound(_("This survey link is not valid."))
    return render(request, "reservations/counter/survey_thanks.html", {"visit": visit})
