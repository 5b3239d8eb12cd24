"""/tutor: students only, their current courses, no caching, and texts rendered escaped."""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import set_request
from frappe.website.serve import get_response

from ai_school.tests import utils

test_ignore = ["Course", "Student", "User"]


class TestTutorPage(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.request_before = getattr(frappe.local, "request", None)
		year = utils.make_academic_year()
		frappe.db.set_single_value("Education Settings", "current_academic_year", year)
		self.course = utils.make_course()
		frappe.db.set_value("Course", self.course, "course_name", "Maths <b>bold</b>")
		self.other_course = utils.make_course()
		self.student = utils.make_student("Pagey")
		utils.make_student_group([self.student.name], course=self.course)

	def tearDown(self):
		frappe.local.request = self.request_before
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def render(self, user: str):
		frappe.set_user(user)
		set_request(method="GET", path="/tutor")
		return get_response()

	def test_guest_is_sent_to_login(self):
		response = self.render("Guest")
		self.assertIn(response.status_code, (301, 302, 303, 307, 308))
		self.assertIn("/login", response.headers.get("Location", ""))

	def test_a_user_without_a_student_is_refused(self):
		response = self.render(utils.make_user(("Instructor",)))
		self.assertEqual(response.status_code, 403)

	def test_student_sees_only_current_courses_escaped_and_uncached(self):
		response = self.render(self.student.user)
		self.assertEqual(response.status_code, 200)
		html = response.get_data(as_text=True)
		self.assertIn(f'value="new:{self.course}"', html)
		self.assertNotIn(self.other_course, html)
		self.assertIn("Maths &lt;b&gt;bold&lt;/b&gt;", html)
		self.assertNotIn("<b>bold</b>", html)
		# not served from the website cache: a renamed course shows at the next visit
		frappe.set_user("Administrator")
		frappe.db.set_value("Course", self.course, "course_name", "Renamed Maths")
		self.assertIn("Renamed Maths", self.render(self.student.user).get_data(as_text=True))

	def test_the_portal_menu_leads_students_to_the_tutor_and_no_one_else(self):
		from frappe.website.utils import get_portal_sidebar_items

		instructor = utils.make_user(("Instructor",))
		for user, expected in ((self.student.user, True), (instructor, False)):
			frappe.set_user(user)
			frappe.cache.hdel("portal_menu_items", user)
			routes = [item.get("route") for item in get_portal_sidebar_items()]
			self.assertEqual("/tutor" in routes, expected, user)
