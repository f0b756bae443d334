from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Issuance records (CSV)"),
        help_text=_("UTF-8 or Shift_JIS; the columns are listed below."),
    )

    @staticmethod
    def too_large_message() -> str:
        return gettext("The file is larger than %(size)s MB. Please split it.") % {
            "size": settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(self.too_large_message())
        return upload
