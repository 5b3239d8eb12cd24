"""Guardian doc_events."""

from ai_school.install import grant_guardian_role


def grant_portal_role(doc, method=None):
	"""Education lets staff link a portal user to a Guardian but gives that user no role, and without the
	Guardian role the parent would see nothing of their wards; install-time granting covers only the
	guardians that existed then."""
	if doc.user and doc.has_value_changed("user"):
		grant_guardian_role([doc.user])
