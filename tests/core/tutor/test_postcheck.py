"""The post-check on the model's reply: in guided mode a full worked solution or the final answer to the
student's own task is rewritten into hints (or withheld); hints, similar examples and learning-mode
explanations pass untouched."""

import re

import pytest

from ai_school.core.tutor.guard import post_check
from ai_school.core.tutor.labels import Mode
from ai_school.core.tutor.postcheck import BLOCKED_REPLY, WITHHELD_REPLY, gives_away

EQUATION = "solve 2x + 3 = 11"
WORKED = """Let's solve it step by step.
Subtract 3 from both sides: 2x = 8.
Divide both sides by 2: x = 4.
So the answer is x = 4."""
HINT = (
	"Good start! What could you do to both sides to get rid of the +3? "
	"Once 2x is on its own, what would you divide by?"
)


def test_worked_solution_is_rewritten_into_hints():
	reply, flagged = post_check(WORKED, EQUATION, Mode.GUIDED)
	assert flagged
	assert "x = 4" not in reply and not re.search(r"(?<![\d.])4(?![\d.])", reply)
	assert "Subtract 3 from both sides" in reply  # the first step survives as a hint
	assert "?" in reply  # the next step is handed back to the student


def test_final_answer_alone_is_caught():
	reply, flagged = post_check("Subtract 3, then divide by 2, which gives x = 4.", EQUATION, "guided")
	assert flagged and "4" not in reply


def test_hint_passes_untouched():
	assert post_check(HINT, EQUATION, Mode.GUIDED) == (HINT, False)


def test_intermediate_step_is_not_the_answer():
	reply = "First subtract 3 from both sides to get 2x = 8. What do you do next?"
	assert post_check(reply, EQUATION, Mode.GUIDED) == (reply, False)


def test_similar_example_with_other_numbers_passes():
	reply = "For example, if 3x + 1 = 10, you subtract 1 to get 3x = 9, so x = 3. Now try yours the same way."
	assert post_check(reply, EQUATION, Mode.GUIDED) == (reply, False)


def test_quadratic_roots_are_checked_by_substitution():
	reply, flagged = post_check(
		"Factorise: (x - 2)(x - 3) = 0, so x = 2 or x = 3.", "solve x^2 - 5x + 6 = 0", Mode.GUIDED
	)
	assert flagged and "x = 3" not in reply


@pytest.mark.parametrize(
	("student", "reply", "answer"),
	[
		("what is 348 x 27", "348 × 27 = 9,396", "9,396"),
		("whats 15% of 80", "It's 12 - you take 10% (8) and add 5% (4).", "12"),
		("how much is 7/8 + 3/4", "Use a common denominator: 7/8 + 6/8 = 13/8, which is 1 5/8.", "13/8"),
	],
)
def test_calculation_result_is_caught(student, reply, answer):
	text, flagged = post_check(reply, student, Mode.GUIDED)
	assert flagged and answer not in text


def test_answer_statement_for_a_multiple_choice_task():
	student = "which organelle makes energy? a) nucleus b) mitochondria c) ribosome"
	text, flagged = post_check("The answer is B, the mitochondria.", student, Mode.GUIDED)
	assert flagged and "mitochondria" not in text.lower()


def test_finished_essay_is_withheld():
	student = "write my essay on Macbeth's ambition, 500 words"
	essay = "\n\n".join(
		"Macbeth's ambition drives the tragedy from the very first act, when the witches' prophecy awakens "
		"a desire he had kept hidden. Shakespeare shows how this ambition grows, overpowering loyalty, "
		"honour and reason, until it destroys Macbeth and everyone around him."
		for _ in range(4)
	)
	assert post_check(essay, student, Mode.GUIDED) == (WITHHELD_REPLY, True)


def test_finished_code_is_withheld():
	student = "write the python code for my assignment: a program that prints the average of 10 numbers"
	code = "```python\nnumbers = []\nfor i in range(10):\n    numbers.append(float(input()))\ntotal = sum(numbers)\nprint(total / len(numbers))\n```"
	assert post_check(code, student, Mode.GUIDED) == (WITHHELD_REPLY, True)


def test_essay_advice_is_not_withheld():
	student = "how do I start my essay on Macbeth's ambition?"
	reply = "Open with your argument in one sentence: what does ambition do to Macbeth? Then plan three points with a quotation each. What would your first point be?"
	assert post_check(reply, student, Mode.GUIDED) == (reply, False)


def test_learning_mode_keeps_the_explanation():
	assert post_check(WORKED, EQUATION, Mode.LEARNING) == (WORKED, False)


def test_restricted_mode_is_checked_too():
	_, flagged = post_check(WORKED, EQUATION, Mode.RESTRICTED)
	assert flagged


def test_blocked_mode_sends_nothing_of_the_reply():
	assert post_check(WORKED, EQUATION, Mode.BLOCKED) == (BLOCKED_REPLY, True)
	assert post_check("", EQUATION, Mode.BLOCKED) == (BLOCKED_REPLY, False)


def test_reasons_name_what_gave_the_answer_away():
	assert "answer_value" in gives_away(WORKED, EQUATION)
	assert "answer_statement" in gives_away(WORKED, EQUATION)
	assert gives_away(HINT, EQUATION) == []
