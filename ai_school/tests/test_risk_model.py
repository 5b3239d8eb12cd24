"""The trained risk model on a real site: retraining stores an AI Risk Model version with its metrics, only
managers may retrain, a version is activated only when the rule says so, the recompute then scores with the
model (reasons still add up), the pass mark comes from the grading scale unless the school sets one, and a
Data Import (every row committed) queues one recompute job.

The school: a holiday list with weekends off; an academic year with two ended terms and a current one; 16
students in one course group, each with a midterm and a final per term, filed under a grading scale whose
D (40 %) is described "Pass". The weaker students slip in the final; the four strongest have serious
behaviour incidents every term but pass anyway, which the ABC rule counts against them and a model of this
school learns to ignore. Jobs run inline with commit=False inside the test transaction.
"""

import json
import time

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, nowdate
from frappe.utils.background_jobs import get_job

from ai_school.api import risk_model as api
from ai_school.core.insights.model import RiskModel
from ai_school.core.insights.training import HistoryRequirement
from ai_school.insights import risk, risk_model
from ai_school.tests import utils

SAVEPOINT = "ai_school_risk_model_test"
SCALE = "AI RM Test Scale"
CRITERION = "AI RM Exam"
# term % of each student in the first and second ended term and the current term's midterm
ABILITY = [25, 30, 34, 38, 42, 45, 48, 52, 55, 60, 64, 68, 72, 78, 84, 90]


class TestRiskModel(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		day = getdate(nowdate())
		cls.year = utils.make_dated_year("AI RM Year", add_days(day, -330), add_days(day, 60))
		cls.terms = [
			utils.make_term(cls.year, "First", add_days(day, -320), add_days(day, -221)),
			utils.make_term(cls.year, "Second", add_days(day, -210), add_days(day, -111)),
			utils.make_term(cls.year, "Current", add_days(day, -100), add_days(day, 30)),
		]
		cls.company = utils.use_weekend_holidays(add_days(day, -330), add_days(day, 60))
		cls.make_scale()
		if not frappe.db.exists("Assessment Criteria", CRITERION):
			frappe.get_doc({"doctype": "Assessment Criteria", "assessment_criteria": CRITERION}).insert(
				ignore_permissions=True
			)
		cls.course = utils.make_course()
		cls.students = [utils.make_student(f"Rm{i}", with_user=False).name for i in range(len(ABILITY))]
		cls.group = utils.make_student_group(cls.students, course=cls.course)
		frappe.db.set_single_value("AI School Settings", "enable_insights", 1)
		# each ended term: a midterm and a final; the weaker half of the class slips in the final
		for t, term in enumerate(cls.terms[:2]):
			start = frappe.db.get_value("Academic Term", term, "term_start_date")
			for exam, when, shift in (("Mid", 45, 0), ("Final", 85, -8)):
				plan = cls.make_plan(term, add_days(start, when), f"{exam} {t}")
				# last student first: the results' own order is not the students' (as in a real school)
				for student, ability in reversed(list(zip(cls.students, ABILITY, strict=True))):
					cls.make_result(plan, student, ability + (shift if ability < 50 else 4) - 3 * t)
			for student in cls.students[-4:]:
				for when in (10, 30):
					cls.make_incident(student, add_days(start, when))
		start = frappe.db.get_value("Academic Term", cls.terms[2], "term_start_date")
		cls.current_plan = cls.make_plan(cls.terms[2], add_days(start, 45), "Mid 2")
		for student, ability in zip(cls.students, ABILITY, strict=True):
			cls.make_result(cls.current_plan, student, ability)
		frappe.cache.delete_value(risk.PENDING_KEY)  # the events above queued every student

	@classmethod
	def make_scale(cls):
		if frappe.db.exists("Grading Scale", SCALE):
			return
		frappe.get_doc(
			{
				"doctype": "Grading Scale",
				"grading_scale_name": SCALE,
				"intervals": [
					{"grade_code": code, "threshold": threshold, "grade_description": description}
					for code, threshold, description in (
						("A", 85, "Excellent"),
						("B", 70, "Good"),
						("C", 55, "Satisfactory"),
						("D", 40, "Pass"),
						("F", 0, "Fail"),
					)
				],
			}
		).insert(ignore_permissions=True).submit()

	@classmethod
	def make_plan(cls, term: str, day, name: str) -> str:
		plan = frappe.get_doc(
			{
				"doctype": "Assessment Plan",
				"assessment_name": utils.unique(f"AI RM {name}"),
				"student_group": cls.group,
				"course": cls.course,
				"assessment_group": utils._assessment_group(),
				"grading_scale": SCALE,
				"schedule_date": day,
				"from_time": "09:00:00",
				"to_time": "10:00:00",
				"maximum_assessment_score": 100,
				"assessment_criteria": [{"assessment_criteria": CRITERION, "maximum_score": 100}],
			}
		).insert(ignore_permissions=True)
		plan.submit()
		# Education files a plan under the site's default term; the test says which term it means
		frappe.db.set_value("Assessment Plan", plan.name, {"academic_term": term, "schedule_date": day})
		return plan.name

	@classmethod
	def make_result(cls, plan: str, student: str, score: float) -> str:
		utils.forget_education_grading_scale()
		result = frappe.get_doc(
			{
				"doctype": "Assessment Result",
				"assessment_plan": plan,
				"student": student,
				"student_group": cls.group,
				"course": cls.course,
				"grading_scale": SCALE,
				"maximum_score": 100,
				"details": [{"assessment_criteria": CRITERION, "score": max(0, min(100, score))}],
			}
		).insert(ignore_permissions=True)
		result.submit()
		term = frappe.db.get_value("Assessment Plan", plan, "academic_term")
		frappe.db.set_value("Assessment Result", result.name, "academic_term", term)
		return result.name

	@classmethod
	def make_incident(cls, student: str, day) -> None:
		frappe.get_doc(
			{
				"doctype": "Behaviour Incident",
				"student": student,
				"date": day,
				"category": "Fighting",
				"severity": "Major",
				"status": "Resolved",
				"description": "Fight at break.",
			}
		).insert(ignore_permissions=True)

	@classmethod
	def tearDownClass(cls):
		super().tearDownClass()
		frappe.clear_document_cache("Company", cls.company)

	def setUp(self):
		frappe.db.savepoint(SAVEPOINT)
		frappe.db.set_single_value("Education Settings", "current_academic_term", self.terms[2])
		frappe.db.set_single_value("AI School Settings", "enable_insights", 1)
		frappe.db.set_single_value("AI School Settings", "pass_mark", 0)
		# the site's own versions (a benchmark's, the daily job's) stay out of these tests
		frappe.db.set_value(risk_model.DOCTYPE, {"status": risk_model.ACTIVE}, "status", risk_model.RETIRED)
		frappe.cache.delete_value(risk.PENDING_KEY)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback(save_point=SAVEPOINT)
		frappe.cache.delete_value(risk.PENDING_KEY)

	def retrain(self, requirement=None) -> dict:
		# chunks of 5 students: the history is read a page at a time, as on a big school
		return risk_model.retrain(terms=self.terms[:2], requirement=requirement, chunk_size=5, commit=False)

	def lenient(self) -> HistoryRequirement:
		"""A history requirement this small school meets (the default needs hundreds of student-terms)."""
		return HistoryRequirement(min_per_class=2, min_test_per_class=2, rate_margin=0.5)

	# --- retraining ------------------------------------------------------------------------------------

	def test_retraining_stores_a_version_with_temporal_metrics_and_keeps_the_rule_without_enough_history(
		self,
	):
		summary = self.retrain()
		doc = frappe.get_doc(risk_model.DOCTYPE, summary["version"])
		self.assertEqual(doc.status, risk_model.NOT_ACTIVATED)
		self.assertEqual((doc.first_term, doc.last_term, doc.terms), (self.terms[0], self.terms[1], 2))
		self.assertEqual(doc.student_terms, 2 * len(ABILITY))
		self.assertEqual(doc.rows, 3 * doc.student_terms)  # a quarter, half and three quarters of each term
		self.assertGreater(doc.positives, 0)
		self.assertLess(doc.positives, doc.student_terms)
		self.assertEqual(doc.pass_mark, 40)  # the grading scale's "Pass" band
		self.assertEqual(doc.test_terms, self.terms[1])
		self.assertEqual(doc.test_rows, 3 * len(ABILITY))
		for field in (
			"f1",
			"accuracy",
			"roc_auc",
			"brier",
			"rule_f1",
			"rule_accuracy",
			"rule_roc_auc",
			"rule_brier",
		):
			self.assertIsNotNone(doc.get(field), field)
		self.assertTrue(0 <= doc.brier <= 1 and 0 <= doc.roc_auc <= 1)
		self.assertEqual(doc.trained_by, "Administrator")
		self.assertIn("Not enough labelled history", doc.decision)
		self.assertIn("Not activated: the ABC rule stays in use.", doc.decision)
		# the parameters are JSON a RiskModel reads back (no pickle)
		model = RiskModel.from_dict(json.loads(doc.parameters))
		self.assertEqual(model.n_train_, doc.rows)
		self.assertEqual(len(json.loads(doc.validation)["by_term"]), 1)
		# the rule stays in use
		self.assertIsNone(risk_model.load_active())
		risk.recompute_students([self.students[0]])
		self.assertEqual(
			frappe.db.get_value(risk.PROFILE, self.students[0], "model_version"),
			f"ABC rule ({self.terms[2]})",
		)

	def test_a_version_is_activated_only_when_the_history_suffices_and_it_beats_the_rule(self):
		first = self.retrain(self.lenient())
		doc = frappe.get_doc(risk_model.DOCTYPE, first["version"])
		stored = json.loads(doc.validation)["pooled"]
		# the rule flags the strong students' incidents; the model learnt from the first term they don't matter
		self.assertGreater(stored["model"]["roc_auc"], stored["rule"]["roc_auc"])
		self.assertLess(stored["model"]["brier"], stored["rule"]["brier"])
		self.assertEqual(doc.status, risk_model.ACTIVE, doc.decision)
		self.assertIn("Beats or matches the ABC rule", doc.decision)
		self.assertIn("Activated", doc.decision)
		self.assertEqual(risk_model.load_active()[0], doc.name)
		# a second activated version retires the first; a refused one leaves the active one alone
		second = self.retrain(self.lenient())
		self.assertEqual(
			frappe.db.get_value(risk_model.DOCTYPE, second["version"], "status"), risk_model.ACTIVE
		)
		self.assertEqual(frappe.db.get_value(risk_model.DOCTYPE, doc.name, "status"), risk_model.RETIRED)
		third = self.retrain()  # the default requirement: not enough history
		third_doc = frappe.get_doc(risk_model.DOCTYPE, third["version"])
		self.assertEqual(third_doc.status, risk_model.NOT_ACTIVATED)
		self.assertIn("the version already active stays in use", third_doc.decision)
		self.assertEqual(risk_model.load_active()[0], second["version"])

	def test_a_version_without_a_model_cannot_be_activated(self):
		doc = frappe.get_doc(risk_model.DOCTYPE, self.retrain()["version"])
		doc.db_set("parameters", None)
		doc.reload()
		doc.status = risk_model.ACTIVE
		self.assertRaises(frappe.ValidationError, doc.save)

	def test_the_recompute_scores_with_the_active_model_and_the_reasons_still_add_up(self):
		doc = frappe.get_doc(risk_model.DOCTYPE, self.retrain()["version"])
		doc.status = risk_model.ACTIVE  # a manager's decision overrides the refusal
		doc.save()
		model = RiskModel.from_dict(json.loads(doc.parameters))
		weak, strong = self.students[0], self.students[-1]
		self.assertEqual(risk.recompute_students([weak, strong]), 2)

		context = risk.load_context()
		data, _ = risk._school_data([weak, strong], context)
		from ai_school.core.insights.features import extract_features

		features = {
			f.student: f for f in extract_features(data, as_of=context.on_date) if f.term == self.terms[2]
		}
		for student in (weak, strong):
			profile = frappe.get_doc(risk.PROFILE, student)
			self.assertEqual(profile.model_version, f"{doc.name} ({self.terms[2]})")
			expected = 100 * model.predict_proba([features[student].as_row()])[0, 1]
			self.assertAlmostEqual(profile.risk_score, round(expected, 2), places=6)
			self.assertEqual(profile.factors[0].factor, "Typical student")
			self.assertAlmostEqual(sum(row.impact for row in profile.factors), profile.risk_score, places=6)
		self.assertGreater(
			frappe.db.get_value(risk.PROFILE, weak, "risk_score"),
			frappe.db.get_value(risk.PROFILE, strong, "risk_score"),
		)

	def test_retired_model_gives_the_rule_back(self):
		doc = frappe.get_doc(risk_model.DOCTYPE, self.retrain()["version"])
		doc.status = risk_model.ACTIVE
		doc.save()
		doc.status = risk_model.RETIRED
		doc.save()
		self.assertIsNone(risk_model.load_active())

	# --- who may retrain -------------------------------------------------------------------------------

	def test_only_managers_may_retrain_or_see_the_model(self):
		instructor = utils.make_instructor()
		student = utils.make_student()
		manager = utils.make_user(("Education Manager",))
		for user in (instructor.user, student.user):
			frappe.set_user(user)
			self.assertRaises(frappe.PermissionError, api.retrain)
			self.assertRaises(frappe.PermissionError, api.get_status)
			self.assertFalse(frappe.has_permission(risk_model.DOCTYPE, "read"))
		frappe.set_user(manager)
		self.assertTrue(frappe.has_permission(risk_model.DOCTYPE, "read"))
		self.assertEqual(api.get_status()["scoring"], "ABC rule")
		# past the permission check: with early warning switched off, a manager is told so (nothing queued)
		frappe.db.set_single_value("AI School Settings", "enable_insights", 0)
		self.assertRaisesRegex(frappe.ValidationError, "switched off", api.retrain)

	# --- the pass mark ---------------------------------------------------------------------------------

	def test_the_grading_scale_pass_mark_wins_unless_the_school_sets_one(self):
		borderline = self.students[ABILITY.index(45)]  # 45 % this term: passes at D (40 %), fails at 50 %
		risk.recompute_students([borderline])
		profile = frappe.get_doc(risk.PROFILE, borderline)
		self.assertEqual([row.standing for row in profile.course_standings], ["On Track"])
		course = next(row for row in profile.factors if row.factor == "Course performance")
		self.assertIn("(pass mark 40 %)", course.explanation)

		frappe.db.set_single_value("AI School Settings", "pass_mark", 50)
		risk.recompute_students([borderline])
		profile = frappe.get_doc(risk.PROFILE, borderline)
		self.assertEqual([row.standing for row in profile.course_standings], ["Weakness"])
		course = next(row for row in profile.factors if row.factor == "Course performance")
		self.assertIn("Failing 1 course below the pass mark of 50 %", course.explanation)

	def test_the_patch_clears_the_old_default_but_keeps_a_chosen_pass_mark(self):
		from ai_school.patches import pass_mark_from_grading_scale as patch

		frappe.db.delete("Version", {"ref_doctype": patch.SETTINGS})  # rolled back with the test
		frappe.db.set_single_value(patch.SETTINGS, "pass_mark", 50)
		patch.execute()
		self.assertEqual(frappe.db.get_single_value(patch.SETTINGS, "pass_mark"), 0)

		frappe.db.set_single_value(patch.SETTINGS, "pass_mark", 50)
		frappe.get_doc(
			{
				"doctype": "Version",
				"ref_doctype": patch.SETTINGS,
				"docname": patch.SETTINGS,
				"data": json.dumps({"changed": [["pass_mark", 40, 50]]}),
			}
		).insert(ignore_permissions=True)
		patch.execute()
		self.assertEqual(frappe.db.get_single_value(patch.SETTINGS, "pass_mark"), 50)

	# --- scheduling ------------------------------------------------------------------------------------

	def test_the_daily_job_retrains_once_per_ended_term_a_week_after_it_ends(self):
		latest = risk_model.education_data.get_terms_ended_before(nowdate(), limit=1)[-1].name
		self.assertEqual(latest, self.terms[1])  # ended 111 days ago, the latest on this site
		frappe.db.delete(risk_model.DOCTYPE, {"last_term": latest})
		self.assertEqual(risk_model.term_to_retrain(), latest)
		frappe.db.set_single_value("AI School Settings", "enable_insights", 0)
		self.assertIsNone(risk_model.term_to_retrain())
		frappe.db.set_single_value("AI School Settings", "enable_insights", 1)
		self.retrain()  # a version trained through the latest ended term: it is covered
		self.assertIsNone(risk_model.term_to_retrain())
		# a term that ended yesterday waits for its late results
		frappe.db.set_value("Academic Term", self.terms[2], "term_end_date", add_days(nowdate(), -1))
		self.assertIsNone(risk_model.term_to_retrain())
		frappe.db.set_value(
			"Academic Term", self.terms[2], "term_end_date", add_days(nowdate(), -risk_model.GRACE_DAYS)
		)
		self.assertEqual(risk_model.term_to_retrain(), self.terms[2])

	# --- coalescing ------------------------------------------------------------------------------------

	def test_a_data_import_committing_every_row_queues_one_recompute_job(self):
		"""Each row's commit runs enqueue_after_commit; while the job waits for the import to go quiet
		(debounce), the later rows find it queued or running and add their students to its set."""
		names = [
			f"AI-RM-IMPORT-{i:03d}" for i in range(60)
		]  # never committed: the job finds no such students
		jobs = []
		try:
			for name in names:
				risk.queue_recompute([name])
				jobs.append(risk.enqueue_after_commit())  # what the row's commit runs
			self.assertEqual(sum(job is not None for job in jobs), 1, jobs)
		finally:
			self.finish_job()

	def finish_job(self):
		"""Leave no job behind for the next test: cancel it while queued, else let it finish (it waits for
		two quiet seconds and finds none of the uncommitted students)."""
		job = get_job(risk.JOB_ID)
		if job is None:
			return
		if job.get_status() == "queued":
			job.cancel()
			job.delete()
			return
		deadline = time.monotonic() + 120
		while job.get_status() in ("queued", "started") and time.monotonic() < deadline:
			time.sleep(0.5)

	def test_the_job_waits_until_no_student_was_queued_for_a_while(self):
		frappe.cache.set_value(risk.LAST_QUEUED_KEY, time.time() - 60, expires_in_sec=60)
		self.assertLess(risk.wait_until_quiet(2.0), 1.0)  # quiet for a minute: no wait
		risk._touch()
		self.assertGreaterEqual(risk.wait_until_quiet(0.5), 0.45)  # just queued: waits for quiet
		risk._touch()
		self.assertLess(risk.wait_until_quiet(30, longest=0.5), 10)  # never longer than `longest`
