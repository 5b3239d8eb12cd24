"""Form onload events that tell the desk panels (ai_school/public/js/insights/) whether to ask for anything.

The server decides: a Student form loaded by someone who may see the student's risk carries
``__onload.ai_school_risk``; a Student Group form loaded by its instructors this year or school leaders carries
``__onload.ai_school_class_health``. The panel scripts call ``ai_school.api.insights`` only then, and that API
checks again, so a user without access neither sees a panel nor gets a refused request.
"""

from ai_school.api import insights


def student_onload(doc, method=None):
	"""Student onload."""
	access = insights.risk_access(doc.name)
	if access:
		doc.set_onload("ai_school_risk", {"access": access, "can_recompute": access == "staff"})


def student_group_onload(doc, method=None):
	"""Student Group onload."""
	if insights.may_see_group(doc.name):
		doc.set_onload("ai_school_class_health", True)
