"""Seeded generator of realistic synthetic school timetabling problems (tests and benchmarks).

The generated school is feasible by construction in the counting sense (every class has exactly
``periods_per_week`` periods, teachers' loads fit their availability, special rooms cover
their demand); the solver still has to find the timetable.
"""

from __future__ import annotations

import math
import random

from ai_school.core.timetable.model import (
	EarlyMaxBeginningsAtSecondHour,
	Lesson,
	MaxGaps,
	MaxHoursDaily,
	MinDaysBetween,
	PreferredTimeSlots,
	Problem,
	Room,
	StudentSet,
	Teacher,
)

DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Subjects taught in special rooms (by position in the subject list) and the room kind they need.
SPECIAL_ROOMS = {1: "lab", 2: "lab", 3: "gym"}


def _subject_hours(subjects: int, periods_per_week: int, days: int, rng: random.Random) -> list[int]:
	"""Weekly periods per subject, summing to ``periods_per_week``; the first subjects (maths,
	language) get the most. At most ``days + 1`` so a course fits the week with one double."""
	if periods_per_week < subjects:
		raise ValueError("periods_per_week must be at least the number of subjects")
	cap = days + 1
	if subjects * cap < periods_per_week:
		raise ValueError("too few subjects for that many periods per week")
	hours = [1] * subjects
	weights = [1.0 / (1 + i) ** 0.7 for i in range(subjects)]
	while sum(hours) < periods_per_week:
		open_ = [i for i in range(subjects) if hours[i] < cap]
		i = rng.choices(open_, weights=[weights[j] for j in open_])[0]
		hours[i] += 1
	return hours


def synthetic_school(
	classes: int = 20,
	teachers: int = 30,
	subjects: int = 15,
	periods_per_week: int = 35,
	days: int = 5,
	*,
	seed: int = 0,
	with_rooms: bool = True,
	with_preferences: bool = True,
) -> Problem:
	"""A school of ``classes`` classes, each with ``periods_per_week`` periods of ``subjects``
	subjects, taught by ``teachers`` teachers (pools per subject sized by demand).

	Courses of 4+ periods contain one double lesson; a course's lessons are on different days
	(hard). Some teachers have a half day off. With ``with_rooms`` science lessons need one of a
	few labs and PE a gym (other lessons stay in the class's room, which is not modelled).
	``with_preferences`` adds the usual school wishes as soft constraints: no class or teacher
	gaps, at most 6 periods a day per teacher, maths in the morning, classes start at period 1.
	"""
	rng = random.Random(seed)
	periods_per_day = math.ceil(periods_per_week / days)
	slots = days * periods_per_day
	hours = _subject_hours(subjects, periods_per_week, days, rng)
	subject_names = ["Maths", "Physics", "Chemistry", "PE", "Language"] + [
		f"Subject {i}" for i in range(5, subjects)
	]
	subject_names = subject_names[:subjects]

	demand = [h * classes for h in hours]
	if teachers < subjects:
		raise ValueError("need at least one teacher per subject")
	# Pools sized by demand: enough teachers that nobody teaches more than 90 % of the week, the
	# rest by largest remainder.
	pool_sizes = [math.ceil(d / (0.9 * slots)) for d in demand]
	if sum(pool_sizes) > teachers:
		raise ValueError(f"{teachers} teachers cannot cover the demand; need at least {sum(pool_sizes)}")
	share = [d * teachers / sum(demand) for d in demand]
	while sum(pool_sizes) < teachers:
		i = max(range(subjects), key=lambda j: share[j] - pool_sizes[j])
		pool_sizes[i] += 1
	teacher_list: list[Teacher] = []
	pools: list[list[str]] = []
	for s, size in enumerate(pool_sizes):
		pool = []
		for _ in range(size):
			teacher_id = f"T{len(teacher_list) + 1:02d}"
			teacher_list.append(Teacher(teacher_id, f"{subject_names[s]} teacher {len(pool) + 1}"))
			pool.append(teacher_id)
		pools.append(pool)

	sets = [StudentSet(f"C{c + 1:02d}", f"Class {c + 1}", size=rng.randint(20, 30)) for c in range(classes)]
	load = dict.fromkeys((t.id for t in teacher_list), 0)
	lessons: list[Lesson] = []
	constraints = []
	for student_set in sets:
		for s, h in enumerate(hours):
			teacher = min(pools[s], key=lambda t: (load[t], rng.random()))
			load[teacher] += h
			durations = [2] + [1] * (h - 2) if h >= 4 else [1] * h
			course = f"{student_set.id}-{subject_names[s]}"
			ids = []
			for k, duration in enumerate(durations):
				lesson = Lesson(
					id=f"{course}-{k + 1}",
					subject=subject_names[s],
					teachers=[teacher],
					student_sets=[student_set.id],
					duration=duration,
					room_kind=SPECIAL_ROOMS.get(s) if with_rooms else None,
					group=course,
				)
				lessons.append(lesson)
				ids.append(lesson.id)
			if len(ids) > 1:
				constraints.append(
					MinDaysBetween(lessons=ids, min_days=1, name=f"{course} on different days")
				)

	# A half day off for every third teacher, if their load leaves room for it.
	half = periods_per_day // 2
	for i, teacher in enumerate(teacher_list):
		if i % 3 == 0 and load[teacher.id] <= slots - half - periods_per_day:
			day = rng.randrange(days)
			teacher.unavailable = frozenset((day, p) for p in range(periods_per_day - half, periods_per_day))

	rooms: list[Room] = []
	if with_rooms:
		for kind in sorted(set(SPECIAL_ROOMS.values())):
			need = sum(le.duration for le in lessons if le.room_kind == kind)
			for r in range(math.ceil(need / (slots * 0.6))):
				rooms.append(Room(f"{kind}-{r + 1}", f"{kind.title()} {r + 1}", capacity=32, kind=kind))

	if with_preferences:
		morning = frozenset((d, p) for d in range(days) for p in range(min(4, periods_per_day)))
		constraints += [
			MaxGaps(weight=95, resource="students", max_gaps=0, name="Class gaps"),
			EarlyMaxBeginningsAtSecondHour(
				weight=95, resource="students", max_beginnings=0, name="Classes start early"
			),
			MaxGaps(weight=60, resource="teacher", max_gaps=2, name="Teacher gaps"),
			MaxHoursDaily(weight=80, resource="teacher", max_hours=6, name="Teacher max 6 periods a day"),
			PreferredTimeSlots(
				weight=50,
				lessons=[le.id for le in lessons if le.subject == "Maths"],
				slots=morning,
				name="Maths in the morning",
			),
		]

	return Problem(
		days=DAY_NAMES[:days] if days <= len(DAY_NAMES) else [f"Day {d + 1}" for d in range(days)],
		periods_per_day=periods_per_day,
		teachers=teacher_list,
		student_sets=sets,
		rooms=rooms,
		lessons=lessons,
		constraints=constraints,
		name=f"synthetic {classes}x{teachers}x{subjects}x{periods_per_week} seed {seed}",
	)
