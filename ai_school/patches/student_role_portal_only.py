"""Existing sites: the Student role loses desk access and its portal-only users become Website Users.

Sites that installed the app before this was part of `after_install` (which a fresh install runs instead:
installing marks every patch as done)."""

from ai_school.install import make_student_role_portal_only


def execute():
	make_student_role_portal_only()
