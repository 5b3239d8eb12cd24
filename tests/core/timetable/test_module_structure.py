"""The timetable package's modules import each other without cycles (imports inside functions count:
a cycle hidden in a function still ties two modules together)."""

import ast
from pathlib import Path

import ai_school.core.timetable

PACKAGE = "ai_school.core.timetable"


def imports_between_modules(folder: Path) -> dict[str, set[str]]:
	"""module → the package's modules it imports, anywhere in its source."""
	modules = {path.stem for path in folder.glob("*.py") if path.stem != "__init__"}
	graph: dict[str, set[str]] = {}
	for name in modules:
		tree = ast.parse((folder / f"{name}.py").read_text())
		targets = set()
		for node in ast.walk(tree):
			if isinstance(node, ast.ImportFrom) and node.module:
				if node.module == PACKAGE:
					targets.update(alias.name for alias in node.names if alias.name in modules)
				elif node.module.startswith(f"{PACKAGE}."):
					targets.add(node.module.removeprefix(f"{PACKAGE}.").split(".")[0])
			elif isinstance(node, ast.Import):
				for alias in node.names:
					if alias.name.startswith(f"{PACKAGE}."):
						targets.add(alias.name.removeprefix(f"{PACKAGE}.").split(".")[0])
		graph[name] = targets - {name}
	return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
	state: dict[str, int] = {}  # 1: on the current path, 2: done
	path: list[str] = []

	def visit(node: str) -> list[str] | None:
		state[node] = 1
		path.append(node)
		for target in sorted(graph.get(node, ())):
			if state.get(target) == 1:
				return [*path[path.index(target) :], target]
			if target not in state:
				cycle = visit(target)
				if cycle:
					return cycle
		path.pop()
		state[node] = 2
		return None

	for node in sorted(graph):
		if node not in state:
			cycle = visit(node)
			if cycle:
				return cycle
	return None


def test_find_cycle_sees_a_cycle():
	assert find_cycle({"explain": {"solver"}, "solver": {"explain", "model"}, "model": set()}) == [
		"explain",
		"solver",
		"explain",
	]
	assert find_cycle({"solver": {"explain", "model"}, "explain": {"model"}, "model": set()}) is None


def test_timetable_modules_import_each_other_without_cycles():
	graph = imports_between_modules(Path(ai_school.core.timetable.__file__).parent)
	assert {"solver", "explain", "encoding", "model", "validator"} <= set(graph)
	assert "explain" in graph["solver"]  # the graph is read, not empty
	assert find_cycle(graph) is None, f"import cycle: {' -> '.join(find_cycle(graph))}"
