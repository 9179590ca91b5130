"""Rasa's prediction graphs run in a fixed, remembered order instead of through dask for every message.

Rasa 3.6 runs each message's NLU graph and each next-action prediction through
`DaskGraphRunner.run`: it recomputes the minimal schema for the targets (a quadratic walk over the
nodes), builds a dask task graph and hands it to dask's synchronous scheduler — about 8 % of Rasa's
CPU per turn beyond the components' own work (docs/performance.md). Both graphs are small and fixed, so
we compute, once per set of targets, the nodes the targets need in dependency order, and call the same
`GraphNode`s with the same arguments dask would pass them:

- a need that another node or an input provides is replaced by its value, any other stays its name
  (GraphNode warns about those, as before); an input named like a node replaces the node;
- inputs reach nodes as `(name, value)` tuples, and the result is `{target: output}`;
- a `RuntimeError` becomes a `GraphRunError`, other errors pass through unchanged, as with dask.
`tests/integration/test_runtime_patches_on_model.py` runs the trained model's graphs through both runners
and compares the results.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

# (node name, names of what it needs, in the order its schema lists them)
Plan = List[Tuple[Text, List[Text]]]


def plan_for(schema: Any, targets: List[Text]) -> Plan:
    """Every node the targets depend on, each after the nodes it needs (schema order among equals)."""
    needed = schema.minimal_graph_schema(targets).nodes
    ordered: Plan = []
    placed = set()

    def place(name: Text, path: Tuple[Text, ...]) -> None:
        if name in placed or name not in needed:
            return
        if name in path:
            raise ValueError(f"the graph has a cycle through '{name}'")
        for need in needed[name].needs.values():
            place(need, path + (name,))
        placed.add(name)
        ordered.append((name, list(needed[name].needs.values())))

    for name in needed:
        place(name, ())
    return ordered


def run_planned(runner: Any, inputs: Optional[Dict[Text, Any]] = None,
                targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
    from rasa.engine.exceptions import GraphRunError

    run_targets = targets if targets else runner._graph_schema.target_names
    plans = runner.__dict__.setdefault("_run_plans", {})
    key = tuple(run_targets)
    if key not in plans:
        plans[key] = plan_for(runner._graph_schema, run_targets)
    plan = plans[key]
    values: Dict[Text, Any] = {}
    for input_name, input_value in (inputs or {}).items():
        if isinstance(input_value, str) and any(input_value == name for name, _ in plan):
            raise GraphRunError(
                f"Input value '{input_value}' clashes with a node name. Make sure that none of the "
                f"input names passed to the `run` method are the same as node names in the graph schema.")
        values[input_name] = (input_name, input_value)
    try:
        for name, needs in plan:
            if name in values:  # an input of that name replaces the node, as in the dask graph
                continue
            values[name] = runner._instantiated_nodes[name](*(values.get(need, need) for need in needs))
        return dict(values[target] for target in run_targets)
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error


ORIGINAL_RUN = None  # dask's run, kept for the equivalence tests


def apply() -> None:
    global ORIGINAL_RUN
    from rasa.engine.runner.dask import DaskGraphRunner

    ORIGINAL_RUN = DaskGraphRunner.run
    DaskGraphRunner.run = run_planned
