"""bench commands of the app (bench picks up `commands` from every installed app)."""

import sys
import time

import click

from frappe.commands import get_site, pass_context


@click.command("ai-school-demo")
@click.option(
	"--scale",
	type=click.Choice(["full", "small", "large"]),
	default="full",
	help="full: 420 students; small: 24; large: 2,000 (the benchmark's school)",
)
@click.option("--students", type=int, help="Number of students (overrides the scale's default)")
@click.option("--seed", type=int, help="Random seed (default: the scale's, so reruns are identical)")
@click.option("--today", help="Build the school as of this date, YYYY-MM-DD (default: today)")
@click.option("--teardown", is_flag=True, default=False, help="Remove the demo school instead")
@click.option(
	"--force",
	is_flag=True,
	default=False,
	help="Load the demo even though the site has students of its own",
)
@pass_context
def ai_school_demo(context, scale, students=None, seed=None, today=None, teardown=False, force=False):
	"Fill the site with a realistic demo school (idempotent), or remove it with --teardown"
	import frappe
	from frappe.utils import update_progress_bar

	from ai_school import demo
	from ai_school.demo.builder import RealStudentsError

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
			try:
				summary = demo.create(
					scale=scale, students=students, seed=seed, today=today, progress=progress, force=force
				)
			except RealStudentsError as error:
				click.secho(str(error), fg="red", err=True)
				sys.exit(1)
			print_summary(summary)
	finally:
		frappe.destroy()
	click.secho(f"done in {time.monotonic() - started:.0f} s", fg="green")


def print_summary(summary: dict[str, dict[str, int]]) -> None:
	"""What this run created and what it found already there, per doctype."""
	click.echo(f"{'':32} {'created':>10} {'already there':>14}")
	for doctype, counts in summary.items():
		click.echo(f"{doctype:32} {counts['created']:>10} {counts['existing']:>14}")
	created = sum(counts["created"] for counts in summary.values())
	if not created:
		click.echo("Nothing new: the demo school was already complete.")


@click.command("tutor-worker")
@click.option(
	"--queue",
	help="Queue to serve (default: the ai_school_tutor_queue config, else ai_tutor); it must be declared under "
	'"workers" in common_site_config.json',
)
@click.option(
	"--concurrency",
	type=int,
	help="Answers in progress at once, each on its own thread and database connection "
	"(default: the ai_school_tutor_concurrency config, else 24)",
)
@click.option("--burst", is_flag=True, default=False, help="Stop once the queue is empty")
@click.option("--quiet", is_flag=True, default=False, help="Hide the log of each job")
def tutor_worker(queue=None, concurrency=None, burst=False, quiet=False):
	"Serve the AI tutor's queue: one process answering many chats at once (see README: Tutor workers)"
	from ai_school.tutor.worker import start

	start(queue=queue, concurrency=concurrency, burst=burst, quiet=quiet)


commands = [ai_school_demo, tutor_worker]
