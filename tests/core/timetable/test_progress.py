"""Progress events agree with the solution they lead to."""

from ai_school.core.timetable.model import Lesson, MinDaysPerWeek, Problem, StudentSet, Teacher
from ai_school.core.timetable.solver import solve


def test_progress_objective_counts_costs_the_data_already_decides():
	# three teachers with no lessons can't meet "at least one day a week": a fixed cost with no variable,
	# which CP-SAT leaves out of its objective (found by the property test in test_solver)
	rule = MinDaysPerWeek(weight=95, resource="teacher", min_days=1)
	problem = Problem(
		days=["Mon", "Tue"],
		periods_per_day=4,
		teachers=[Teacher(f"t{i}", f"T{i}") for i in range(3)],
		student_sets=[StudentSet("a", "7A")],
		lessons=[Lesson("l0", "Maths", [], ["a"]), Lesson("l1", "Maths", [], ["a"])],
		constraints=[rule],
	)
	events = []
	solution = solve(problem, time_limit=10, num_workers=1, progress=events.append)
	assert solution.status == "OPTIMAL" and solution.objective == 3 * rule.penalty
	optimised = [e["objective"] for e in events if e["phase"] == "optimise"]
	assert optimised and optimised[-1] == solution.objective
