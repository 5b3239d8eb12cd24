"""Index the Education link fields the app looks records up by (ai_school.install.LOOKUP_INDEXES)."""

from ai_school.install import index_lookup_fields


def execute():
	index_lookup_fields()
