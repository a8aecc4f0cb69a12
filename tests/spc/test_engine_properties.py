"""Property-based tests (hypothesis)."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spc.engine import (
    ChartOptions,
    compute,
    compute_arrays,
    compute_batch,
    compute_chart,
    find_trends,
)

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
CHARTS = ["run", "i", "mr", "c", "u", "p", "up", "pp"]


@st.composite
def series_specs(draw, charts=CHARTS, min_size=4, max_size=40):
    chart = draw(st.sampled_from(charts))
    n = draw(st.integers(min_size, max_size))
    den = draw(st.lists(st.integers(20, 500), min_size=n, max_size=n))
    if chart in ("u", "p", "up", "pp", "c"):
        values = [draw(st.integers(0, d)) for d in den]
    else:
        values = draw(st.lists(st.floats(-50, 50, allow_nan=False).map(lambda v: round(v, 3)),
                               min_size=n, max_size=n))
    # a few missing points, but never two neighbours at the very start (keeps one MR)
    for i in draw(st.lists(st.integers(2, n - 1), max_size=2, unique=True)):
        values[i] = None
    spec = {"values": values, "chart": chart,
            "limits": draw(st.sampled_from(["mdc", "qic"])),
            "rules": draw(st.sampled_from(["mdc", "anhoej", "both"])),
            "improvement": draw(st.sampled_from(["increase", "decrease", "neutral"])),
            "target": draw(st.one_of(st.none(), st.just({"reduction": 0.25}), st.just(10)))}
    if chart in ("u", "p", "up", "pp"):
        spec["denominators"] = den
    if n >= 12 and draw(st.booleans()):
        spec["breaks"] = [draw(st.integers(5, n - 5))]
    if draw(st.booleans()):
        spec["freeze"] = draw(st.integers(4, n))
    return spec


def floats(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@SETTINGS
@given(series_specs(charts=["i", "mr", "c", "u", "p", "up", "pp"]))
def test_limits_bracket_the_centre(spec):
    r = compute(spec)
    p = {k: floats(r["points"][k]) for k in ("centre", "lower", "upper", "lower_2sigma",
                                             "upper_2sigma", "lower_1sigma", "upper_1sigma")}
    ok = ~np.isnan(p["upper"])
    eps = 1e-9 * (1 + np.abs(p["centre"][ok]))
    assert (p["lower"][ok] <= p["lower_2sigma"][ok] + eps).all()
    assert (p["lower_2sigma"][ok] <= p["lower_1sigma"][ok] + eps).all()
    assert (p["lower_1sigma"][ok] <= p["centre"][ok] + eps).all()
    assert (p["centre"][ok] <= p["upper_1sigma"][ok] + eps).all()
    assert (p["upper_1sigma"][ok] <= p["upper_2sigma"][ok] + eps).all()
    assert (p["upper_2sigma"][ok] <= p["upper"][ok] + eps).all()
    if spec["chart"] != "i":
        assert (p["lower"][ok] >= 0).all()


@SETTINGS
@given(st.floats(-1e6, 1e6, allow_nan=False), st.integers(2, 60),
       st.sampled_from(["mdc", "qic"]), st.sampled_from(["mdc", "anhoej", "both"]))
def test_constant_series_has_no_limits_and_no_signals(value, n, limits, rules):
    """Zero variation: no limits, as both references with their default screening (was
    zero-width limits before the rare-events work)."""
    r = compute({"values": [value] * n, "chart": "i", "limits": limits, "rules": rules})
    assert r["points"]["lower"] == r["points"]["upper"] == [None] * n
    assert r["points"]["centre"] == [value] * n
    assert all(rule == [] for rule in r["points"]["rules"])
    assert set(r["points"]["classification"]) == {"common_cause"}
    assert any("no variation" in w for w in r["summary"]["warnings"])


@SETTINGS
@given(series_specs(charts=["u", "up"]), st.integers(1, 3))
def test_scaling_counts_and_denominators_together(spec, power):
    """Rates and centre lines never change. Classical u limits (ū ± 3√(ū/n)) do narrow by √k
    — that is the Poisson model, so the issue's "changes nothing" holds for the rates, the
    centre and Laney u′ (whose σ_z absorbs the scale), not for plain u limits. k = 4^power
    keeps every step exact in floating point."""
    k = 4.0 ** power
    scaled = dict(spec, values=[None if v is None else v * k for v in spec["values"]],
                  denominators=[d * k for d in spec["denominators"]])
    a, b = compute(spec), compute(scaled)
    assert a["points"]["rate"] == b["points"]["rate"]
    assert a["points"]["centre"] == b["points"]["centre"]
    if spec["chart"] == "up":
        for key in ("lower", "upper", "lower_2sigma", "upper_2sigma", "rules",
                    "classification"):
            assert a["points"][key] == b["points"][key], key
        assert a["summary"] == b["summary"]
    else:
        centre = floats(a["points"]["centre"])
        width_a = floats(a["points"]["upper"]) - centre
        width_b = floats(b["points"]["upper"]) - centre
        np.testing.assert_allclose(width_b, width_a / 2**power, rtol=1e-12)


@SETTINGS
@given(series_specs())
def test_freeze_at_full_length_equals_no_freeze(spec):
    spec = {k: v for k, v in spec.items() if k not in ("freeze", "breaks")}
    a = compute(spec)
    b = compute(dict(spec, freeze=len(spec["values"])))
    assert a["points"] == b["points"]
    assert a["phases"] == b["phases"]
    assert a["summary"] == b["summary"]


@SETTINGS
@given(st.lists(st.integers(0, 30), min_size=2, max_size=60))
def test_reversing_a_series_mirrors_trends(values):
    y = np.array(values, dtype=float)
    flags, direction = find_trends(y)
    rflags, rdirection = find_trends(y[::-1])
    assert (flags[::-1] == rflags).all()
    # points in exactly one trend (not a peak shared by two) flip direction
    steps = np.sign(np.diff(y))
    for i in np.nonzero(flags)[0]:
        left = steps[i - 1] if i > 0 else 0
        right = steps[i] if i < len(steps) else 0
        if left == right or left == 0 or right == 0:
            j = len(y) - 1 - i
            assert rdirection[j] == -direction[i]


@SETTINGS
@given(series_specs(min_size=12))
def test_phases_equal_separately_computed_parts(spec):
    spec = {k: v for k, v in spec.items() if k != "target"}
    n = len(spec["values"])
    cut = spec.get("breaks", [n // 2])[0]
    freeze = spec.get("freeze")
    parts = []
    for lo, hi in ((0, cut), (cut, n)):
        part = {k: (v[lo:hi] if k in ("values", "denominators") else v) for k, v in spec.items()
                if k != "breaks"}
        if freeze is not None:
            part["freeze"] = min(freeze, hi - lo)
        try:
            parts.append((lo, hi, compute(part)))
        except ValueError:
            parts.append((lo, hi, None))  # too short for its chart on its own
    try:
        whole = compute(dict(spec, breaks=[cut]))
    except ValueError:
        # A phase too short for its chart refuses the whole series: only when that phase,
        # charted alone, is refused too.
        assert any(alone is None for _, _, alone in parts)
        return
    for lo, hi, alone in parts:
        if alone is None:
            continue  # nothing to compare
        for key in ("rate", "centre", "lower", "upper", "lower_2sigma", "upper_2sigma",
                    "rules", "classification", "baseline"):
            assert whole["points"][key][lo:hi] == alone["points"][key], key


@SETTINGS
@given(st.lists(series_specs(), min_size=1, max_size=8))
def test_batch_equals_per_series_exactly(specs):
    expected = []
    for spec in specs:
        try:
            expected.append(compute(spec))
        except ValueError as exc:
            expected.append({"error": {"type": type(exc).__name__}})
    got = compute_batch(specs, on_error="return")
    for e, g in zip(expected, got, strict=True):
        if "error" in e:
            assert g["error"]["type"] == e["error"]["type"]
        else:
            assert g == e


@SETTINGS
@given(st.integers(1, 12), st.integers(8, 40), st.integers(0, 2**32 - 1))
def test_array_batch_equals_public_api_per_series(s_count, t, seed):
    rng = np.random.default_rng(seed)
    den = rng.integers(50, 400, size=(s_count, t)).astype(float)
    counts = rng.poisson(0.02 * den).astype(float)
    counts[rng.random(counts.shape) < 0.05] = np.nan
    counts[:, :2] = 1.0
    lengths = rng.integers(4, t + 1, size=s_count)
    breaks = [[int(rng.integers(2, n - 1))] if n > 4 and rng.random() < 0.4 else []
              for n in lengths]
    for s, b in enumerate(breaks):
        if b:
            counts[s, b[0]: b[0] + 2] = 1.0  # each phase keeps a baseline value
    options = ChartOptions(chart="u", multiply=1000, freeze=3, improvement="decrease")
    batch = compute_arrays(counts, den, options=options, breaks=breaks, lengths=lengths)
    for s in range(s_count):
        n = lengths[s]
        one = compute_chart([None if np.isnan(v) else v for v in counts[s, :n]],
                            den[s, :n].tolist(),
                            options=ChartOptions(**{**options.__dict__,
                                                    "breaks": tuple(breaks[s])}))
        assert batch.series(s).to_dict() == one.to_dict()
