"""Read FET (https://lalescu.ro/liviu/fet/) data files and FET-generated timetables.

:func:`import_fet` turns a FET 5.x/6.x ``.fet`` file into a :class:`~.model.Problem` and an
:class:`ImportReport` that names every FET constraint type it could not translate, with counts —
nothing is dropped silently. :func:`read_fet_timetable` reads the timetable FET itself produced
(``fet-cl``'s ``*_activities.xml`` or ``*_data_and_timetable.fet``) back into assignments so our
validator can check it.

Identifiers are FET's own names: teacher, subgroup and room ids are their FET names and a lesson's
id is the FET activity id as a string, so exports round-trip to FET without a lookup table.

Semantics follow FET where they matter for validity:

* students: years and groups expand to their atomic subgroups; a year without groups or a group
  without subgroups is itself atomic; subgroups and groups listed under several parents are one set.
* rooms: an activity only gets a room if some room constraint mentions it (as in FET). Hard
  preferred-room constraints are intersected; home rooms only apply to activities without any
  preferred-room constraint, and only to activities whose single teacher / single students set is
  the one named (FET's rule).
* breaks: FET's break times become :attr:`~.model.Problem.breaks` and keep FET's meaning (see
  :mod:`~.model`): *two activities consecutive* and *two/three activities grouped* may have a break
  between the activities, *min gaps between activities* and *consecutive if same day* count break
  hours, and gaps skip breaks and not-available hours.
* ``Active=false`` activities and constraints are skipped and counted; constraints are pruned of
  inactive activities, and relation constraints left with fewer than two activities are dropped.
* virtual rooms (FET 6: an activity in one takes a real room from each of its sets at once) are not
  modelled, and are reported as unsupported. They are not rooms of the problem, and a room
  constraint that names one does not restrict its activities' rooms: the problem is relaxed, never
  made harder. Read as a single room, every activity placed in one would clash with the others.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ai_school.core.timetable.model import (
	HARD,
	Assignment,
	Consecutive,
	Constraint,
	EarlyMaxBeginningsAtSecondHour,
	EndsStudentsDay,
	Grouped,
	IntervalMaxDaysPerWeek,
	Lesson,
	MaxBuildingChanges,
	MaxDaysBetween,
	MaxDaysPerWeek,
	MaxGaps,
	MaxHoursContinuously,
	MaxHoursDaily,
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
	Slot,
	StudentSet,
	Teacher,
	UnavailableTimes,
)


class FetFormatError(ValueError):
	"""The file is not a FET data file we can read (bad XML, missing days/hours…)."""


@dataclass
class ImportReport:
	"""What the importer did with a FET file. ``unsupported`` must be empty for a faithful import."""

	source: str = ""
	fet_version: str = ""
	mode: str = "Official"
	activities: int = 0
	"""Active activities imported as lessons."""
	inactive_activities: int = 0
	teachers: int = 0
	student_sets: int = 0
	"""Atomic student sets (subgroups) after expansion."""
	rooms: int = 0
	supported: Counter = field(default_factory=Counter)
	"""FET constraint tag → number of active constraints translated."""
	unsupported: Counter = field(default_factory=Counter)
	"""FET constraint tag (or feature) → number of active constraints NOT translated."""
	inactive_constraints: Counter = field(default_factory=Counter)
	dropped: Counter = field(default_factory=Counter)
	"""Translated but void: every activity they refer to is inactive (FET ignores them too)."""
	warnings: list[str] = field(default_factory=list)

	@property
	def fully_supported(self) -> bool:
		return not self.unsupported

	def summary_lines(self) -> list[str]:
		lines = [
			f"FET {self.fet_version or '?'} ({self.mode}): {self.activities} activities "
			f"({self.inactive_activities} inactive skipped), {self.teachers} teachers, "
			f"{self.student_sets} atomic student sets, {self.rooms} rooms",
			f"constraints translated: {sum(self.supported.values())} "
			f"({len(self.supported)} types); inactive ignored: {sum(self.inactive_constraints.values())}",
		]
		if self.unsupported:
			lines.append(f"UNSUPPORTED (not enforced): {sum(self.unsupported.values())}")
			lines += [f"  {name}: {count}" for name, count in sorted(self.unsupported.items())]
		else:
			lines.append("unsupported: none")
		if self.dropped:
			lines.append("dropped (only inactive activities): " + _counts(self.dropped))
		lines += [f"warning: {w}" for w in self.warnings]
		return lines

	def to_dict(self) -> dict:
		return {
			"source": self.source,
			"fet_version": self.fet_version,
			"mode": self.mode,
			"activities": self.activities,
			"inactive_activities": self.inactive_activities,
			"teachers": self.teachers,
			"student_sets": self.student_sets,
			"rooms": self.rooms,
			"supported": dict(self.supported),
			"unsupported": dict(self.unsupported),
			"inactive_constraints": dict(self.inactive_constraints),
			"dropped": dict(self.dropped),
			"warnings": list(self.warnings),
		}


def _counts(counter: Counter) -> str:
	return ", ".join(f"{k} {v}" for k, v in sorted(counter.items()))


def import_fet(source: str | Path | bytes) -> tuple[Problem, ImportReport]:
	"""Parse a ``.fet`` file (path or raw bytes) into a problem and an import report."""
	if isinstance(source, bytes):
		root, name = _parse_xml(source), "<bytes>"
	else:
		path = Path(source)
		root, name = _parse_xml(path.read_bytes()), str(path)
	return _Importer(root, name).run()


def _parse_xml(data: bytes) -> ET.Element:
	try:
		root = ET.fromstring(data)
	except ET.ParseError as exc:
		raise FetFormatError(f"not well-formed XML: {exc}") from None
	if root.tag != "fet":
		raise FetFormatError(f"root element is <{root.tag}>, expected <fet>")
	return root


def _text(elem: ET.Element | None, tag: str, default: str = "") -> str:
	if elem is None:
		return default
	child = elem.find(tag)
	if child is None or child.text is None:
		return default
	return child.text


def _texts(elem: ET.Element, tag: str) -> list[str]:
	return [c.text or "" for c in elem.findall(tag)]


def _is_active(elem: ET.Element) -> bool:
	return _text(elem, "Active", "true").strip().lower() != "false"


def _is_virtual(room: ET.Element) -> bool:
	return _text(room, "Virtual", "false").strip().lower() == "true"


def _list_names(root: ET.Element, list_tag: str, item_tag: str) -> list[str]:
	"""Names of a FET list; FET 5 writes ``<Day><Name>x</Name></Day>``, very old files ``<Day>x</Day>``."""
	lst = root.find(list_tag)
	if lst is None:
		return []
	names = []
	for item in lst.findall(item_tag):
		name = item.find("Name")
		names.append((name.text if name is not None else item.text) or "")
	return names


class _Unsupported(Exception):
	"""Raised by a handler when this particular instance cannot be translated."""

	def __init__(self, label: str):
		super().__init__(label)
		self.label = label


@dataclass
class _RoomWish:
	weight: float
	rooms: frozenset[str]
	label: str


class _Importer:
	def __init__(self, root: ET.Element, source: str):
		self.root = root
		self.report = ImportReport(source=source, fet_version=root.get("version", ""))
		self.report.mode = _text(root, "Mode").strip() or _fet5_mode(self.report.fet_version)
		self.constraints: list[Constraint] = []
		self.breaks: set[Slot] = set()
		self.preferred_rooms: dict[str, list[_RoomWish]] = {}
		self.home_rooms: dict[str, list[_RoomWish]] = {}
		self.virtual_rooms: set[str] = set()
		self.inactive_ids: set[str] = set()

	# --- entities --------------------------------------------------------------------------------

	def run(self) -> tuple[Problem, ImportReport]:
		root = self.root
		self.days = _list_names(root, "Days_List", "Day")
		self.hours = _list_names(root, "Hours_List", "Hour")
		if not self.days or not self.hours:
			raise FetFormatError("the file has no days or no hours")
		if self.report.mode != "Official":
			self.report.warnings.append(
				f"FET mode {self.report.mode!r}: imported with official-mode semantics "
				"(mornings/afternoons, terms or blocks are not modelled)"
			)
		self.day_index = {name: i for i, name in enumerate(self.days)}
		self.hour_index = {name: i for i, name in enumerate(self.hours)}
		self._read_students()
		self._read_teachers()
		self._read_rooms()
		self._read_activities()
		self._read_constraints("Time_Constraints_List")
		self._read_constraints("Space_Constraints_List")
		self._apply_rooms()

		problem = Problem(
			days=list(self.days),
			periods_per_day=len(self.hours),
			breaks=frozenset(self.breaks),
			teachers=list(self.teachers.values()),
			student_sets=list(self.subgroups.values()),
			rooms=list(self.rooms.values()),
			lessons=list(self.lessons.values()),
			constraints=self.constraints,
			name=_text(root, "Institution_Name") or Path(self.report.source).stem,
			period_names=list(self.hours),
		)
		self.report.activities = len(self.lessons)
		self.report.teachers = len(self.teachers)
		self.report.student_sets = len(self.subgroups)
		self.report.rooms = len(self.rooms)
		return problem, self.report

	def _read_students(self) -> None:
		"""Map every year/group/subgroup name to its atomic subgroups (and remember sizes).

		A set is atomic when nothing is listed under it anywhere: groups and subgroups may be
		listed under several parents (shared), and are then one set.
		"""
		children: dict[str, list[str]] = {}
		self.set_size: dict[str, int] = {}
		students = self.root.find("Students_List")

		def visit(elem: ET.Element, child_tag: str | None) -> str:
			name = _text(elem, "Name")
			self.set_size.setdefault(name, _int(_text(elem, "Number_of_Students", "0")))
			kids = children.setdefault(name, [])
			if child_tag:
				grandchild = "Subgroup" if child_tag == "Group" else None
				for child in elem.findall(child_tag):
					kid = visit(child, grandchild)
					if kid not in kids:
						kids.append(kid)
			return name

		for year in students.findall("Year") if students is not None else []:
			visit(year, "Group")

		self.members: dict[str, frozenset[str]] = {}

		def atomic(name: str) -> frozenset[str]:
			if name not in self.members:
				kids = children[name]
				self.members[name] = frozenset().union(*map(atomic, kids)) if kids else frozenset([name])
			return self.members[name]

		self.subgroups: dict[str, StudentSet] = {}
		for name in children:
			for sub in sorted(atomic(name)):
				if sub not in self.subgroups:
					self.subgroups[sub] = StudentSet(id=sub, name=sub, size=self.set_size.get(sub, 0))

	def _read_teachers(self) -> None:
		self.teachers = {n: Teacher(id=n, name=n) for n in _list_names(self.root, "Teachers_List", "Teacher")}

	def _read_rooms(self) -> None:
		self.rooms: dict[str, Room] = {}
		rooms = self.root.find("Rooms_List")
		for room in rooms.findall("Room") if rooms is not None else []:
			name = _text(room, "Name")
			if _is_virtual(room):
				self.report.unsupported["Room (virtual)"] += 1
				self.virtual_rooms.add(name)
				continue
			capacity = _int(_text(room, "Capacity", "0"))
			self.rooms[name] = Room(
				id=name,
				name=name,
				# FET writes 30000 ("unlimited") by default; keep it as a number, it is harmless.
				capacity=capacity if capacity > 0 else None,
				building=_text(room, "Building") or None,
			)

	def _read_activities(self) -> None:
		self.lessons: dict[str, Lesson] = {}
		self.activity_students: dict[str, list[str]] = {}
		self.component: dict[str, int] = {}
		"""Activity id → its place (1-based) among the components of its split activity, as FET's
		*subactivities* constraints count them: in file order, inactive components included; 1 for an
		activity that is not split."""
		group_sizes: Counter = Counter()
		activities = self.root.find("Activities_List")
		for act in activities.findall("Activity") if activities is not None else []:
			act_id = _text(act, "Id").strip()
			group_id = _text(act, "Activity_Group_Id", "0").strip()
			if group_id in ("", "0"):
				self.component[act_id] = 1
			else:
				group_sizes[group_id] += 1
				self.component[act_id] = group_sizes[group_id]
			if not _is_active(act):
				self.report.inactive_activities += 1
				self.inactive_ids.add(act_id)
				continue
			teachers = _texts(act, "Teacher")
			for t in teachers:
				if t not in self.teachers:
					self.report.warnings.append(
						f"activity {act_id}: teacher {t!r} is not in the teachers list"
					)
					self.teachers[t] = Teacher(id=t, name=t)
			student_names = _texts(act, "Students")
			self.activity_students[act_id] = student_names
			atomic: set[str] = set()
			for s in student_names:
				atomic |= self._students(s, f"activity {act_id}")
			explicit = _text(act, "Number_Of_Students").strip()
			group = _text(act, "Activity_Group_Id", "0").strip()
			self.lessons[act_id] = Lesson(
				id=act_id,
				subject=_text(act, "Subject"),
				teachers=teachers,
				student_sets=sorted(atomic),
				duration=_int(_text(act, "Duration", "1")) or 1,
				student_count=_int(explicit)
				if explicit
				else sum(self.set_size.get(s, 0) for s in student_names),
				group=group if group not in ("", "0") else None,
				tags=_texts(act, "Activity_Tag"),
			)

	def _students(self, name: str, where: str) -> frozenset[str]:
		try:
			return self.members[name]
		except KeyError:
			self.report.warnings.append(f"{where}: students set {name!r} is not in the students list")
			return frozenset()

	# --- constraints -----------------------------------------------------------------------------

	def _read_constraints(self, list_tag: str) -> None:
		lst = self.root.find(list_tag)
		for elem in lst if lst is not None else []:
			tag = elem.tag
			if not _is_active(elem):
				self.report.inactive_constraints[tag] += 1
				continue
			handler = _HANDLERS.get(tag)
			if handler is None:
				self.report.unsupported[tag] += 1
				continue
			weight = float(_text(elem, "Weight_Percentage", "100"))
			try:
				kept = handler(self, elem, weight)
			except _Unsupported as exc:
				self.report.unsupported[exc.label] += 1
				continue
			if kept is False:
				self.report.dropped[tag] += 1
			self.report.supported[tag] += 1

	def add(self, constraint: Constraint) -> None:
		self.constraints.append(constraint)

	def slot(self, day: str, hour: str, where: str) -> Slot | None:
		d = self.day_index.get(day, self.day_index.get(day.strip()))
		h = self.hour_index.get(hour, self.hour_index.get(hour.strip()))
		if d is None or h is None:
			self.report.warnings.append(f"{where}: unknown time {day!r} {hour!r} ignored")
			return None
		return (d, h)

	def slots(self, elem: ET.Element, item: str, day_tag: str, hour_tag: str) -> frozenset[Slot]:
		found = set()
		for it in elem.findall(item):
			s = self.slot(_text(it, day_tag), _text(it, hour_tag), elem.tag)
			if s is not None:
				found.add(s)
		return frozenset(found)

	def activity_ids(self, ids: Iterable[str]) -> list[str]:
		out = []
		for raw in ids:
			act_id = raw.strip()
			if act_id in self.lessons:
				out.append(act_id)
			elif act_id not in self.inactive_ids:
				self.report.warnings.append(f"constraint refers to unknown activity {act_id}")
		return out

	def select(self, elem: ET.Element) -> list[str]:
		"""Lessons matching FET's teacher/students/subject/tag/duration filter (empty = all)."""
		teacher = _text(elem, "Teacher_Name")
		students = _text(elem, "Students_Name")
		subject = _text(elem, "Subject_Name")
		tag = _text(elem, "Activity_Tag_Name")
		duration = _text(elem, "Duration").strip()
		atomic = self._students(students, elem.tag) if students else None
		return [
			le.id
			for le in self.lessons.values()
			if (not teacher or teacher in le.teachers)
			and (atomic is None or not atomic.isdisjoint(le.student_sets))
			and (not subject or le.subject == subject)
			and (not tag or tag in le.tags)
			and (not duration or le.duration == _int(duration))
		]

	def resource_ids(self, elem: ET.Element, kind: str) -> list[str]:
		"""The ids a per-teacher / per-students-set constraint applies to."""
		if kind == "teacher":
			name = _text(elem, "Teacher_Name") or _text(elem, "Teacher")
			if name not in self.teachers:
				self.report.warnings.append(f"{elem.tag}: unknown teacher {name!r}")
			return [name]
		return sorted(self._students(_text(elem, "Students"), elem.tag))

	def restrict_starts(self, lesson_ids: Iterable[str], starts: frozenset[Slot]) -> None:
		for le_id in lesson_ids:
			le = self.lessons[le_id]
			le.allowed_starts = starts if le.allowed_starts is None else le.allowed_starts & starts
			if not le.allowed_starts:
				self.report.warnings.append(f"activity {le_id}: hard time constraints leave no start")

	@staticmethod
	def starts_within(duration: int, slots: frozenset[Slot]) -> frozenset[Slot]:
		return frozenset((d, h) for d, h in slots if all((d, h + k) in slots for k in range(duration)))

	def wish_room(
		self, store: dict[str, list[_RoomWish]], lesson_ids: Iterable[str], wish: _RoomWish
	) -> None:
		for room in wish.rooms:
			if room not in self.rooms and room not in self.virtual_rooms:
				self.report.warnings.append(f"{wish.label}: unknown room {room!r}")
		for le_id in lesson_ids:
			store.setdefault(le_id, []).append(wish)

	def _apply_rooms(self) -> None:
		"""Turn collected room wishes into lesson rooms (hard) and PreferredRooms (soft)."""
		soft: dict[tuple[float, frozenset[str], str], list[str]] = {}
		for le_id, lesson in self.lessons.items():
			preferred = self.preferred_rooms.get(le_id, [])
			wishes = preferred or self.home_rooms.get(le_id, [])
			wishes = [w for w in wishes if not w.rooms & self.virtual_rooms]  # (see the module's docstring)
			hard = [w.rooms for w in wishes if w.weight >= HARD]
			if hard:
				allowed = frozenset.intersection(*hard)
				lesson.rooms = sorted(allowed)
				lesson.needs_room = True
				if not allowed:
					self.report.warnings.append(f"activity {le_id}: hard room constraints leave no room")
			for w in wishes:
				if w.weight < HARD:
					soft.setdefault((w.weight, w.rooms, w.label), []).append(le_id)
		for (weight, rooms, label), lessons in soft.items():
			self.add(PreferredRooms(weight=weight, name=label, lessons=lessons, rooms=sorted(rooms)))


def _fet5_mode(version: str) -> str:
	"""FET 5 had no ``<Mode>``: its special builds marked the version ("5.44.2-bp", "5.27.3-ma3")."""
	suffix = version.partition("-")[2].lower()
	if not suffix:
		return "Official"
	if suffix.startswith("bp"):
		return "Block_Planning"
	if suffix.startswith("terms"):
		return "Terms"
	return "Mornings_Afternoons"


def _int(text: str) -> int:
	try:
		return int(float(text.strip()))
	except ValueError:
		return 0


# --- handlers: one per FET constraint tag; return False when the constraint is void ----------------

Handler = Callable[[_Importer, ET.Element, float], bool | None]


def _require_hard(label: str, weight: float) -> None:
	if weight < HARD:
		raise _Unsupported(f"{label} (weight < 100)")


def _basic(imp: _Importer, elem: ET.Element, weight: float) -> None:
	_require_hard(elem.tag, weight)


def _break_times(imp: _Importer, elem: ET.Element, weight: float) -> None:
	_require_hard(elem.tag, weight)
	imp.breaks |= imp.slots(elem, "Break_Time", "Day", "Hour")


def _not_available(kind: str) -> Handler:
	def handler(imp: _Importer, elem: ET.Element, weight: float) -> None:
		slots = imp.slots(elem, "Not_Available_Time", "Day", "Hour")
		if kind == "teacher":
			ids = imp.resource_ids(elem, "teacher")
			entities = [imp.teachers[i] for i in ids if i in imp.teachers]
		elif kind == "students":
			ids = imp.resource_ids(elem, "students")
			entities = [imp.subgroups[i] for i in ids]
		else:
			name = _text(elem, "Room")
			ids = [name]
			entities = [imp.rooms[name]] if name in imp.rooms else []
		if weight >= HARD:
			for entity in entities:
				entity.unavailable = entity.unavailable | slots
		else:
			imp.add(
				UnavailableTimes(weight=weight, name=_label(elem, ids), resource=kind, ids=ids, slots=slots)
			)

	return handler


def _label(elem: ET.Element, who: Iterable[str] = ()) -> str:
	short = elem.tag.removeprefix("Constraint")
	who = list(who)
	if not who:
		return short
	shown = ", ".join(who[:3]) + ("…" if len(who) > 3 else "")
	return f"{short} ({shown})"


Builder = Callable[["_Importer", ET.Element], tuple[type[Constraint], dict]]


def _per_resource(kind: str, scope: str, build: Builder) -> Handler:
	"""Teacher(s)/Students(Set) constraints; ``scope`` ``"all"`` = every teacher/subgroup."""

	def handler(imp: _Importer, elem: ET.Element, weight: float) -> bool | None:
		ids = [] if scope == "all" else imp.resource_ids(elem, kind)
		if scope == "one" and not ids:
			return False
		cls, fields = build(imp, elem)
		imp.add(cls(weight=weight, name=_label(elem, ids), resource=kind, ids=ids, **fields))
		return None

	return handler


def _gaps(per: str) -> Builder:
	return lambda _imp, e: (MaxGaps, {"max_gaps": _int(_text(e, "Max_Gaps")), "per": per})


def _max_hours(_imp: _Importer, e: ET.Element) -> tuple[type[Constraint], dict]:
	return MaxHoursDaily, {"max_hours": _int(_text(e, "Maximum_Hours_Daily"))}


def _tag(e: ET.Element) -> str:
	# teachers' variants name it Activity_Tag_Name, students' Activity_Tag
	return _text(e, "Activity_Tag_Name") or _text(e, "Activity_Tag")


def _tag_max_hours(_imp: _Importer, e: ET.Element) -> tuple[type[Constraint], dict]:
	return MaxHoursDaily, {"max_hours": _int(_text(e, "Maximum_Hours_Daily")), "tag": _tag(e)}


def _tag_max_continuously(_imp: _Importer, e: ET.Element) -> tuple[type[Constraint], dict]:
	return MaxHoursContinuously, {"max_hours": _int(_text(e, "Maximum_Hours_Continuously")), "tag": _tag(e)}


def _min_hours(_imp: _Importer, e: ET.Element) -> tuple[type[Constraint], dict]:
	allow = _text(e, "Allow_Empty_Days", "true").strip().lower() != "false"
	return MinHoursDaily, {"min_hours": _int(_text(e, "Minimum_Hours_Daily")), "allow_empty_days": allow}


def _max_days(_imp: _Importer, e: ET.Element) -> tuple[type[Constraint], dict]:
	return MaxDaysPerWeek, {"max_days": _int(_text(e, "Max_Days_Per_Week"))}


def _early(_imp: _Importer, e: ET.Element) -> tuple[type[Constraint], dict]:
	return EarlyMaxBeginningsAtSecondHour, {"max_beginnings": _int(_text(e, "Max_Beginnings_At_Second_Hour"))}


def _max_continuously(_imp: _Importer, e: ET.Element) -> tuple[type[Constraint], dict]:
	return MaxHoursContinuously, {"max_hours": _int(_text(e, "Maximum_Hours_Continuously"))}


def _min_days(_imp: _Importer, e: ET.Element) -> tuple[type[Constraint], dict]:
	return MinDaysPerWeek, {"min_days": _int(_text(e, "Minimum_Days_Per_Week"))}


def _interval_max_days(imp: _Importer, e: ET.Element) -> tuple[type[Constraint], dict]:
	start, end = _text(e, "Interval_Start_Hour"), _text(e, "Interval_End_Hour")
	start_index = imp.hour_index.get(start, imp.hour_index.get(start.strip()))
	# An empty end hour means "until the end of the day" (FET writes a comment saying so).
	end_index = imp.hour_index.get(end, imp.hour_index.get(end.strip())) if end.strip() else len(imp.hours)
	if start_index is None or end_index is None:
		raise _Unsupported(f"{e.tag} (unknown hour)")
	fields = {
		"start_period": start_index,
		"end_period": end_index,
		"max_days": _int(_text(e, "Max_Days_Per_Week")),
	}
	return IntervalMaxDaysPerWeek, fields


def _max_span(_imp: _Importer, e: ET.Element) -> tuple[type[Constraint], dict]:
	# only the teachers' variants have the exception field
	exception = _bool("Allow_One_Day_Exception_of_Plus_One")(e)
	return MaxSpanPerDay, {"max_span": _int(_text(e, "Max_Span")), "allow_one_day_exception": exception}


def _min_resting(_imp: _Importer, e: ET.Element) -> tuple[type[Constraint], dict]:
	return MinRestingHours, {
		"min_hours": _int(_text(e, "Minimum_Resting_Hours")),
		"circular": _bool("Circular")(e),
	}


def _ordered_tags(_imp: _Importer, e: ET.Element) -> tuple[type[Constraint], dict]:
	fields = {
		"first_tag": _text(e, "First_Activity_Tag"),
		"second_tag": _text(e, "Second_Activity_Tag"),
		"min_gaps": _int(_text(e, "MinGaps", "1")),
	}
	return MinGapsBetweenOrderedTags, fields


def _building_changes(per: str) -> Builder:
	tag = "Max_Building_Changes_Per_Day" if per == "day" else "Max_Building_Changes_Per_Week"
	return lambda _imp, e: (MaxBuildingChanges, {"max_changes": _int(_text(e, tag)), "per": per})


def _building_gaps(_imp: _Importer, e: ET.Element) -> tuple[type[Constraint], dict]:
	return MinGapsBetweenBuildingChanges, {"min_gaps": _int(_text(e, "Min_Gaps_Between_Building_Changes"))}


def _family(name: str, build: Builder, teachers: bool = True, students: bool = True) -> dict[str, Handler]:
	"""The up-to-four FET variants of one rule: Teacher, Teachers, Students, StudentsSet."""
	out = {}
	if teachers:
		out[f"ConstraintTeacher{name}"] = _per_resource("teacher", "one", build)
		out[f"ConstraintTeachers{name}"] = _per_resource("teacher", "all", build)
	if students:
		out[f"ConstraintStudents{name}"] = _per_resource("students", "all", build)
		out[f"ConstraintStudentsSet{name}"] = _per_resource("students", "one", build)
	return out


def _activity_list(cls: type[Constraint], **extra: Callable[[ET.Element], object]) -> Handler:
	def handler(imp: _Importer, elem: ET.Element, weight: float) -> bool | None:
		ids = imp.activity_ids(_texts(elem, "Activity_Id"))
		if len(ids) < 2:
			return False
		fields = {k: f(elem) for k, f in extra.items()}
		imp.add(cls(weight=weight, name=_label(elem, ids), lessons=ids, **fields))
		return None

	return handler


_PAIR_TAGS = ("First_Activity_Id", "Second_Activity_Id", "Third_Activity_Id")


def _filtered(cls: type[Constraint], selector: str) -> Handler:
	"""Constraints on one activity (``Activity_Id``) or on those matching FET's filter."""

	def handler(imp: _Importer, elem: ET.Element, weight: float) -> bool | None:
		ids = _selected(imp, elem, selector)
		if not ids:
			return False
		imp.add(cls(weight=weight, name=_label(elem, ids), lessons=ids))
		return None

	return handler


def _relation(kind: str, size: int = 2) -> Handler:
	def handler(imp: _Importer, elem: ET.Element, weight: float) -> bool | None:
		raw = [_text(elem, t) for t in _PAIR_TAGS[:size]]
		ids = imp.activity_ids(raw)
		if len(ids) < size:
			return False
		label = _label(elem, ids)
		if kind == "grouped":
			imp.add(Grouped(weight=weight, name=label, lessons=ids))
		else:
			cls = {"consecutive": Consecutive, "ordered": Ordered, "ordered_if_same_day": OrderedIfSameDay}[
				kind
			]
			imp.add(cls(weight=weight, name=label, first=ids[0], second=ids[1]))
		return None

	return handler


def _in_selected_slots(cls: type[Constraint], limit_field: str, limit_tag: str) -> Handler:
	"""A listed set of activities and a selection of time slots with a limit (occupy max slots, max
	simultaneous)."""

	def handler(imp: _Importer, elem: ET.Element, weight: float) -> bool | None:
		ids = imp.activity_ids(_texts(elem, "Activity_Id"))
		if not ids:
			return False
		slots = imp.slots(elem, "Selected_Time_Slot", "Selected_Day", "Selected_Hour")
		limit = {limit_field: _int(_text(elem, limit_tag))}
		imp.add(cls(weight=weight, name=_label(elem, ids), lessons=ids, slots=slots, **limit))
		return None

	return handler


def _activity_starting_time(imp: _Importer, elem: ET.Element, weight: float) -> bool | None:
	ids = imp.activity_ids([_text(elem, "Activity_Id")])
	if not ids:
		return False
	day, hour = _text(elem, "Preferred_Day"), _text(elem, "Preferred_Hour")
	# Old files may leave the day or the hour empty meaning "any".
	days = [day] if day.strip() else imp.days
	hours = [hour] if hour.strip() else imp.hours
	starts = frozenset(s for d in days for h in hours if (s := imp.slot(d, h, elem.tag)) is not None)
	lesson = imp.lessons[ids[0]]
	if weight >= HARD and len(starts) == 1:
		(lesson.fixed_start,) = starts
		lesson.locked = _text(elem, "Permanently_Locked", "false").strip().lower() == "true"
	elif weight >= HARD:
		imp.restrict_starts(ids, starts)
	else:
		imp.add(PreferredStartingTimes(weight=weight, name=_label(elem, ids), lessons=ids, starts=starts))
	return None


def _starting_times(selector: str) -> Handler:
	def handler(imp: _Importer, elem: ET.Element, weight: float) -> bool | None:
		ids = _selected(imp, elem, selector)
		if not ids:
			return False
		starts = imp.slots(
			elem, "Preferred_Starting_Time", "Preferred_Starting_Day", "Preferred_Starting_Hour"
		)
		if weight >= HARD:
			imp.restrict_starts(ids, starts)
		else:
			imp.add(PreferredStartingTimes(weight=weight, name=_label(elem, ids), lessons=ids, starts=starts))
		return None

	return handler


def _time_slots(selector: str) -> Handler:
	def handler(imp: _Importer, elem: ET.Element, weight: float) -> bool | None:
		ids = _selected(imp, elem, selector)
		if not ids:
			return False
		slots = imp.slots(elem, "Preferred_Time_Slot", "Preferred_Day", "Preferred_Hour")
		if weight >= HARD:
			by_duration: dict[int, list[str]] = {}
			for le_id in ids:
				by_duration.setdefault(imp.lessons[le_id].duration, []).append(le_id)
			for duration, same in by_duration.items():
				imp.restrict_starts(same, imp.starts_within(duration, slots))
		else:
			imp.add(PreferredTimeSlots(weight=weight, name=_label(elem, ids), lessons=ids, slots=slots))
		return None

	return handler


def _selected(imp: _Importer, elem: ET.Element, selector: str) -> list[str]:
	if selector == "activity":
		return imp.activity_ids([_text(elem, "Activity_Id")])
	if selector == "component":
		number = _int(_text(elem, "Component_Number", "0"))
		return [le_id for le_id in imp.select(elem) if imp.component.get(le_id) == number]
	return imp.select(elem)


def _room_names(elem: ET.Element) -> frozenset[str]:
	return frozenset(_texts(elem, "Preferred_Room") or _texts(elem, "Room"))


_ROOM_OWNER_TAGS = ("Teacher", "Students", "Subject", "Activity_Tag", "Activity_Id")


def _room_wish(store: str, match: Callable[[_Importer, ET.Element], list[str]]) -> Handler:
	def handler(imp: _Importer, elem: ET.Element, weight: float) -> bool | None:
		ids = match(imp, elem)
		if not ids:
			return False
		target = imp.preferred_rooms if store == "preferred" else imp.home_rooms
		rooms = _room_names(elem)
		owner = next(
			(t for tag in _ROOM_OWNER_TAGS if (t := _text(elem, tag).strip())),
			"",
		)
		label = f"{_label(elem, [owner])} → {', '.join(sorted(rooms))}"
		imp.wish_room(target, ids, _RoomWish(weight, rooms, label))
		return None

	return handler


def _by_activity(imp: _Importer, elem: ET.Element) -> list[str]:
	return imp.activity_ids([_text(elem, "Activity_Id")])


def _by_subject_and_tag(subject: bool, tag: bool) -> Callable[[_Importer, ET.Element], list[str]]:
	def match(imp: _Importer, elem: ET.Element) -> list[str]:
		want_subject, want_tag = _text(elem, "Subject"), _text(elem, "Activity_Tag")
		return [
			le.id
			for le in imp.lessons.values()
			if (not subject or le.subject == want_subject) and (not tag or want_tag in le.tags)
		]

	return match


def _by_single_teacher(imp: _Importer, elem: ET.Element) -> list[str]:
	name = _text(elem, "Teacher")
	return [le.id for le in imp.lessons.values() if le.teachers == [name]]


def _by_single_students(imp: _Importer, elem: ET.Element) -> list[str]:
	name = _text(elem, "Students")
	return [le_id for le_id, names in imp.activity_students.items() if names == [name]]


def _bool(tag: str) -> Callable[[ET.Element], bool]:
	return lambda e: _text(e, tag, "false").strip().lower() == "true"


_HANDLERS: dict[str, Handler] = {
	"ConstraintBasicCompulsoryTime": _basic,
	"ConstraintBasicCompulsorySpace": _basic,
	"ConstraintBreakTimes": _break_times,
	"ConstraintTeacherNotAvailableTimes": _not_available("teacher"),
	"ConstraintStudentsSetNotAvailableTimes": _not_available("students"),
	"ConstraintRoomNotAvailableTimes": _not_available("room"),
	"ConstraintMinDaysBetweenActivities": _activity_list(
		MinDaysBetween,
		min_days=lambda e: _int(_text(e, "MinDays", "1")),
		consecutive_if_same_day=_bool("Consecutive_If_Same_Day"),
	),
	"ConstraintActivitiesSameStartingTime": _activity_list(SameStartingTime),
	"ConstraintActivitiesSameStartingDay": _activity_list(SameStartingDay),
	"ConstraintActivitiesSameStartingHour": _activity_list(SameStartingHour),
	"ConstraintMinGapsBetweenActivities": _activity_list(
		MinGapsBetween, min_gaps=lambda e: _int(_text(e, "MinGaps", "1"))
	),
	"ConstraintMaxDaysBetweenActivities": _activity_list(
		MaxDaysBetween, max_days=lambda e: _int(_text(e, "MaxDays"))
	),
	"ConstraintActivityEndsStudentsDay": _filtered(EndsStudentsDay, "activity"),
	"ConstraintActivitiesEndStudentsDay": _filtered(EndsStudentsDay, "filter"),
	"ConstraintActivitiesNotOverlapping": _activity_list(NotOverlapping),
	"ConstraintTwoActivitiesConsecutive": _relation("consecutive"),
	"ConstraintTwoActivitiesOrdered": _relation("ordered"),
	"ConstraintTwoActivitiesOrderedIfSameDay": _relation("ordered_if_same_day"),
	"ConstraintActivitiesOccupyMaxTimeSlotsFromSelection": _in_selected_slots(
		OccupyMaxSlots, "max_slots", "Max_Number_of_Occupied_Time_Slots"
	),
	"ConstraintActivitiesMaxSimultaneousInSelectedTimeSlots": _in_selected_slots(
		MaxSimultaneous, "max_simultaneous", "Max_Number_of_Simultaneous_Activities"
	),
	"ConstraintActivitiesOccupyMaxDifferentRooms": _activity_list(
		OccupyMaxRooms, max_rooms=lambda e: _int(_text(e, "Max_Number_of_Different_Rooms"))
	),
	"ConstraintActivitiesSameRoomIfConsecutive": _activity_list(SameRoomIfConsecutive),
	"ConstraintTwoActivitiesGrouped": _relation("grouped"),
	"ConstraintThreeActivitiesGrouped": _relation("grouped", size=3),
	"ConstraintActivityPreferredStartingTime": _activity_starting_time,
	"ConstraintActivityPreferredStartingTimes": _starting_times("activity"),
	"ConstraintActivitiesPreferredStartingTimes": _starting_times("filter"),
	"ConstraintActivityPreferredTimeSlots": _time_slots("activity"),
	"ConstraintActivitiesPreferredTimeSlots": _time_slots("filter"),
	"ConstraintSubactivitiesPreferredStartingTimes": _starting_times("component"),
	"ConstraintSubactivitiesPreferredTimeSlots": _time_slots("component"),
	**_family("MaxGapsPerWeek", _gaps("week")),
	**_family("MaxGapsPerDay", _gaps("day")),
	**_family("MaxHoursDaily", _max_hours),
	**_family("MinHoursDaily", _min_hours),
	**_family("MaxDaysPerWeek", _max_days, students=False),
	**_family("EarlyMaxBeginningsAtSecondHour", _early, teachers=False),
	**_family("MaxHoursContinuously", _max_continuously),
	**_family("ActivityTagMaxHoursDaily", _tag_max_hours),
	**_family("ActivityTagMaxHoursContinuously", _tag_max_continuously),
	**_family("MinDaysPerWeek", _min_days, students=False),
	**_family("IntervalMaxDaysPerWeek", _interval_max_days),
	**_family("MaxBuildingChangesPerDay", _building_changes("day")),
	**_family("MaxBuildingChangesPerWeek", _building_changes("week")),
	**_family("MinGapsBetweenBuildingChanges", _building_gaps),
	**_family("MaxSpanPerDay", _max_span),
	**_family("MinRestingHours", _min_resting),
	**_family("MinGapsBetweenOrderedPairOfActivityTags", _ordered_tags),
	"ConstraintActivityPreferredRoom": _room_wish("preferred", _by_activity),
	"ConstraintActivityPreferredRooms": _room_wish("preferred", _by_activity),
	"ConstraintSubjectPreferredRoom": _room_wish("preferred", _by_subject_and_tag(True, False)),
	"ConstraintSubjectPreferredRooms": _room_wish("preferred", _by_subject_and_tag(True, False)),
	"ConstraintActivityTagPreferredRoom": _room_wish("preferred", _by_subject_and_tag(False, True)),
	"ConstraintActivityTagPreferredRooms": _room_wish("preferred", _by_subject_and_tag(False, True)),
	"ConstraintSubjectActivityTagPreferredRoom": _room_wish("preferred", _by_subject_and_tag(True, True)),
	"ConstraintSubjectActivityTagPreferredRooms": _room_wish("preferred", _by_subject_and_tag(True, True)),
	"ConstraintTeacherHomeRoom": _room_wish("home", _by_single_teacher),
	"ConstraintTeacherHomeRooms": _room_wish("home", _by_single_teacher),
	"ConstraintStudentsSetHomeRoom": _room_wish("home", _by_single_students),
	"ConstraintStudentsSetHomeRooms": _room_wish("home", _by_single_students),
}

SUPPORTED_CONSTRAINTS: tuple[str, ...] = tuple(sorted(_HANDLERS))
"""FET constraint tags the importer translates (some only at weight 100: basic, break times)."""


# --- FET's own timetables ------------------------------------------------------------------------


def read_fet_timetable(source: str | Path | bytes, problem: Problem) -> dict[str, Assignment]:
	"""Assignments from a timetable FET generated, for lessons of ``problem``.

	Accepts ``fet-cl``'s ``*_activities.xml`` (``<Activities_Timetable>``) or a
	``*_data_and_timetable.fet`` file, where FET stores the timetable as one weight-100
	*activity preferred starting time* (and *preferred room*) per activity, appended after the
	user's own constraints — so the last one per activity wins.
	"""
	data = source if isinstance(source, bytes) else Path(source).read_bytes()
	try:
		root = ET.fromstring(data)
	except ET.ParseError as exc:
		raise FetFormatError(f"not well-formed XML: {exc}") from None
	days = {name: i for i, name in enumerate(problem.days)}
	hours = {name: i for i, name in enumerate(problem.period_names)}
	lessons = problem.lesson_map()

	def index(names: dict[str, int], name: str) -> int | None:
		return names.get(name, names.get(name.strip()))

	found: dict[str, Assignment] = {}
	if root.tag == "Activities_Timetable":
		for act in root.findall("Activity"):
			le_id = _text(act, "Id").strip()
			day, hour = index(days, _text(act, "Day")), index(hours, _text(act, "Hour"))
			# FET lists the real rooms an activity in a virtual room takes; we model neither
			room = None if act.find("Real_Room") is not None else _text(act, "Room") or None
			if le_id in lessons and day is not None and hour is not None:
				found[le_id] = Assignment(le_id, day, hour, room)
		return found
	if root.tag != "fet":
		raise FetFormatError(f"<{root.tag}> is neither <Activities_Timetable> nor <fet>")
	rooms: dict[str, str] = {}
	room_list = root.find("Rooms_List")
	virtual = (
		{_text(r, "Name") for r in room_list.findall("Room") if _is_virtual(r)}
		if room_list is not None
		else set()
	)
	for elem in root.iter("ConstraintActivityPreferredRoom"):
		if _is_active(elem) and float(_text(elem, "Weight_Percentage", "0")) >= HARD:
			if _text(elem, "Room") not in virtual:
				rooms[_text(elem, "Activity_Id").strip()] = _text(elem, "Room")
	for elem in root.iter("ConstraintActivityPreferredStartingTime"):
		if not _is_active(elem) or float(_text(elem, "Weight_Percentage", "0")) < HARD:
			continue
		le_id = _text(elem, "Activity_Id").strip()
		day, hour = index(days, _text(elem, "Preferred_Day")), index(hours, _text(elem, "Preferred_Hour"))
		if le_id in lessons and day is not None and hour is not None:
			found[le_id] = Assignment(le_id, day, hour, rooms.get(le_id) or None)
	return found
