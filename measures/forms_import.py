"""The upload form of a file of weekly returns (the import pages, views_import.py)."""

from django import forms

from mhsip.text import find_patient_identifier

from .importing import MAX_BYTES


class ReturnImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV or Excel (.xlsx) file",
        help_text="One row per ward and week, in the format of the template. Up to 50,000 rows.",
        error_messages={
            "required": "Select a CSV or Excel file to upload",
            "empty": "The selected file is empty",
        },
    )
    snap_to_monday = forms.BooleanField(
        label="Move dates that are not Mondays to the Monday of their week",
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refused before anything is read into memory or stored.
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it into "
                "smaller files (at most 50,000 rows each)"
            )
        name = (upload.name or "upload").replace("\x00", "")[:255]
        if find_patient_identifier(name):
            raise forms.ValidationError(
                "The file name looks like it holds an NHS number: rename the file (the name is "
                "kept in the history of every change it makes)"
            )
        upload.clean_name = name
        return upload
