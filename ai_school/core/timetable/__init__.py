"""Framework-free school timetabling: problem model, CP-SAT solver, validator.

Only the plain-data model is imported here so that importing the package stays cheap; the solver
(which needs ortools) lives in :mod:`ai_school.core.timetable.solver`.
"""
