"""/guardian: guardians only (guests to the login page, anyone else a clear message), their wards only, texts
escaped, tutor chats only when the school allows them, and a portal menu item for guardians alone."""

import re

import frappe
from frappe.utils import now_datetime, set_request
from frappe.website.serve import get_response

from ai_school.tests import utils
from ai_school.tests.guardian_school import GuardianTestCase

test_ignore = ["Course", "Student", "User"]


def off_disabled(html: str, kind: str) -> bool:
	"""Whether the preference form offers Off for `kind` as a disabled option."""
	select = re.search(rf'<select[^>]*id="pref-{kind}".*?</select>', html, re.S).group(0)
	option = re.search(r'<option value="Off"[^>]*>', select).group(0)
	return "disabled" in option


class TestGuardianPage(GuardianTestCase):
	def setUp(self):
		super().setUp()
		self.request_before = getattr(frappe.local, "request", None)
		self.ada, self.ben = self.make_class("Ada", "Ben")
		self.rename("Student", self.ada.name, first_name="<b>Ada</b>", student_name="<b>Ada</b> Test")
		self.parent = utils.make_guardian([self.ada.name], name="Parent")
		self.session = utils.make_chat_session(
			self.ada.name,
			user=self.ada.user,
			course=self.course,
			topic="Ratios",
			messages=[
				{"role": "user", "content": "<script>alert('x')</script> help", "timestamp": now_datetime()},
				{"role": "assistant", "content": "Which part is hard?", "timestamp": now_datetime()},
			],
		)
		# the tutor job stores answers as the model wrote them (frappe.db.set_value, no sanitising on the way)
		frappe.db.set_value(
			"AI Chat Message",
			{"parent": self.session, "role": "assistant"},
			"content",
			"<img src=x onerror=alert(1)>Which part is hard?",
		)
		frappe.db.set_single_value("AI School Settings", "guardian_tutor_transcripts", 0)

	def tearDown(self):
		frappe.local.request = self.request_before
		frappe.form_dict.pop("session", None)
		super().tearDown()

	def render(self, user: str, query: str = ""):
		frappe.set_user(user)
		set_request(method="GET", path="/guardian", query_string=query)
		frappe.form_dict.pop("session", None)
		if query.startswith("session="):
			frappe.form_dict.session = query.split("=", 1)[1]
		return get_response()

	def test_guest_is_sent_to_login(self):
		response = self.render("Guest")
		self.assertIn(response.status_code, (301, 302, 303, 307, 308))
		self.assertIn("/login", response.headers.get("Location", ""))

	def test_a_user_linked_to_no_guardian_gets_a_clear_message(self):
		response = self.render(self.ada.user)
		self.assertEqual(response.status_code, 403)
		self.assertIn("ask the school office to link your account", response.get_data(as_text=True))

	def test_the_guardian_sees_their_ward_escaped_with_preferences_and_no_chats(self):
		self.mark(self.ada, frappe.utils.nowdate(), "Present")
		response = self.render(self.parent.user)
		self.assertEqual(response.status_code, 200)
		html = response.get_data(as_text=True)
		self.assertIn("&lt;b&gt;Ada&lt;/b&gt;", html)
		self.assertNotIn("<b>Ada</b>", html)
		self.assertNotIn(self.ben.name, html)
		self.assertIn("100.0 %", html)
		self.assertIn("1 chats, 1 questions asked", html)
		self.assertIn('id="guardian-prefs-form"', html)
		self.assertEqual(off_disabled(html, "attendance"), True)
		self.assertEqual(off_disabled(html, "safety"), True)
		self.assertEqual(off_disabled(html, "results"), False)
		# the chats themselves stay closed
		self.assertNotIn(f"session={self.session}", html)
		self.assertEqual(self.render(self.parent.user, f"session={self.session}").status_code, 403)

	def test_chats_open_read_only_and_escaped_when_the_school_allows_it(self):
		frappe.db.set_single_value("AI School Settings", "guardian_tutor_transcripts", 1)
		html = self.render(self.parent.user).get_data(as_text=True)
		self.assertIn(f"session={self.session}", html)
		response = self.render(self.parent.user, f"session={self.session}")
		self.assertEqual(response.status_code, 200)
		chat = response.get_data(as_text=True)
		self.assertIn("&lt;img src=x onerror=alert(1)&gt;Which part is hard?", chat)
		self.assertNotIn("<img src=x", chat)
		self.assertNotIn("<script>alert('x')</script>", chat)
		# another family's guardian can't open it
		frappe.set_user("Administrator")
		other = utils.make_guardian([self.ben.name], name="Other")
		self.assertEqual(self.render(other.user, f"session={self.session}").status_code, 403)

	def test_the_portal_menu_leads_guardians_here_and_no_one_else(self):
		from frappe.website.utils import get_portal_sidebar_items

		for user, expected in ((self.parent.user, True), (self.ada.user, False)):
			frappe.set_user(user)
			frappe.cache.hdel("portal_menu_items", user)
			routes = [item.get("route") for item in get_portal_sidebar_items()]
			self.assertEqual("/guardian" in routes, expected, user)
