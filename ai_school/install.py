"""Install / uninstall hooks: roles and custom fields the app needs on an ERPNext + Education site."""


def after_install():
	pass


def before_uninstall():
	pass
