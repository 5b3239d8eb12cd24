"""Framework-free school timetabling: problem model, CP-SAT solver, validator.

Modules (import the one you need; only the solver's modules and ``explain.explain_infeasible`` load
ortools):

* :mod:`~ai_school.core.timetable.model` — plain-data ``Problem``, entities, typed constraints,
  ``Assignment``, ``Solution``, ``Report``; ``to_dict``/``from_dict`` JSON round-trip.
* :mod:`~ai_school.core.timetable.validator` — ``validate(problem, assignments) -> Report``: every
  hard violation and the weighted soft cost of any timetable; defines the semantics.
* :mod:`~ai_school.core.timetable.solver` — ``solve(problem, *, time_limit, num_workers, seed,
  hint, progress, minimize_moves, two_phase, memory_mb) -> Solution``: the orchestration. It uses
  :mod:`~ai_school.core.timetable.encoding` (``TimetableModel``, the CP-SAT model;
  :mod:`~ai_school.core.timetable.encoding_constraints` encodes each constraint type),
  :mod:`~ai_school.core.timetable.first_timetable` (ejection search and CP-SAT searches racing for a
  first timetable), :mod:`~ai_school.core.timetable.memory` (memory budget and guard) and
  :mod:`~ai_school.core.timetable.cpsat_solvers` (CP-SAT solver settings).
* :mod:`~ai_school.core.timetable.ejection` — FET-style ejection search for a first timetable.
* :mod:`~ai_school.core.timetable.explain` — ``precheck(problem)`` (counting arguments) and
  ``explain_infeasible(problem)`` (assumption-based core) in a timetabler's words.
* :mod:`~ai_school.core.timetable.synthetic` — seeded ``synthetic_school(...)`` generator.
* :mod:`~ai_school.core.timetable.rules` — derived facts shared by the three above.
"""
