"""Call a whitelisted method the way an HTTP request does: through frappe.handler.execute_cmd, so hooks such
as override_whitelisted_methods apply, with a real werkzeug request for the HTTP method check."""

import frappe
import frappe.handler
from frappe.utils import set_request


def call(cmd: str, http_method: str = "GET", **form) -> frappe._dict:
	"""Run `cmd` as the current user (frappe.set_user) and return the whole response (message, docs,
	docinfo). The previous request, form_dict and response are restored afterwards."""
	local = frappe.local
	saved = {key: getattr(local, key, None) for key in ("request", "form_dict", "response")}
	try:
		set_request(method=http_method, path=f"/api/method/{cmd}")
		local.form_dict = frappe._dict(form, cmd=cmd)
		local.response = frappe._dict(docs=[])
		message = frappe.handler.execute_cmd(cmd)
		response = local.response
		if message is not None:
			response["message"] = message
		return response
	finally:
		for key, value in saved.items():
			if value is None:
				if hasattr(local, key):
					delattr(local, key)
			else:
				setattr(local, key, value)
