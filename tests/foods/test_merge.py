from hypothesis import given
from hypothesis import strategies as st

from k2lab.foods.merge import Value, summarise

QUALITIES = ("primary", "secondary", "article", "tertiary")


def test_median_of_best_tiers_and_range_over_all() -> None:
    s = summarise(
        [
            Value(939, None, None, "primary", "a"),
            Value(775, None, None, "primary", "b"),
            Value(1000, None, None, "secondary", "c"),
            Value(975, 850, 1100, "article", "d"),
            Value(2000, None, None, "tertiary", "e"),
        ]
    )
    assert s.typical == 957.0  # median of 775, 939, 975, 1000
    assert (s.low, s.high) == (775.0, 2000.0)
    assert s.evidence == "primary"
    assert "tertiary" in s.rule and "median of 4" in s.rule


def test_tertiary_only_is_used_and_labelled() -> None:
    s = summarise([Value(84, None, None, "tertiary", "blog")])
    assert (s.typical, s.evidence, s.rule) == (84.0, "tertiary", "single tertiary value")


values = st.builds(
    Value,
    st.floats(0, 5000),
    st.none() | st.floats(0, 5000),
    st.none() | st.floats(0, 5000),
    st.sampled_from(QUALITIES),
    st.just("k"),
)


@given(st.lists(values, min_size=1, max_size=8))
def test_summary_brackets_typical(vals: list[Value]) -> None:
    s = summarise(vals)
    assert s.low <= s.typical <= s.high
    assert s.n_values == len(vals)
