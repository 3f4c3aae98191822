"""Run Rasa's prediction graphs node by node, without rebuilding a dask graph each time.

Every message runs two or three graphs (understanding, then one prediction per bot
action). For each run Rasa re-derives the minimal schema by a recursive walk, builds a
dask graph and hands it to dask's synchronous scheduler: a few milliseconds a turn of
bookkeeping around the same node calls. Here the order of the nodes is worked out once
per set of targets, then each node is called with its parents' outputs exactly as dask
calls it: ``node(*outputs_of_its_needs)``, each output a ``(name, value)`` pair, an input
given to ``run`` appearing as ``(input_name, value)``.

tests/patches/test_prediction_shortcuts.py runs the real model's graphs both ways.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

WRITTEN_FOR = {"rasa": "3.6.21"}  # the versions this patch was written and tested against

_dask_run = DaskGraphRunner.run


def _order(runner: DaskGraphRunner, targets: Tuple[str, ...]) -> List[Tuple[str, Any, Tuple[str, ...]]]:
    """The nodes the targets need, parents first: (name, node, names of what it needs)."""
    plans: Dict[Tuple[str, ...], Any] = runner.__dict__.setdefault("_sesame_plans", {})
    if targets not in plans:
        schema = runner._graph_schema.minimal_graph_schema(list(targets))
        ordered: List[Tuple[str, Any, Tuple[str, ...]]] = []
        placed: set[str] = set()

        def place(name: str) -> None:
            if name in placed or name not in schema.nodes:
                return
            placed.add(name)
            needs = tuple(schema.nodes[name].needs.values())
            for need in needs:
                place(need)
            ordered.append((name, runner._instantiated_nodes[name], needs))

        for name in schema.nodes:
            place(name)
        plans[targets] = ordered
    return plans[targets]


def run(self: DaskGraphRunner, inputs: Optional[Dict[str, Any]] = None,
        targets: Optional[List[str]] = None) -> Dict[str, Any]:
    """Same contract and results as ``DaskGraphRunner.run``."""
    run_targets = tuple(targets if targets else self._graph_schema.target_names)
    plan = _order(self, run_targets)
    outputs: Dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in self._graph_schema.nodes:
            raise GraphRunError(f"Input value '{value}' clashes with a node name. Make sure that none of "
                                f"the input names passed to the `run` method are the same as node names "
                                f"in the graph schema.")
        outputs[name] = (name, value)
    for name, node, needs in plan:
        if name in outputs:  # an input replaces the node of the same name, as in dask
            continue
        try:
            outputs[name] = node(*[outputs.get(need, need) for need in needs])
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
    return dict(outputs[target] for target in run_targets)


def install() -> None:
    DaskGraphRunner.run = run  # type: ignore[method-assign]


def uninstall() -> None:
    DaskGraphRunner.run = _dask_run  # type: ignore[method-assign]
