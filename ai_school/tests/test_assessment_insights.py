"""Assessment Insights on a real site: submitting results queues one refresh per plan and the job writes one
insight per result with the gaps against the plan's group mean and the trend against earlier results;
cancelling withdraws; a family sees an insight only once Shared (the student their own, a guardian their
wards'), instructors only for their current-year groups; students get no staff residue (Version, Comment);
the model's wording is kept only when its numbers are the computed ones.

Real users and Education records from ai_school/tests/utils.py; the job runs inline with commit=False."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, nowdate

from ai_school import llm
from ai_school.insights import assessment
from ai_school.tests import desk, utils

SAVEPOINT = "ai_school_assessment_insights_test"
INSIGHT = "Assessment Insight"
GETDOC = "frappe.desk.form.load.getdoc"
GET_DOCINFO = "frappe.desk.form.load.get_docinfo"
MAXIMUMS = {"AI Test Reading": 10, "AI Test Writing": 10}
# reading, writing per student: the class means are reading 6, writing 7
CLASS_SCORES = [(3, 8), (6, 7), (7, 5), (8, 8)]


def scores(reading, writing):
	return {"AI Test Reading": (reading, 10), "AI Test Writing": (writing, 10)}


class TestAssessmentInsights(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()  # rolled back when the class ends
		cls.students = [utils.make_student(f"Kid{i}") for i in range(len(CLASS_SCORES))]
		cls.other_student = utils.make_student("Otto")
		cls.guardian = utils.make_guardian([cls.students[0].name], "Gwen")
		cls.teacher = utils.make_instructor("Tara")
		cls.old_teacher = utils.make_instructor("Olga")
		cls.course = utils.make_course()
		cls.group = utils.make_student_group(
			[s.name for s in cls.students], [cls.teacher.name], course=cls.course
		)
		# last year's class of the same students, taught by another teacher
		last_year = utils.make_academic_year("AI School Test Year Before", years_back=1)
		cls.old_group = utils.make_student_group([s.name for s in cls.students], [cls.old_teacher.name])
		frappe.db.set_value("Student Group", cls.old_group, "academic_year", last_year)

	def setUp(self):
		frappe.db.savepoint(SAVEPOINT)
		frappe.db.set_single_value("Education Settings", "current_academic_year", utils.make_academic_year())
		frappe.db.set_single_value("AI School Settings", "enable_insights", 1)
		frappe.cache.delete_value(assessment.PENDING_KEY)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback(save_point=SAVEPOINT)
		frappe.cache.delete_value(assessment.PENDING_KEY)

	# --- helpers -----------------------------------------------------------------------------------------

	def mark_class(self, class_scores=CLASS_SCORES, schedule_date=None) -> tuple[str, list[str]]:
		plan = utils.make_assessment_plan(self.group, self.course, MAXIMUMS, schedule_date=schedule_date)
		results = [
			utils.make_assessment_result(
				student.name, self.group, self.course, scores(*marks), assessment_plan=plan
			)
			for student, marks in zip(self.students, class_scores, strict=False)
		]
		return plan, results

	def insight_of(self, result: str):
		name = frappe.db.get_value(INSIGHT, {"assessment_result": result}, "name")
		return frappe.get_doc(INSIGHT, name) if name else None

	def shared_insight(self, student_index: int = 0) -> str:
		_plan, results = self.mark_class()
		assessment.drain_pending(commit=False)
		insight = self.insight_of(results[student_index])
		insight.status = "Shared"
		insight.save(ignore_permissions=True)
		return insight.name

	def names(self, **kwargs):
		return set(frappe.get_list(INSIGHT, pluck="name", limit_page_length=0, **kwargs))

	# --- creation --------------------------------------------------------------------------------------

	def test_submitting_a_class_queues_its_plan_once_and_the_job_writes_one_insight_per_result(self):
		plan, results = self.mark_class()
		self.assertEqual(assessment.pending_plans(), {plan})  # four submits, one plan to refresh
		self.assertIsNone(self.insight_of(results[0]))  # nothing is computed in the submitting request
		self.assertEqual(assessment.drain_pending(commit=False), 4)
		self.assertEqual(assessment.pending_plans(), set())
		self.assertEqual(frappe.db.count(INSIGHT, {"assessment_result": ("in", results)}), 4)

	def test_gaps_are_against_the_mean_of_the_plans_submitted_results(self):
		_plan, results = self.mark_class()
		assessment.drain_pending(commit=False)
		insight = self.insight_of(results[0])  # reading 3, writing 8
		self.assertEqual(insight.status, "Draft")
		self.assertEqual(insight.source, "Rule")
		self.assertEqual(insight.student, self.students[0].name)
		self.assertEqual(insight.user, self.students[0].user)
		rows = {row.assessment_criteria: row for row in insight.gaps}
		self.assertEqual(rows["AI Test Reading"].group_mean, 6)  # (3 + 6 + 7 + 8) / 4
		self.assertEqual(rows["AI Test Reading"].gap, -3)
		self.assertEqual(rows["AI Test Writing"].group_mean, 7)  # (8 + 7 + 5 + 8) / 4
		self.assertEqual(rows["AI Test Writing"].gap, 1)
		self.assertEqual({row.group_count for row in insight.gaps}, {4})
		self.assertEqual(insight.score_percent, 55)
		self.assertEqual(insight.group_mean_percent, 65)
		self.assertEqual(insight.group_size, 4)
		self.assertEqual(insight.trend, "First Result")
		self.assertIn("AI Test Reading: 3 out of 10, 3 below the group mean of 6.", insight.suggestions)
		self.assertEqual(rows["AI Test Reading"].user, self.students[0].user)  # personal data requests

	def test_drafts_get_the_new_mean_as_results_come_in_but_reviewed_and_edited_ones_keep_theirs(self):
		plan = utils.make_assessment_plan(self.group, self.course, MAXIMUMS)
		first = [
			utils.make_assessment_result(s.name, self.group, self.course, scores(*m), assessment_plan=plan)
			for s, m in zip(self.students[:3], CLASS_SCORES[:3], strict=True)
		]
		assessment.drain_pending(commit=False)
		reviewed = self.insight_of(first[1])
		reviewed.status = "Reviewed"
		reviewed.save(ignore_permissions=True)
		frappe.set_user(self.teacher.user)
		edited = self.insight_of(first[2])
		edited.suggestions = "<p>Well done on the reading; let's work on paragraphs.</p>"
		edited.save()
		self.assertEqual(edited.source, "Teacher")
		frappe.set_user("Administrator")
		self.assertEqual(self.insight_of(first[0]).gaps[0].group_mean, 5.33)  # (3 + 6 + 7) / 3

		utils.make_assessment_result(
			self.students[3].name, self.group, self.course, scores(*CLASS_SCORES[3]), assessment_plan=plan
		)
		assessment.drain_pending(commit=False)
		self.assertEqual(self.insight_of(first[0]).gaps[0].group_mean, 6)  # the Draft follows
		self.assertEqual(
			self.insight_of(first[1]).gaps[0].group_mean, 5.33
		)  # Reviewed: as the teacher saw it
		kept = self.insight_of(first[2])
		self.assertEqual(kept.gaps[0].group_mean, 6)  # a Draft: new numbers ...
		self.assertIn("let's work on paragraphs", kept.suggestions)  # ... the teacher's words kept
		self.assertEqual(kept.source, "Teacher")

	def test_no_group_mean_with_fewer_than_three_results(self):
		plan = utils.make_assessment_plan(self.group, self.course, MAXIMUMS)
		for student, marks in zip(self.students[:2], CLASS_SCORES[:2], strict=True):
			utils.make_assessment_result(
				student.name, self.group, self.course, scores(*marks), assessment_plan=plan
			)
		assessment.drain_pending(commit=False)
		insight = frappe.get_doc(INSIGHT, {"assessment_plan": plan, "student": self.students[0].name})
		self.assertEqual(
			[(row.group_mean, row.gap, row.group_count) for row in insight.gaps], [(0, 0, 2)] * 2
		)
		self.assertNotIn("group mean", insight.suggestions)

	def test_trend_against_the_students_earlier_results_in_the_course(self):
		self.mark_class([(9, 9), (6, 7), (7, 5), (8, 8)], schedule_date=add_days(nowdate(), -30))
		_plan, results = self.mark_class()
		assessment.drain_pending(commit=False)
		insight = self.insight_of(results[0])  # 90 % before, 55 % now
		self.assertEqual(insight.trend, "Declining")
		self.assertEqual(insight.previous_percent, 90)
		self.assertEqual(insight.trend_points, -35)
		self.assertIn("Down 35 points on the previous result in this course (90 %).", insight.suggestions)
		self.assertEqual(self.insight_of(results[1]).trend, "Stable")  # 65 % both times

	def test_pass_mark_is_the_schools_else_the_grading_scales_pass_grade(self):
		scale = frappe.db.get_value("Assessment Plan", self.mark_class()[0], "grading_scale")
		frappe.db.set_single_value("AI School Settings", "pass_mark", 0)
		self.assertEqual(assessment.pass_mark_for(scale), 50)  # A 80, B 65, C 50, F 0: C is the pass grade
		frappe.db.set_single_value("AI School Settings", "pass_mark", 60)
		self.assertEqual(assessment.pass_mark_for(scale), 60)
		assessment.drain_pending(commit=False)
		insight = frappe.get_doc(INSIGHT, {"student": self.students[0].name, "group_size": 4})
		self.assertIn("The total of 55 % is below the pass mark of 60 %.", insight.suggestions)

	def test_insights_are_off_with_the_feature(self):
		frappe.db.set_single_value("AI School Settings", "enable_insights", 0)
		_plan, results = self.mark_class()
		self.assertEqual(assessment.pending_plans(), set())
		assessment.drain_pending(commit=False)
		self.assertIsNone(self.insight_of(results[0]))

	def test_backfill_creates_the_missing_insights_of_recent_plans(self):
		frappe.db.set_single_value(
			"AI School Settings", "enable_insights", 0
		)  # results land without insights
		_plan, results = self.mark_class()
		frappe.db.set_single_value("AI School Settings", "enable_insights", 1)
		self.assertIsNone(self.insight_of(results[0]))
		assessment.backfill(since=add_days(nowdate(), -1), commit=False)
		self.assertEqual(frappe.db.count(INSIGHT, {"assessment_result": ("in", results)}), 4)

	# --- cancel and delete -------------------------------------------------------------------------------

	def test_cancelling_the_result_withdraws_its_shared_insight_at_once(self):
		name = self.shared_insight()
		result = frappe.db.get_value(INSIGHT, name, "assessment_result")
		frappe.set_user(self.students[0].user)
		self.assertIn(name, self.names())
		frappe.set_user("Administrator")
		frappe.get_doc("Assessment Result", result).cancel()
		self.assertEqual(frappe.db.get_value(INSIGHT, name, "status"), "Withdrawn")
		frappe.set_user(self.students[0].user)
		self.assertNotIn(name, self.names())
		self.assertFalse(frappe.has_permission(INSIGHT, "read", name))
		frappe.set_user("Administrator")
		insight = frappe.get_doc(INSIGHT, name)
		insight.status = "Shared"
		with self.assertRaisesRegex(frappe.ValidationError, "was cancelled"):
			insight.save(ignore_permissions=True)

	def test_cancelling_refreshes_the_classmates_means(self):
		_plan, results = self.mark_class()
		assessment.drain_pending(commit=False)
		frappe.get_doc("Assessment Result", results[3]).cancel()  # reading 8 leaves the class
		assessment.drain_pending(commit=False)
		self.assertEqual(self.insight_of(results[0]).gaps[0].group_mean, 5.33)  # (3 + 6 + 7) / 3

	def test_deleting_a_cancelled_result_deletes_its_insight(self):
		_plan, results = self.mark_class()
		assessment.drain_pending(commit=False)
		name = self.insight_of(results[0]).name
		frappe.get_doc("Assessment Result", results[0]).cancel()
		frappe.delete_doc("Assessment Result", results[0])
		self.assertFalse(frappe.db.exists(INSIGHT, name))

	# --- who sees it -------------------------------------------------------------------------------------

	def test_student_sees_their_own_insight_only_once_shared(self):
		_plan, results = self.mark_class()
		assessment.drain_pending(commit=False)
		insight = self.insight_of(results[0])
		frappe.set_user(self.students[0].user)
		self.assertNotIn(insight.name, self.names())
		self.assertFalse(frappe.has_permission(INSIGHT, "read", insight.name))
		frappe.set_user("Administrator")
		insight.status = "Shared"
		insight.save(ignore_permissions=True)
		frappe.set_user(self.students[0].user)
		self.assertEqual(self.names(), {insight.name})
		self.assertTrue(frappe.has_permission(INSIGHT, "read", insight.name))
		self.assertFalse(frappe.has_permission(INSIGHT, "write", insight.name))

	def test_another_student_never_sees_it(self):
		name = self.shared_insight()
		for user in (self.students[1].user, self.other_student.user):
			frappe.set_user(user)
			self.assertNotIn(name, self.names())
			self.assertFalse(frappe.has_permission(INSIGHT, "read", name))
			with self.assertRaises(frappe.PermissionError):
				desk.call(GETDOC, doctype=INSIGHT, name=name)

	def test_guardian_sees_only_their_wards_shared_insights(self):
		_plan, results = self.mark_class()
		assessment.drain_pending(commit=False)
		ward, classmate = self.insight_of(results[0]), self.insight_of(results[1])
		frappe.set_user(self.guardian.user)
		self.assertEqual(self.names(), set())  # Drafts: nothing
		frappe.set_user("Administrator")
		for insight in (ward, classmate):
			insight.status = "Shared"
			insight.save(ignore_permissions=True)
		frappe.set_user(self.guardian.user)
		self.assertEqual(self.names(), {ward.name})
		self.assertFalse(frappe.has_permission(INSIGHT, "read", classmate.name))

	def test_instructor_sees_and_shares_only_for_their_current_year_groups(self):
		_plan, results = self.mark_class()
		assessment.drain_pending(commit=False)
		insight = self.insight_of(results[0])
		frappe.set_user(self.old_teacher.user)  # taught these students last year
		self.assertNotIn(insight.name, self.names())
		self.assertFalse(frappe.has_permission(INSIGHT, "read", insight.name))
		frappe.set_user(self.teacher.user)
		self.assertEqual(self.names(filters={"assessment_result": ("in", results)}), {
			self.insight_of(r).name for r in results
		})  # fmt: skip
		doc = frappe.get_doc(INSIGHT, insight.name)
		doc.status = "Shared"
		doc.save()
		self.assertEqual(frappe.db.get_value(INSIGHT, insight.name, "status"), "Shared")
		# a new year: the same teacher, whose group is now last year's, loses access
		frappe.set_user("Administrator")
		next_year = utils.make_academic_year("AI School Test Year After", years_back=-1)
		frappe.db.set_single_value("Education Settings", "current_academic_year", next_year)
		frappe.set_user(self.teacher.user)
		self.assertNotIn(insight.name, self.names())

	def test_student_gets_no_version_or_staff_comment_on_their_insight(self):
		name = self.shared_insight()
		frappe.set_user(self.teacher.user)
		doc = frappe.get_doc(INSIGHT, name)
		doc.suggestions = "<p>Read one short article a day and tell me about it.</p>"
		doc.save()
		with self.assertRaisesRegex(frappe.ValidationError, "Student Log"):
			doc.add_comment("Comment", "STAFF ONLY: spoke to the parents")
		doc.add_comment("Info", "STAFF ONLY: reviewed in the team meeting")
		self.assertEqual(frappe.db.count("Version", {"ref_doctype": INSIGHT, "docname": name}), 0)
		frappe.set_user(self.students[0].user)
		response = desk.call(GETDOC, doctype=INSIGHT, name=name)
		self.assertEqual(response.docs[0].name, name)
		self.assertIn("short article", response.docs[0].suggestions)
		docinfo = desk.call(GET_DOCINFO, doctype=INSIGHT, name=name).docinfo
		for response_docinfo in (response.docinfo, docinfo):
			self.assertEqual(response_docinfo.versions, [])
			self.assertEqual(response_docinfo.comments, [])
			self.assertEqual(response_docinfo.info_logs, [])
			self.assertNotIn("STAFF ONLY", json.dumps(response_docinfo, default=str))


class WordingProvider(BaseHTTPRequestHandler):
	"""An OpenAI-compatible provider that answers with `reply(drafts)` (or fails with `status`) and records
	what it was sent."""

	reply = staticmethod(lambda drafts: drafts)
	status = 200
	seen: list = []

	def do_POST(self):
		body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
		type(self).seen.append(body)
		if self.status != 200:
			self.send_response(self.status)
			self.send_header("Content-Length", "0")
			self.end_headers()
			return
		drafts = json.loads(body["messages"][-1]["content"].split("\n")[0])["drafts"]
		content = json.dumps({"suggestions": type(self).reply(drafts)})
		data = json.dumps(
			{
				"model": body["model"],
				"choices": [{"message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
				"usage": {"prompt_tokens": 30, "completion_tokens": 20},
			}
		).encode()
		self.send_response(200)
		self.send_header("Content-Type", "application/json")
		self.send_header("Content-Length", str(len(data)))
		self.end_headers()
		self.wfile.write(data)

	def log_message(self, format, *args):
		pass


class TestAssessmentInsightWording(FrappeTestCase):
	"""The gateway rewords suggestions once the class is complete; numbers are checked. The provider runs on
	127.0.0.1 (the site config's allow-local flag is set for this process and restored)."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		flag = frappe.local.conf.get("ai_school_allow_local_provider")
		cls.addClassCleanup(frappe.local.conf.__setitem__, "ai_school_allow_local_provider", flag)
		frappe.local.conf["ai_school_allow_local_provider"] = 1
		cls.server = ThreadingHTTPServer(("127.0.0.1", 0), WordingProvider)
		threading.Thread(target=cls.server.serve_forever, daemon=True).start()
		cls.addClassCleanup(cls.server.server_close)
		cls.addClassCleanup(cls.server.shutdown)
		cls.students = [utils.make_student(f"Wendy{i}") for i in range(len(CLASS_SCORES))]
		cls.course = utils.make_course()
		cls.group = utils.make_student_group([s.name for s in cls.students], course=cls.course)

	def setUp(self):
		frappe.db.savepoint(SAVEPOINT)
		frappe.cache.delete_value(assessment.PENDING_KEY)
		WordingProvider.seen = []
		WordingProvider.status = 200
		settings = frappe.get_single("AI School Settings")
		settings.provider_base_url = f"http://127.0.0.1:{self.server.server_port}/v1"
		settings.api_key = "sk-test-wording-0123456789"
		settings.primary_model = "test/wording"
		settings.enable_insights = 1
		settings.save(ignore_permissions=True)  # in the test transaction: rolled back in tearDown
		self.started = frappe.utils.now()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback(save_point=SAVEPOINT)
		frappe.clear_document_cache("AI School Settings", "AI School Settings")
		frappe.cache.delete_value(assessment.PENDING_KEY)
		# a failed call commits its log row on a connection of its own (ai_school.llm): remove those too
		with llm.own_transaction():
			frappe.db.delete("AI Engagement Log", {"feature": "Insights", "creation": (">=", self.started)})

	def mark(self, students):
		plan = utils.make_assessment_plan(self.group, self.course, MAXIMUMS)
		return [
			utils.make_assessment_result(s.name, self.group, self.course, scores(*m), assessment_plan=plan)
			for s, m in zip(students, CLASS_SCORES, strict=False)
		]

	def test_model_words_the_suggestions_once_the_class_is_complete(self):
		WordingProvider.reply = staticmethod(lambda drafts: [f"Kindly: {text}" for text in drafts])
		results = self.mark(self.students[:3])
		assessment.drain_pending(commit=False)
		self.assertEqual(WordingProvider.seen, [])  # a classmate's result is still missing: means may move
		results = self.mark(self.students)  # a second plan, the whole class
		assessment.drain_pending(commit=False)
		insight = frappe.get_doc(INSIGHT, {"assessment_result": results[0]})
		self.assertEqual(insight.source, "Model")
		self.assertEqual(insight.model, "test/wording")
		self.assertIn("Kindly: AI Test Reading: 3 out of 10", insight.suggestions)
		sent = json.dumps(WordingProvider.seen)
		student_name = frappe.db.get_value("Student", self.students[0].name, "student_name")
		self.assertNotIn(student_name, sent)
		self.assertNotIn(self.students[0].name, sent)
		self.assertIn("Reading", sent)  # "Test" is also a name part on this site: sent as a placeholder
		calls = len(WordingProvider.seen)
		assessment.queue_plans([insight.assessment_plan])
		assessment.drain_pending(commit=False)
		self.assertEqual(len(WordingProvider.seen), calls)  # same numbers: not reworded

	def test_wording_with_an_invented_number_keeps_the_templates(self):
		WordingProvider.reply = staticmethod(lambda drafts: ["You are 42 points behind."] * len(drafts))
		results = self.mark(self.students)
		assessment.drain_pending(commit=False)
		self.assertTrue(WordingProvider.seen)
		insight = frappe.get_doc(INSIGHT, {"assessment_result": results[0]})
		self.assertEqual(insight.source, "Rule")
		self.assertNotIn("42", insight.suggestions)
		self.assertIn("AI Test Reading: 3 out of 10, 3 below the group mean of 6.", insight.suggestions)

	def test_a_failing_provider_is_asked_about_one_insight_per_run_and_the_templates_stay(self):
		WordingProvider.status = 400  # refused at once, no retries
		results = self.mark(self.students)
		self.assertEqual(assessment.drain_pending(commit=False), 4)
		prompts = {body["messages"][-1]["content"] for body in WordingProvider.seen}
		self.assertEqual(len(prompts), 1)  # the first failure stops the rewording for this run
		sources = {frappe.db.get_value(INSIGHT, {"assessment_result": r}, "source") for r in results}
		self.assertEqual(sources, {"Rule"})
