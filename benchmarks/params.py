"""The parameter values the benchmarks (and tests/test_remote.py) give saved queries."""

FIXED = {
    "mechanism": "mech:network", "first": "mech:network", "second": "mech:learning-group",
    "objective": "objcat:knowledge-sharing", "scale": "ksmc:national", "category": "limcat:language",
    "tool": "ksmc:email", "target": "sdg:17.6",
}


def params_for(saved) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {p.name: FIXED[p.name] for p in saved.parameters if p.required and p.default is None and p.name in FIXED}
