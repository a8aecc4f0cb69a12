"""Print the permission matrix table for docs/permissions.md:
`python -m tests.security.matrix_doc`."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mhsip.settings")
django.setup()

from tests.security.test_permission_matrix import markdown_table  # noqa: E402

print(markdown_table(), end="")
