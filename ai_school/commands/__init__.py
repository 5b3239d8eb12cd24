"""bench commands of the app (bench picks up `commands` from every installed app)."""

import time

import click

from frappe.commands import get_site, pass_context


@click.command("ai-school-demo")
@click.option("--scale", type=click.Choice(["full", "small"]), default="full", help="full: 420 students")
@click.option("--students", type=int, help="Number of students (overrides the scale's default)")
@click.option("--seed", type=int, help="Random seed (default: the scale's, so reruns are identical)")
@click.option("--teardown", is_flag=True, default=False, help="Remove the demo school instead")
@pass_context
def ai_school_demo(context, scale, students=None, seed=None, teardown=False):
	"Fill the site with a realistic demo school (idempotent), or remove it with --teardown"
	import frappe
	from frappe.utils import update_progress_bar

	from ai_school import demo

	def progress(stage: str, done: int, total: int) -> None:
		update_progress_bar(stage, done - 1, max(total, 1))
		if done >= total:
			click.echo("")

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	started = time.monotonic()
	try:
		if teardown:
			result = demo.teardown(scale=scale, progress=progress)
			for name in result["kept"]:
				click.secho(f"kept (linked from outside the demo): {name}", fg="yellow")
		else:
			counts = demo.create(scale=scale, students=students, seed=seed, progress=progress)
			for doctype, count in counts.items():
				click.echo(f"{doctype:32} {count:>8}")
	finally:
		frappe.destroy()
	click.secho(f"done in {time.monotonic() - started:.0f} s", fg="green")


commands = [ai_school_demo]
