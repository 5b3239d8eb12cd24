import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from ai_school.core.timetable.encoding import TimetableModel
from ai_school.core.timetable.model import (
	Assignment,
	Consecutive,
	EarlyMaxBeginningsAtSecondHour,
	EndsStudentsDay,
	Grouped,
	HomeRooms,
	IntervalMaxDaysPerWeek,
	Lesson,
	MaxBuildingChanges,
	MaxDaysBetween,
	MaxDaysPerWeek,
	MaxGaps,
	MaxHoursContinuously,
	MaxHoursDaily,
	MaxLessonsPerDay,
	MaxSimultaneous,
	MaxSpanPerDay,
	MinDaysBetween,
	MinDaysPerWeek,
	MinGapsBetween,
	MinGapsBetweenBuildingChanges,
	MinGapsBetweenOrderedTags,
	MinHoursDaily,
	MinRestingHours,
	NotOverlapping,
	OccupyMaxRooms,
	OccupyMaxSlots,
	Ordered,
	OrderedIfSameDay,
	PreferredRooms,
	PreferredStartingTimes,
	PreferredTimeSlots,
	Problem,
	Room,
	SameRoomIfConsecutive,
	SameStartingDay,
	SameStartingHour,
	SameStartingTime,
	StudentSet,
	Teacher,
	UnavailableTimes,
)
from ai_school.core.timetable.solver import solve
from ai_school.core.timetable.synthetic import synthetic_school
from ai_school.core.timetable.validator import validate


def one_day(lessons, constraints=(), periods=4, **kwargs) -> Problem:
	return Problem(
		days=["Mon"],
		periods_per_day=periods,
		teachers=[Teacher("t", "Smith"), Teacher("u", "Jones")],
		student_sets=[StudentSet("a", "7A"), StudentSet("b", "7B")],
		lessons=lessons,
		constraints=list(constraints),
		**kwargs,
	)


def test_known_optimum_one_unavoidable_gap():
	# 3-period day. Smith teaches 7A at P1 (fixed) and 7B, who has Art at P2: so 7B's maths is at
	# P3 and Smith has exactly one gap.
	lessons = [
		Lesson("a1", "Maths", ["t"], ["a"], fixed_start=(0, 0)),
		Lesson("b1", "Maths", ["t"], ["b"]),
		Lesson("b2", "Art", ["u"], ["b"], fixed_start=(0, 1)),
	]
	gaps = MaxGaps(weight=50, resource="teacher", ids=["t"], max_gaps=0)
	solution = solve(one_day(lessons, [gaps], periods=3), time_limit=5, num_workers=1)
	assert solution.status == "OPTIMAL"
	assert solution.objective == 10 and solution.best_bound == 10
	assert solution.assignments["b1"].start == (0, 2)
	assert solution.report.breakdown == {"MaxGaps (t)": 10}


def test_known_optimum_no_gap_when_avoidable():
	lessons = [
		Lesson("a1", "Maths", ["t"], ["a"], fixed_start=(0, 0)),
		Lesson("b1", "Maths", ["t"], ["b"]),
		Lesson("b2", "Art", ["u"], ["b"], allowed_starts=frozenset({(0, 2), (0, 3)})),
	]
	problem = one_day(lessons, [MaxGaps(weight=50, resource="teacher", max_gaps=0)])
	solution = solve(problem, time_limit=5, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.objective == 0
	assert solution.assignments["b1"].start == (0, 1)


def test_rooms_are_assigned_from_pools_and_preferences():
	rooms = [
		Room("lab1", capacity=25, kind="lab"),
		Room("lab2", capacity=25, kind="lab"),
		Room("big", capacity=40),
		Room("small", capacity=10),
	]
	lessons = [
		Lesson("c1", "Chem", ["t"], ["a"], room_kind="lab"),
		Lesson("c2", "Chem", ["u"], ["b"], room_kind="lab"),
		Lesson("p1", "PE", [], ["a"], needs_room=True, student_count=30),
		Lesson("h1", "History", ["u"], ["a"]),
	]
	wishes = [PreferredRooms(weight=90, lessons=["h1"], rooms=["small"])]
	problem = one_day(lessons, wishes, rooms=rooms, periods=3)
	solution = solve(problem, time_limit=5, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.report.is_valid
	rooms_of = {le: a.room for le, a in solution.assignments.items()}
	assert {rooms_of["c1"], rooms_of["c2"]} <= {"lab1", "lab2"}
	assert rooms_of["p1"] == "big" and rooms_of["h1"] == "small"


def test_lessons_with_only_soft_room_wishes_may_go_roomless():
	# Three classes at the single period, two wished rooms: one lesson must do without (regression:
	# optional-room lessons were counted in the room-pool cut, making this "infeasible").
	problem = Problem(
		days=["Mon"],
		periods_per_day=1,
		student_sets=[StudentSet(f"s{i}") for i in range(3)],
		rooms=[Room("r1"), Room("r2")],
		lessons=[Lesson(f"l{i}", "Music", [], [f"s{i}"]) for i in range(3)],
		constraints=[PreferredRooms(weight=50, lessons=["l0", "l1", "l2"], rooms=["r1", "r2"])],
	)
	solution = solve(problem, time_limit=5, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.report.is_valid
	assert solution.objective == 10
	assert sorted(str(a.room) for a in solution.assignments.values()) == ["None", "r1", "r2"]


@pytest.mark.parametrize("workers", [1, 2])
def test_infeasible_problem_reports_status_and_reasons(workers):
	# With 2 workers the systematic search must win the race against local search, which never ends.
	# Both teachers must teach both classes in a 2-period day, and Smith's lessons start together.
	lessons = [
		Lesson("a1", "Maths", ["t"], ["a"]),
		Lesson("b1", "Maths", ["t"], ["b"]),
		Lesson("a2", "Art", ["u"], ["a"]),
		Lesson("b2", "Art", ["u"], ["b"]),
	]
	problem = one_day(lessons, [SameStartingTime(lessons=["a1", "b1"], name="Maths together")], periods=2)
	solution = solve(problem, time_limit=5, num_workers=workers)
	assert solution.status == "INFEASIBLE" and not solution.assignments
	text = "\n".join(solution.explanation)
	assert "Maths together" in text and "Teacher Smith: one lesson at a time" in text


def test_room_gap_constraints_are_reported_as_model_invalid():
	problem = one_day([Lesson("a1", "Maths", ["t"], ["a"])], [MaxGaps(resource="room")])
	solution = solve(problem, time_limit=2)
	assert solution.status == "MODEL_INVALID" and "not supported for rooms" in solution.explanation[0]


def split_activity_week() -> Problem:
	"""Maths 3 × per week on different days (interchangeable lessons); Art is ordered after m3."""
	lessons = [Lesson(f"m{i}", "Maths", ["t"], ["a"]) for i in (1, 2, 3)] + [
		Lesson("art", "Art", ["t"], ["a"])
	]
	constraints = [MinDaysBetween(lessons=["m1", "m2", "m3"]), Ordered(first="m3", second="art")]
	return Problem(
		days=["Mon", "Tue", "Wed", "Thu", "Fri"],
		periods_per_day=2,
		teachers=[Teacher("t")],
		student_sets=[StudentSet("a")],
		lessons=lessons,
		constraints=constraints,
	)


def test_interchangeable_lessons_are_ordered_by_day_unless_hinted():
	problem = split_activity_week()
	solution = solve(problem, time_limit=5, num_workers=1)
	assert solution.report.is_valid
	# m3 is told apart by the Ordered constraint, so only m1 and m2 are interchangeable.
	assert solution.assignments["m1"].day < solution.assignments["m2"].day
	# Reversed in the hint: the ordering would force moves, so hinted lessons are left unordered.
	hint = {f"m{i}": Assignment(f"m{i}", 4 - i, 0) for i in (1, 2, 3)} | {"art": Assignment("art", 4, 0)}
	again = solve(problem, time_limit=5, num_workers=2, hint=hint, minimize_moves=10)
	assert again.report.is_valid and again.moved == 0


def small_school(seed=0) -> Problem:
	return synthetic_school(6, 12, 6, 20, days=5, seed=seed, with_preferences=False)


def test_progress_reports_first_solution_and_objective():
	events = []
	solution = solve(
		synthetic_school(4, 8, 6, 20, seed=1), time_limit=5, num_workers=2, progress=events.append
	)
	assert solution.found and solution.report.is_valid
	assert events and events[0]["first_solution_at"] == solution.time_to_first_solution
	assert {e["phase"] for e in events} <= {"feasibility", "optimise"}
	assert 0 < solution.time_to_first_solution <= solution.wall_time


def test_deterministic_with_one_worker_and_a_seed():
	problem = synthetic_school(4, 8, 6, 20, seed=3)
	first = solve(problem, time_limit=20, num_workers=1, seed=7)
	second = solve(problem, time_limit=20, num_workers=1, seed=7)
	assert first.found and first.assignments == second.assignments and first.objective == second.objective


def teaching_slot(solution, lesson: Lesson):
	start = solution.assignments[lesson.id].start
	return (start[0], start[1])


def test_warm_start_after_small_change_moves_few_lessons():
	problem = small_school()
	before = solve(problem, time_limit=10, num_workers=2)
	assert before.found
	# The teacher of the first lesson becomes unavailable when that lesson is taught.
	lesson = problem.lessons[0]
	changed = dataclasses.replace(problem, teachers=[dataclasses.replace(t) for t in problem.teachers])
	teacher = next(t for t in changed.teachers if t.id == lesson.teachers[0])
	teacher.unavailable = teacher.unavailable | set(changed.occupied(lesson, teaching_slot(before, lesson)))
	after = solve(changed, time_limit=10, num_workers=2, hint=before.assignments, minimize_moves=100)
	assert after.found and after.report.is_valid
	assert 1 <= after.moved <= 6
	assert after.objective == 100 * after.moved


def test_locked_lessons_stay_put():
	problem = small_school(seed=2)
	before = solve(problem, time_limit=10, num_workers=2)
	assert before.found
	locked = [le.id for le in problem.lessons[::7]]
	relocked = dataclasses.replace(
		problem, lessons=[dataclasses.replace(le, locked=le.id in locked) for le in problem.lessons]
	)
	after = solve(relocked, time_limit=10, num_workers=2, hint=before.assignments, seed=5)
	assert after.found and after.report.is_valid
	for lesson_id in locked:
		assert after.assignments[lesson_id] == before.assignments[lesson_id]


# --- property tests -------------------------------------------------------------------------------


@st.composite
def random_problems(draw) -> Problem:
	days = draw(st.integers(2, 3))
	periods = draw(st.integers(4, 5))
	breaks = frozenset((d, 2) for d in range(days)) if draw(st.booleans()) else frozenset()
	grid = [(d, p) for d in range(days) for p in range(periods)]
	teachers = [
		Teacher(f"t{i}", unavailable=frozenset(draw(st.lists(st.sampled_from(grid), max_size=2))))
		for i in range(3)
	]
	sets = [StudentSet(f"s{i}", size=draw(st.integers(10, 30))) for i in range(3)]
	rooms = [Room("lab", kind="lab", building="B")] if draw(st.booleans()) else []
	rooms += [
		Room(
			f"r{i}",
			capacity=draw(st.sampled_from([20, 35])),
			building=draw(st.sampled_from([None, "A", "B"])),
		)
		for i in range(draw(st.integers(0, 2)))
	]
	lessons = []
	for i in range(draw(st.integers(3, 8))):
		lessons.append(
			Lesson(
				f"l{i}",
				subject=draw(st.sampled_from(["Maths", "Art"])),
				teachers=draw(st.lists(st.sampled_from([t.id for t in teachers]), max_size=1, unique=True)),
				student_sets=draw(
					st.lists(st.sampled_from([s.id for s in sets]), min_size=1, max_size=2, unique=True)
				),
				duration=draw(st.sampled_from([1, 1, 2])),
				room_kind="lab" if rooms and rooms[0].kind and draw(st.booleans()) else None,
				tags=draw(st.lists(st.sampled_from(["x", "y"]), max_size=2, unique=True)),
			)
		)
	ids = [le.id for le in lessons]
	weight = st.sampled_from([100, 95, 50])
	pair = st.lists(st.sampled_from(ids), min_size=2, max_size=3, unique=True)
	slots = st.frozensets(st.sampled_from(grid), min_size=3)
	resource = st.sampled_from(["teacher", "students"])
	menu = [
		st.builds(
			MinDaysBetween,
			weight=weight,
			lessons=pair,
			min_days=st.integers(1, 2),
			consecutive_if_same_day=st.booleans(),
		),
		st.builds(
			MaxGaps,
			weight=weight,
			resource=resource,
			max_gaps=st.integers(0, 1),
			per=st.sampled_from(["day", "week"]),
		),
		st.builds(MaxHoursDaily, weight=weight, resource=resource, max_hours=st.integers(2, 4)),
		st.builds(
			MinHoursDaily,
			weight=weight,
			resource=resource,
			min_hours=st.integers(1, 2),
			allow_empty_days=st.booleans(),
		),
		st.builds(MaxDaysPerWeek, weight=weight, resource=resource, max_days=st.integers(days - 1, days)),
		st.builds(EarlyMaxBeginningsAtSecondHour, weight=weight, max_beginnings=st.integers(0, 1)),
		st.builds(MaxLessonsPerDay, weight=weight, lessons=pair, max_per_day=st.integers(1, 2)),
		st.builds(PreferredStartingTimes, weight=weight, lessons=pair, starts=slots),
		st.builds(PreferredTimeSlots, weight=weight, lessons=pair, slots=slots),
		st.builds(SameStartingTime, weight=weight, lessons=pair),
		st.builds(NotOverlapping, weight=weight, lessons=pair),
		st.builds(
			Consecutive,
			weight=weight,
			first=st.sampled_from(ids),
			second=st.sampled_from(ids),
		),
		st.builds(Ordered, weight=weight, first=st.sampled_from(ids), second=st.sampled_from(ids)),
		st.builds(Grouped, weight=weight, lessons=pair),
		st.builds(UnavailableTimes, weight=weight, resource=resource, slots=slots),
		st.builds(MinDaysPerWeek, weight=weight, resource=resource, min_days=st.integers(1, 2)),
		st.builds(
			IntervalMaxDaysPerWeek,
			weight=weight,
			resource=resource,
			start_period=st.just(periods - 2),
			end_period=st.just(periods),
			max_days=st.integers(0, 1),
		),
		st.builds(MaxHoursContinuously, weight=weight, resource=resource, max_hours=st.integers(1, 2)),
		st.builds(MaxDaysBetween, weight=weight, lessons=pair, max_days=st.integers(0, 1)),
		st.builds(MinGapsBetween, weight=weight, lessons=pair, min_gaps=st.integers(1, 2)),
		st.builds(EndsStudentsDay, weight=weight, lessons=pair),
		st.builds(SameStartingDay, weight=weight, lessons=pair),
		st.builds(SameStartingHour, weight=weight, lessons=pair),
		st.builds(
			MaxSpanPerDay,
			weight=weight,
			resource=resource,
			max_span=st.integers(1, periods - 1),
			allow_one_day_exception=st.booleans(),
		),
		st.builds(
			MinRestingHours,
			weight=weight,
			resource=resource,
			min_hours=st.integers(1, 3),
			circular=st.booleans(),
		),
	]
	if rooms:
		room_ids = st.lists(st.sampled_from([r.id for r in rooms]), min_size=1, unique=True)
		menu.append(
			st.builds(
				MaxBuildingChanges,
				weight=weight,
				resource=resource,
				max_changes=st.integers(0, 1),
				per=st.sampled_from(["day", "week"]),
			)
		)
		menu.append(
			st.builds(
				MinGapsBetweenBuildingChanges, weight=weight, resource=resource, min_gaps=st.integers(1, 2)
			)
		)
		menu.append(
			st.builds(
				HomeRooms,
				weight=weight,
				ids=st.lists(st.sampled_from([s.id for s in sets]), max_size=2, unique=True),
				rooms=room_ids,
			)
		)
		menu.append(
			st.builds(
				PreferredRooms,
				weight=weight,
				lessons=pair,
				rooms=st.lists(st.sampled_from([r.id for r in rooms]), min_size=1, unique=True),
			)
		)
	constraints = draw(st.lists(st.one_of(menu), max_size=4))
	constraints = [c for c in constraints if not (hasattr(c, "first") and c.first == c.second)]
	return Problem(
		days=[f"D{d}" for d in range(days)],
		periods_per_day=periods,
		breaks=breaks,
		teachers=teachers,
		student_sets=sets,
		rooms=rooms,
		lessons=lessons,
		constraints=constraints,
	)


def explain_model_timetable(problem: Problem) -> dict[str, Assignment] | None:
	"""A timetable from the explain-mode model with every hard-rule guard on, or None if none."""
	built = TimetableModel(problem, explain=True)
	for guard in built.guards.values():
		built.model.add(guard == 1)
	solver = cp_model.CpSolver()
	solver.parameters.num_workers = 1
	solver.parameters.max_time_in_seconds = 10
	status = solver.solve(built.model)
	assert status != cp_model.UNKNOWN
	if status == cp_model.INFEASIBLE:
		return None
	return {
		le: Assignment(le, *next(s for s, v in starts.items() if solver.boolean_value(v)), room)
		for le, starts in built.x.items()
		for room in [
			next(
				(r for r, v in built.room_choice.get(le, {}).items() if solver.boolean_value(v)),
				built.single_room.get(le),
			)
		]
	}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_problems())
def test_every_solution_is_valid_and_objective_matches_validator(problem):
	events = []
	solution = solve(problem, time_limit=5, num_workers=1, progress=events.append)
	assert solution.status in ("OPTIMAL", "FEASIBLE", "INFEASIBLE")
	# Differential check against the explain-mode encoding (no domain reductions, no redundant
	# cuts): it must agree on feasibility, and its timetables must pass the validator too.
	reference = explain_model_timetable(problem)
	assert solution.found == (reference is not None)
	if reference is not None:
		assert validate(problem, reference).hard_violations == []
	if not solution.found:
		assert solution.explanation
		return
	assert validate(problem, solution.assignments).hard_violations == []
	assert solution.report.hard_violations == []
	optimised = [e["objective"] for e in events if e["phase"] == "optimise"]
	if optimised and solution.status == "OPTIMAL":
		# The CP-SAT objective and the validator agree on what every soft constraint costs.
		assert optimised[-1] == solution.objective


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_problems(), st.data())
def test_validator_catches_deliberately_broken_timetables(problem, data):
	problem = dataclasses.replace(problem, constraints=[])
	solution = solve(problem, time_limit=5, num_workers=1)
	if not solution.found:
		return
	assignments = dict(solution.assignments)
	sharing = [
		(a, b)
		for a in problem.lessons
		for b in problem.lessons
		if a.id < b.id and (set(a.teachers) & set(b.teachers) or set(a.student_sets) & set(b.student_sets))
	]
	if sharing:
		a, b = data.draw(st.sampled_from(sharing))
		start = assignments[a.id]
		broken = {**assignments, b.id: Assignment(b.id, start.day, start.period, assignments[b.id].room)}
		kinds = {v.kind for v in validate(problem, broken).hard_violations}
		assert kinds & {"teacher_clash", "students_clash"}
	doubles = [le for le in problem.lessons if le.duration == 2]
	if problem.breaks and doubles:
		lesson = data.draw(st.sampled_from(doubles))
		broken = {**assignments, lesson.id: Assignment(lesson.id, 0, 1, assignments[lesson.id].room)}
		assert "break" in {v.kind for v in validate(problem, broken).hard_violations}


def _tagged_day(lab_lessons: int, plain_lessons: int) -> list[Lesson]:
	labs = [Lesson(f"lab{i}", "Science", ["t"], ["a"], tags=["lab"]) for i in range(lab_lessons)]
	return labs + [Lesson(f"plain{i}", "Maths", ["t"], ["b"]) for i in range(plain_lessons)]


def test_tag_max_hours_daily_counts_only_the_tagged_lessons():
	# four lessons fill Smith's 4-period day: two labs fit a lab limit of 2, three don't
	limit = MaxHoursDaily(resource="teacher", ids=["t"], max_hours=2, tag="lab")
	fits = solve(one_day(_tagged_day(2, 2), [limit]), time_limit=10, num_workers=1)
	assert fits.status in ("OPTIMAL", "FEASIBLE") and fits.report.hard_violations == []
	# a generous limit: proving infeasibility ends the search at once, but a loaded machine may be slow to start
	too_many = solve(one_day(_tagged_day(3, 1), [limit]), time_limit=60, num_workers=1)
	assert too_many.status == "INFEASIBLE", too_many.status
	# without the tag the same limit counts every lesson
	untagged = dataclasses.replace(limit, tag="")
	assert solve(one_day(_tagged_day(2, 2), [untagged]), time_limit=60, num_workers=1).status == "INFEASIBLE"


def test_tag_max_hours_continuously_is_broken_by_an_untagged_lesson():
	# 2 labs + 1 other lesson in 3 periods: lab, other, lab keeps every lab run at 1
	limit = MaxHoursContinuously(resource="teacher", ids=["t"], max_hours=1, tag="lab")
	solution = solve(one_day(_tagged_day(2, 1), [limit], periods=3), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL"
	assert solution.assignments["plain0"].start == (0, 1)
	# 3 labs + 1 other in 4 periods: one lab run of 2 is unavoidable, so the soft rule costs exactly one unit
	soft = dataclasses.replace(limit, weight=50)
	solution = solve(one_day(_tagged_day(3, 1), [soft]), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL"
	assert solution.objective == soft.penalty
	assert validate(one_day(_tagged_day(3, 1), [soft]), solution.assignments).soft_cost == soft.penalty


def test_ordered_if_same_day_orders_only_lessons_on_one_day():
	# one day, Smith's 7A lesson fixed at P1: 7B's lesson may not start before 7A's on that day
	lessons = [Lesson("a1", "Maths", ["t"], ["a"], fixed_start=(0, 1)), Lesson("b1", "Art", ["u"], ["b"])]
	rule = OrderedIfSameDay(first="a1", second="b1")
	wish = PreferredStartingTimes(weight=50, lessons=["b1"], starts=frozenset({(0, 0)}))
	solution = solve(one_day(lessons, [rule, wish], periods=3), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.assignments["b1"].start[1] >= 2
	assert solution.objective == wish.penalty
	# with a second day the wish is met: ordering binds only on the same day
	two_days = dataclasses.replace(one_day(lessons, [rule, wish], periods=3), days=["Mon", "Tue"])
	two_days.lessons[0] = dataclasses.replace(lessons[0], fixed_start=(1, 1))
	solution = solve(two_days, time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.objective == 0
	assert solution.assignments["b1"].start == (0, 0)


def _school(lessons, periods):
	teachers = sorted({t for le in lessons for t in le.teachers})
	sets = sorted({s for le in lessons for s in le.student_sets})
	return Problem(
		days=["Mon"],
		periods_per_day=periods,
		teachers=[Teacher(t, t) for t in teachers],
		student_sets=[StudentSet(s, s) for s in sets],
		lessons=lessons,
	)


def test_occupy_max_slots_counts_each_selected_slot_once():
	# one class, three lessons with three teachers, three periods: the class fills every period, so its
	# lessons occupy both selected periods P1 and P2
	lessons = [Lesson(f"l{i}", "Maths", [f"t{i}"], ["a"]) for i in range(3)]
	selected = frozenset({(0, 0), (0, 1)})
	problem = _school(lessons, periods=3)
	ids = [le.id for le in lessons]
	problem.constraints = [OccupyMaxSlots(lessons=ids, slots=selected, max_slots=2)]
	assert solve(problem, time_limit=10, num_workers=1).report.hard_violations == []
	problem.constraints = [OccupyMaxSlots(lessons=ids, slots=selected, max_slots=1)]
	assert solve(problem, time_limit=60, num_workers=1).status == "INFEASIBLE"
	soft = OccupyMaxSlots(weight=50, lessons=ids, slots=selected, max_slots=1)
	problem.constraints = [soft]
	solution = solve(problem, time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.objective == soft.penalty
	# two lessons of other classes sharing P1 still count it once
	extra = [Lesson(f"m{i}", "Art", [f"u{i}"], [f"b{i}"], fixed_start=(0, 0)) for i in range(2)]
	problem = _school(lessons + extra, periods=3)
	problem.constraints = [OccupyMaxSlots(lessons=[*ids, "m0", "m1"], slots=selected, max_slots=2)]
	assert solve(problem, time_limit=10, num_workers=1).report.hard_violations == []


def test_max_simultaneous_in_selected_slots():
	# four lessons of four classes and teachers in a 2-period day: two at once somewhere is unavoidable
	lessons = [Lesson(f"l{i}", "Maths", [f"t{i}"], [f"s{i}"]) for i in range(4)]
	ids = [le.id for le in lessons]
	problem = _school(lessons, periods=2)
	both = frozenset({(0, 0), (0, 1)})
	problem.constraints = [MaxSimultaneous(lessons=ids, slots=both, max_simultaneous=2)]
	solution = solve(problem, time_limit=10, num_workers=1)
	assert solution.report.hard_violations == []
	assert sorted(solution.assignments[i].start for i in ids) == [(0, 0), (0, 0), (0, 1), (0, 1)]
	problem.constraints = [MaxSimultaneous(lessons=ids, slots=both, max_simultaneous=1)]
	assert solve(problem, time_limit=60, num_workers=1).status == "INFEASIBLE"
	# only P1 selected: at most one there, so three go to P2
	problem.constraints = [MaxSimultaneous(lessons=ids, slots=frozenset({(0, 0)}), max_simultaneous=1)]
	solution = solve(problem, time_limit=10, num_workers=1)
	assert sum(1 for i in ids if solution.assignments[i].start == (0, 0)) <= 1
	assert solution.report.hard_violations == []


def _buildings_day(periods: int, rules) -> Problem:
	# Smith fills a day with two lab lessons (building B), one in A1 (building A) and one that may be in A1 or
	# B1; a lesson in a room without a building (nb) is free to go anywhere
	rooms = [Room("lab", building="B"), Room("a1", building="A"), Room("b1", building="B"), Room("nb")]
	lessons = [
		Lesson("lab1", "Science", ["t"], ["s1"], rooms=["lab"]),
		Lesson("lab2", "Science", ["t"], ["s2"], rooms=["lab"]),
		Lesson("a", "Maths", ["t"], ["s3"], rooms=["a1"]),
		Lesson("either", "Maths", ["t"], ["s4"], rooms=["a1", "b1"]),
	]
	lessons += [Lesson(f"free{i}", "Art", ["t"], [f"s{5 + i}"], rooms=["nb"]) for i in range(periods - 4)]
	sets = {s for le in lessons for s in le.student_sets}
	return Problem(
		days=["Mon"],
		periods_per_day=periods,
		teachers=[Teacher("t", "Smith")],
		student_sets=[StudentSet(s) for s in sorted(sets)],
		rooms=rooms,
		lessons=lessons,
		constraints=list(rules),
	)


def test_max_building_changes_per_day():
	one = MaxBuildingChanges(resource="teacher", max_changes=1)
	solution = solve(_buildings_day(4, [one]), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.report.hard_violations == []
	by_period = sorted(solution.assignments.values(), key=lambda a: a.period)
	buildings = "".join("B" if a.room in ("lab", "b1") else "A" for a in by_period)
	assert buildings.count("AB") + buildings.count("BA") == 1, buildings
	# A1 and the lab are both needed: no change at all is impossible, and the soft rule costs one change
	none = MaxBuildingChanges(resource="teacher", max_changes=0)
	assert solve(_buildings_day(4, [none]), time_limit=60, num_workers=1).status == "INFEASIBLE"
	soft = dataclasses.replace(none, weight=50)
	solution = solve(_buildings_day(4, [soft]), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.objective == soft.penalty
	# per week: the same day, the same count
	week = MaxBuildingChanges(resource="teacher", max_changes=0, per="week")
	assert solve(_buildings_day(4, [week]), time_limit=60, num_workers=1).status == "INFEASIBLE"


def test_min_gaps_between_building_changes_count_every_period_between():
	rule = MinGapsBetweenBuildingChanges(resource="teacher", min_gaps=1)
	# four lessons in four periods: the change from A to B has no period between
	assert solve(_buildings_day(4, [rule]), time_limit=60, num_workers=1).status == "INFEASIBLE"
	soft = dataclasses.replace(rule, weight=50)
	solution = solve(_buildings_day(4, [soft]), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.objective == soft.penalty
	# a fifth lesson, in a room without a building, is the period between A and B
	solution = solve(_buildings_day(5, [rule]), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.report.hard_violations == []
	building = {"lab": "B", "b1": "B", "a1": "A", "nb": "-"}
	by_period = "".join(
		building[a.room] for a in sorted(solution.assignments.values(), key=lambda a: a.period)
	)
	assert "A-B" in by_period or "B-A" in by_period, by_period
	# two periods between: impossible in five
	two = dataclasses.replace(rule, min_gaps=2)
	assert solve(_buildings_day(5, [two]), time_limit=60, num_workers=1).status == "INFEASIBLE"


def _two_classes(periods: int, rules, breaks=frozenset(), **second) -> Problem:
	# two lessons of two teachers and classes, each in room r1 or r2
	lessons = [
		Lesson("a", "Maths", ["t"], ["a"], rooms=["r1", "r2"], fixed_start=(0, 0)),
		Lesson("b", "Art", ["u"], ["b"], rooms=["r1", "r2"], **second),
	]
	return one_day(lessons, rules, periods=periods, breaks=breaks, rooms=[Room("r1", "R1"), Room("r2", "R2")])


def test_occupy_max_rooms_counts_the_rooms_the_lessons_use():
	one = OccupyMaxRooms(lessons=["a", "b"], max_rooms=1)
	# at the same time they need two rooms
	together = _two_classes(1, [one], fixed_start=(0, 0))
	assert solve(together, time_limit=60, num_workers=1).status == "INFEASIBLE"
	soft = dataclasses.replace(one, weight=50)
	solution = solve(_two_classes(1, [soft], fixed_start=(0, 0)), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.objective == soft.penalty
	# one after the other they share one
	solution = solve(_two_classes(2, [one], fixed_start=(0, 1)), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.report.hard_violations == []
	assert solution.assignments["a"].room == solution.assignments["b"].room


def test_same_room_if_consecutive_binds_back_to_back_lessons_only():
	rule = SameRoomIfConsecutive(lessons=["a", "b"])
	# a at P1, b right after; r1 is taken at P1 and r2 at P2 by fixed lessons of their own: no common room
	blockers = [
		Lesson("x", "Sport", [], ["c"], rooms=["r1"], fixed_start=(0, 0)),
		Lesson("y", "Sport", [], ["d"], rooms=["r2"], fixed_start=(0, 1)),
	]
	problem = _two_classes(3, [rule], fixed_start=(0, 1))
	problem.lessons += blockers
	problem.student_sets += [StudentSet("c"), StudentSet("d")]
	assert solve(problem, time_limit=60, num_workers=1).status == "INFEASIBLE"
	soft = dataclasses.replace(rule, weight=50)
	solution = solve(dataclasses.replace(problem, constraints=[soft]), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.objective == soft.penalty
	# with a break at P2 and b at P3 they are not consecutive (FET), so different rooms are fine
	problem = _two_classes(3, [rule], breaks=frozenset({(0, 1)}), fixed_start=(0, 2))
	problem.lessons += [blockers[0], dataclasses.replace(blockers[1], fixed_start=(0, 2))]
	problem.student_sets += [StudentSet("c"), StudentSet("d")]
	solution = solve(problem, time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.report.hard_violations == []
	assert (solution.assignments["a"].room, solution.assignments["b"].room) == ("r2", "r1")


def _teacher_week(days: int, periods: int, placed: dict[str, object], rules, breaks=frozenset()) -> Problem:
	"""Smith teaches one lesson per entry of ``placed`` (lesson id -> fixed start, or a set of allowed starts),
	each to a class of its own."""
	lessons = [
		Lesson(
			le,
			"Maths",
			["t"],
			[f"c{le}"],
			fixed_start=where if isinstance(where, tuple) else None,
			allowed_starts=frozenset(where) if isinstance(where, set) else None,
		)
		for le, where in placed.items()
	]
	return Problem(
		days=["Mon", "Tue", "Wed"][:days],
		periods_per_day=periods,
		breaks=breaks,
		teachers=[Teacher("t", "Smith")],
		student_sets=[StudentSet(f"c{le}") for le in placed],
		lessons=lessons,
		constraints=list(rules),
	)


def test_max_span_per_day_counts_breaks():
	# a at P1, a break at P2, b at P3 or P4 (b would rather be at P4)
	rule = MaxSpanPerDay(resource="teacher", max_span=3)
	wish = PreferredStartingTimes(weight=50, lessons=["b"], starts=frozenset({(0, 3)}))
	problem = _teacher_week(1, 4, {"a": (0, 0), "b": {(0, 2), (0, 3)}}, [rule, wish], frozenset({(0, 1)}))
	solution = solve(problem, time_limit=10, num_workers=1)
	# the break is inside the span (FET): P1-P4 spans 4, so b stays at P3 and the wish is broken
	assert solution.status == "OPTIMAL" and solution.report.hard_violations == []
	assert solution.assignments["b"].period == 2 and solution.objective == wish.penalty
	two = dataclasses.replace(rule, max_span=2)
	assert solve(dataclasses.replace(problem, constraints=[two]), time_limit=10, num_workers=1).status == (
		"INFEASIBLE"
	)
	# soft: one unit per period above the maximum, so P3 (span 3) beats P4 (span 4)
	soft = dataclasses.replace(two, weight=50)
	solution = solve(dataclasses.replace(problem, constraints=[soft]), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.objective == soft.penalty
	assert solution.assignments["b"].period == 2


def test_max_span_one_day_exception_of_plus_one():
	rule = MaxSpanPerDay(resource="teacher", max_span=2, allow_one_day_exception=True)
	# Monday spans 3 (the exception); Tuesday's b could span 2 or 3 and would rather span 3
	wish = PreferredStartingTimes(weight=50, lessons=["b"], starts=frozenset({(1, 2)}))
	placed = {"m1": (0, 0), "m2": (0, 2), "a": (1, 0), "b": {(1, 1), (1, 2)}}
	solution = solve(_teacher_week(2, 4, placed, [rule, wish]), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.report.hard_violations == []
	assert solution.assignments["b"].start == (1, 1) and solution.objective == wish.penalty
	# two days of span 3, or one of span 4, are beyond the exception
	both = {**placed, "b": (1, 2)}
	assert solve(_teacher_week(2, 4, both, [rule]), time_limit=10, num_workers=1).status == "INFEASIBLE"
	four = {"m1": (0, 0), "m2": (0, 3)}
	assert solve(_teacher_week(2, 4, four, [rule]), time_limit=10, num_workers=1).status == "INFEASIBLE"
	# soft: the exception forgives one of the two periods above the maximum
	soft = dataclasses.replace(rule, weight=50)
	solution = solve(_teacher_week(2, 4, both, [soft]), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.objective == soft.penalty
	assert solution.report.soft_cost == soft.penalty


def test_min_resting_hours_from_one_day_to_the_next():
	# a ends Monday (P4); b on Tuesday at P1, P2 or P3, and would rather be at P1
	rule = MinRestingHours(resource="teacher", min_hours=2)
	wish = PreferredStartingTimes(weight=50, lessons=["b"], starts=frozenset({(1, 0)}))
	placed = {"a": (0, 3), "b": {(1, 0), (1, 1), (1, 2)}}
	solution = solve(_teacher_week(2, 4, placed, [rule, wish]), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.report.hard_violations == []
	assert solution.assignments["b"].start == (1, 2) and solution.objective == wish.penalty
	# soft: one unit per missing period (b at P1 rests 0 of 2)
	soft = dataclasses.replace(rule, weight=50)
	solution = solve(_teacher_week(2, 4, {"a": (0, 3), "b": (1, 0)}, [soft]), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.objective == 2 * soft.penalty
	# a break at Tuesday P1 is rest (FET): b at P2 rests 1
	one = dataclasses.replace(rule, min_hours=1)
	wish = PreferredStartingTimes(weight=50, lessons=["b"], starts=frozenset({(1, 1)}))
	problem = _teacher_week(2, 4, {"a": (0, 3), "b": {(1, 1), (1, 2)}}, [one, wish], frozenset({(1, 0)}))
	solution = solve(problem, time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.objective == 0
	assert solution.assignments["b"].start == (1, 1)
	# a day without lessons is rest enough
	problem = _teacher_week(3, 4, {"a": (0, 3), "b": (2, 0)}, [dataclasses.replace(rule, min_hours=4)])
	assert solve(problem, time_limit=10, num_workers=1).status == "OPTIMAL"


def test_min_resting_hours_circular_links_the_last_day_to_the_first():
	# a ends Tuesday (the last day) at P4, b starts Monday at P1
	placed = {"a": (1, 3), "b": (0, 0)}
	rule = MinRestingHours(resource="teacher", min_hours=1)
	assert solve(_teacher_week(2, 4, placed, [rule]), time_limit=10, num_workers=1).status == "OPTIMAL"
	circular = dataclasses.replace(rule, circular=True)
	assert solve(_teacher_week(2, 4, placed, [circular]), time_limit=10, num_workers=1).status == "INFEASIBLE"
	soft = dataclasses.replace(circular, weight=50)
	solution = solve(_teacher_week(2, 4, placed, [soft]), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.objective == soft.penalty


def _ordered_tags_day(placed: dict[str, tuple[str, object]], rules, breaks=frozenset()) -> Problem:
	"""One day of five periods; Smith teaches lesson id -> (tag, fixed start or set of allowed starts), each to a
	class of its own."""
	problem = _teacher_week(1, 5, {le: where for le, (_, where) in placed.items()}, rules, breaks)
	for lesson in problem.lessons:
		lesson.tags = [placed[lesson.id][0]] if placed[lesson.id][0] else []
	return problem


def test_min_gaps_between_ordered_pair_of_tags():
	rule = MinGapsBetweenOrderedTags(resource="teacher", first_tag="lab", second_tag="sport", min_gaps=2)
	# a lab lesson at P1; sport at P2, P3 or P4 would rather be at P2
	wish = PreferredStartingTimes(weight=50, lessons=["s"], starts=frozenset({(0, 1)}))
	placed = {"l": ("lab", (0, 0)), "s": ("sport", {(0, 1), (0, 2), (0, 3)})}
	solution = solve(_ordered_tags_day(placed, [rule, wish]), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.report.hard_violations == []
	assert solution.assignments["s"].start == (0, 3) and solution.objective == wish.penalty
	# the other order is free
	other = {"l": ("lab", (0, 1)), "s": ("sport", (0, 0))}
	assert solve(_ordered_tags_day(other, [rule]), time_limit=10, num_workers=1).status == "OPTIMAL"
	# a lesson in between, or a break, counts among the periods between
	between = {"l": ("lab", (0, 0)), "x": ("", (0, 1)), "y": ("", (0, 2)), "s": ("sport", (0, 3))}
	assert solve(_ordered_tags_day(between, [rule]), time_limit=10, num_workers=1).status == "OPTIMAL"
	breaks = frozenset({(0, 1), (0, 2)})
	problem = _ordered_tags_day({"l": ("lab", (0, 0)), "s": ("sport", (0, 3))}, [rule], breaks)
	assert solve(problem, time_limit=10, num_workers=1).status == "OPTIMAL"
	# too close: impossible, or one unit of cost
	close = {"l": ("lab", (0, 0)), "s": ("sport", (0, 2))}
	assert solve(_ordered_tags_day(close, [rule]), time_limit=10, num_workers=1).status == "INFEASIBLE"
	soft = dataclasses.replace(rule, weight=50)
	solution = solve(_ordered_tags_day(close, [soft]), time_limit=10, num_workers=1)
	assert solution.status == "OPTIMAL" and solution.objective == soft.penalty
