# Copyright (c) 2026, ai_school contributors
# For license information, please see license.txt

"""Rate limits per user, counted after the permission check (ai_school.rate_limits), on requests that all come
from one school's shared IP address."""

import random

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import set_request

from ai_school import rate_limits
from ai_school.api import timetable as api
from ai_school.tests.utils import make_user
from ai_school.timetable.custom_fields import install_custom_fields
from ai_school.timetable.doctype.timetable_plan.test_timetable_plan import make_plan, make_school

SOLVE = "ai_school.api.timetable.solve"


class TestRateLimits(FrappeTestCase):
	def setUp(self):
		install_custom_fields()
		self.user_creation_skip = frappe.db.get_single_value("Education Settings", "user_creation_skip")
		frappe.db.set_single_value("Education Settings", "user_creation_skip", 1)
		school = make_school()
		self.plan = make_plan(school)
		self.plan.append(
			"lessons",
			{
				"student_group": school.groups["maths"],
				"course": school.courses["maths"],
				"instructor": school.instructors[0],
				"periods_per_week": 2,
			},
		)
		self.plan.save()
		self.staff = [make_user(("Academics User",)) for _ in range(2)]
		self.student = make_user(("Student",))
		# every request comes from the school's one public address
		self.ip = f"203.0.113.{random.randint(1, 254)}"
		self.request_before = getattr(frappe.local, "request", None)
		self.form_dict_before = frappe.local.form_dict
		set_request(method="POST", path=f"/api/method/{SOLVE}")
		frappe.local.request_ip = self.ip

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.request = self.request_before
		frappe.local.request_ip = None
		frappe.local.form_dict = self.form_dict_before
		frappe.cache.delete(frappe.cache.make_key(f"rl:{SOLVE}:{self.ip}"))  # Frappe's own IP-keyed counter
		for user in [*self.staff, self.student]:
			rate_limits.reset("timetable.solve", user)
		frappe.db.rollback()
		frappe.db.set_single_value("Education Settings", "user_creation_skip", self.user_creation_skip)

	def solve_as(self, user: str):
		frappe.set_user(user)
		frappe.local.form_dict = frappe._dict(cmd=SOLVE, plan=self.plan.name)
		return api.solve(self.plan.name)

	def test_one_user_exhausting_the_limit_does_not_block_another_on_the_same_ip(self):
		first, second = self.staff
		for _ in range(api.SOLVE_LIMIT):
			self.assertTrue(self.solve_as(first)["queued"])
		self.assertRaises(frappe.RateLimitExceededError, self.solve_as, first)
		self.assertTrue(self.solve_as(second)["queued"])
		self.assertEqual(rate_limits.used("timetable.solve", second), 1)

	def test_calls_refused_by_the_permission_check_use_no_allowance(self):
		for _ in range(api.SOLVE_LIMIT + 5):
			self.assertRaises(frappe.PermissionError, self.solve_as, self.student)
		self.assertEqual(rate_limits.used("timetable.solve", self.student), 0)
		staff = self.staff[0]
		for _ in range(api.SOLVE_LIMIT):
			self.assertTrue(self.solve_as(staff)["queued"])
		self.assertRaises(frappe.RateLimitExceededError, self.solve_as, staff)

	def test_the_window_is_per_action(self):
		staff = self.staff[0]
		frappe.set_user(staff)
		for _ in range(3):
			rate_limits.consume("test.other_action", 3, 60)
		self.assertRaises(frappe.RateLimitExceededError, rate_limits.consume, "test.other_action", 3, 60)
		self.assertTrue(self.solve_as(staff)["queued"])
		rate_limits.reset("test.other_action", staff)
		self.assertEqual(rate_limits.used("test.other_action", staff), 0)

	def test_only_web_requests_count(self):
		staff = self.staff[0]
		frappe.set_user(staff)
		frappe.local.request = None  # a background job, the console or bench execute
		for _ in range(5):
			rate_limits.consume("test.other_action", 3, 60)
		self.assertEqual(rate_limits.used("test.other_action", staff), 0)
