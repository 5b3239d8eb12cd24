"""AI tutor core (no frappe): the integrity guard and the pieces it is built from.

Public API in ``ai_school.core.tutor.guard``: ``classify``, ``decide_mode``, ``in_assessment_window``,
``post_check``, ``check`` and the ``python -m ai_school.core.tutor.guard`` command line.
"""
