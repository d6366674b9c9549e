from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.template.loader import render_to_string
from django.utils import timezone

from builders import services
from builders.models import ClaimMethod, Correction
from builders.services import EDITABLE_FIELDS
from builders.verifiers import VERIFIERS
from catalog.forms import LinesField
from catalog.models import Artifact, Kind, capability_title_key
from catalog.models import ClaimStatus as ListingClaimStatus


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        help_text="We send a link to confirm it; claims and notices go there.", max_length=254
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this address exists; log in instead.")
        return email


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, its email sent by our Celery task like every other one."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        services.email_queue(
            to=to_email,
            subject=render_to_string(subject_template_name, context),
            body=render_to_string(email_template_name, context),
        )


class ClaimForm(forms.Form):
    method = forms.ChoiceField(widget=forms.RadioSelect, label="How will you prove it?")
    email = forms.EmailField(
        required=False, max_length=254, label="Your address at the homepage's domain"
    )
    evidence = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What should a curator check?",
        help_text="Links to a profile, a commit, a page that names you.",
    )

    def __init__(self, *args, artifact: Artifact, **kwargs):
        super().__init__(*args, **kwargs)
        # With a verified builder already, only a curator can hand the listing over.
        has_owner = artifact.claim_status == ListingClaimStatus.VERIFIED
        self.fields["method"].choices = [
            (key, verifier.label)
            for key, verifier in VERIFIERS.items()
            if verifier.applies_to(artifact) and (key == ClaimMethod.CURATOR or not has_owner)
        ]

    def clean(self):
        data = super().clean()
        method = data.get("method")
        if method == ClaimMethod.EMAIL and not data.get("email"):
            self.add_error("email", "Give the address the link should go to.")
        if method == ClaimMethod.CURATOR and not (data.get("evidence") or "").strip():
            self.add_error("evidence", "Tell the curators how to confirm you build it.")
        return data


class ListingEditForm(forms.ModelForm):
    """What a verified builder may change. Links, categories, modalities, details and dates
    are not here: the rank reads whether they are present (`ranking.scoring.LISTING_FIELDS`),
    and a homepage decides who can claim. Lists here may change but not become empty or
    filled, for the same reason (`builders.services.listing_edit`)."""

    best_for = LinesField(label="Best for")
    limitations = LinesField(label="Known limitations")
    requirements = LinesField(label="Requirements")

    class Meta:
        model = Artifact
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "about": forms.Textarea(attrs={"rows": 10}),
        }


class CorrectionForm(forms.ModelForm):
    source_url = forms.URLField(max_length=500, assume_scheme="https", label="Where is that shown?")

    class Meta:
        model = Correction
        fields = ["field", "value", "source_url"]
        labels = {
            "field": "What is wrong?",
            "value": "What should it say?",
        }
        widgets = {"value": forms.Textarea(attrs={"rows": 3})}


class SubmissionForm(forms.Form):
    """The import format's main fields. Checked by the importer's own validation (in
    `builders.services.submission_read`), so only their shape is declared here."""

    name = forms.CharField()
    kind = forms.ChoiceField(choices=Kind.choices)
    organization = forms.CharField(required=False)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    homepage = forms.CharField(required=False, label="Homepage link")
    repository_url = forms.CharField(required=False, label="Source repository link")
    docs_url = forms.CharField(required=False, label="Documentation link")
    license = forms.CharField(required=False)


class CapabilityForm(forms.Form):
    """One capability's words; its confidence stays with the curators."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(max_length=300)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    unique_angle = forms.CharField(
        required=False, label="What is unique about it", widget=forms.Textarea(attrs={"rows": 2})
    )
    vs_alternatives = forms.CharField(
        required=False, label="Compared with alternatives", widget=forms.Textarea(attrs={"rows": 2})
    )


class KeptRowsFormSet(forms.BaseFormSet):
    def kept(self) -> list[dict]:
        """The rows that stay: filled in and not marked for removal."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


class BaseCapabilityFormSet(KeptRowsFormSet):
    def clean(self):
        """Titles tell capabilities apart (`catalog.models.capability_title_key`)."""
        if any(self.errors):
            return
        keys = [capability_title_key(row["title"]) for row in self.kept()]
        if len(keys) != len(set(keys)):
            raise forms.ValidationError("Two capabilities have the same title.")


CapabilityFormSet = forms.formset_factory(
    CapabilityForm, formset=BaseCapabilityFormSet, extra=1, can_delete=True, max_num=100
)


class PlanForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=200)
    price = forms.DecimalField(max_digits=24, decimal_places=12, min_value=0)
    currency = forms.CharField(max_length=3, min_length=3, initial="USD")
    unit = forms.CharField(max_length=100, help_text="What the price buys: month, 1M tokens…")

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()


PlanFormSet = forms.formset_factory(
    PlanForm, formset=KeptRowsFormSet, extra=1, can_delete=True, max_num=50
)


class PricesAsOfForm(forms.Form):
    """Prices change: every pricing edit says on which day these were the prices."""

    as_of = forms.DateField(
        label="These are the prices as of",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day you read them on your pricing page.",
    )

    def clean_as_of(self):
        as_of = self.cleaned_data["as_of"]
        if as_of > timezone.localdate():
            raise forms.ValidationError("Give a day that has come: today or earlier.")
        return as_of
