"""The generated blocks of the vitamin K2 page (``docs/vitamin-k2.md``).

- ``sources-table``: the article's food table next to k2lab's data for each food;
- ``tablespoon``: what one tablespoon of natto gives against the 90 and 180 µg targets;
- ``persistence``: MK-7 against MK-4 after one equal dose (the exposure model);
- ``benefits``: the article's benefit rows with their evidence grade, sources and trials;
- ``warning``: the D3/calcium warning and the advice rule that implements it.
"""

from __future__ import annotations

from collections.abc import Sequence

from k2lab.advice.evidence import claim, rule_data
from k2lab.foods.build import read_data_csv
from k2lab.foods.database import Food, FoodDatabase
from k2lab.foods.nutrients import K2_VITAMERS
from k2lab.intake import cover, parse_target
from k2lab.site.citations import source_links
from k2lab.site.formatting import fmt, fmt_range
from k2lab.site.persistence import persistence_table

PAGE = "vitamin-k2.md"
ARTICLE = "seed_article"
#: The targets every page measures foods against (µg/day); k2lab's default K2 target is 90.
TARGETS = ("90 ug K2", "180 ug MK-7")
#: The article's benefit rows (health area, its claim) and the claim id that grades each.
BENEFITS = (
    ("Bone health", "Prevention of osteoporosis and fractures", "bones", ("ucOC",)),
    (
        "Cardiovascular health",
        "Prevention of arteriosclerosis (calcification)",
        "arteries",
        ("dp_ucMGP",),
    ),
    ("Dental health", "Stronger teeth, more resistant to decay", "teeth", ()),
    ("Synergy with vitamin D3", "Optimisation of supplementation", "d3_synergy", ()),
    ("Metabolic health", "Improved insulin sensitivity", "insulin", ()),
)


def _k2_values(food: Food) -> list[tuple[str, float, float, float, str, str]]:
    """(form, value, low, high, quality, source) of every menaquinone value of ``food``."""
    rows = []
    for form in K2_VITAMERS:
        s = food.nutrient(form)
        for v in s.values if s else ():
            lo = v.value if v.low is None else v.low
            hi = v.value if v.high is None else v.high
            rows.append((form, v.value, lo, hi, v.quality, v.source_key))
    return rows


def article_vs_data(food: Food) -> tuple[str, str, str]:
    """(article figure, other sources' figure, verdict) for the article's forms of ``food``.

    Both figures are totals per 100 g over the forms the article names for this food; the
    other sources' range runs over each source's own total. They disagree when the two
    ranges do not overlap.
    """
    values = _k2_values(food)
    article = [v for v in values if v[5] == ARTICLE]
    forms = {v[0] for v in article}
    a_lo, a_hi = sum(v[2] for v in article), sum(v[3] for v in article)
    per_source: dict[str, list[float]] = {}
    for form, _value, lo, hi, _q, key in values:
        if key != ARTICLE and form in forms:
            t = per_source.setdefault(key, [0.0, 0.0])
            t[0] += lo
            t[1] += hi
    if not per_source:
        return fmt_range(a_lo, a_hi), "none", "article only"
    o_lo = min(t[0] for t in per_source.values())
    o_hi = max(t[1] for t in per_source.values())
    verdict = "agree (ranges overlap)" if a_lo <= o_hi and o_lo <= a_hi else "**disagree**"
    return fmt_range(a_lo, a_hi), fmt_range(o_lo, o_hi), verdict


def sources_table(db: FoodDatabase) -> str:
    """The article's food table, one row per k2lab food, with both figures where they differ."""
    order = list(dict.fromkeys(r["article_label"] for r in read_data_csv("article_foods.csv")))
    foods = sorted(
        (db.get(k) for k in db.keys if db.get(k).article_label),
        key=lambda f: (order.index(f.article_label or ""), f.name),
    )
    lines = [
        "| article row | k2lab food | main form | main form µg/100 g: typical (range) "
        "| all K2 µg/100 g | values | evidence | sources | article says | other sources | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in foods:
        form = f.main_k2_form
        s = f.nutrient(form) if form else None
        values = _k2_values(f)
        keys = list(dict.fromkeys(v[5] for v in values))
        art, other, verdict = article_vs_data(f)
        main = f"{fmt(s.typical)} ({fmt_range(s.low, s.high)})" if s else "none"
        lines.append(
            f"| {f.article_label} | [{f.name}](foods/{f.key}.md) | {form or 'none'} | {main} "
            f"| {fmt(f.k2_per_100g())} | {len(values)} | {s.evidence if s else ''} "
            f"| {source_links(keys, PAGE)} | {art} | {other} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def tablespoon(db: FoodDatabase) -> str:
    """What one tablespoon of natto gives, and how much natto reaches each target."""
    natto = db.get("natto")
    spoon = next(p for p in natto.portions if p.name == "1 tablespoon")
    mk7 = natto.nutrient("MK-7")
    if mk7 is None:
        return "k2lab has no MK-7 value for natto.\n"
    ug = [spoon.grams * x / 100 for x in (mk7.typical, mk7.low, mk7.high)]
    lines = [
        f"One tablespoon of natto is {fmt(spoon.grams)} g ({spoon.notes}; "
        f"{source_links([spoon.source_key], PAGE)}). At {fmt(mk7.typical)} µg MK-7 per 100 g "
        f"(range {fmt_range(mk7.low, mk7.high)}, {mk7.rule}) it carries **{fmt(ug[0])} µg MK-7** "
        f"(range {fmt_range(ug[1], ug[2])}).",
        "",
        "| daily target | one tablespoon covers | natto that reaches it | tablespoons |",
        "|---|---|---|---|",
    ]
    for text in TARGETS:
        target = parse_target(text)
        c = cover(natto, target)
        per_spoon = target.content_per_100g(natto) * spoon.grams / 100
        spoons = next(p for p in c.portions if p[0] == "1 tablespoon")
        lines.append(
            f"| {fmt(target.amount_ug)} µg {target.form} | {fmt(100 * per_spoon / target.amount_ug)} % "
            f"| {fmt(c.grams_typical)} g ({fmt_range(c.grams_low, c.grams_high)} g) "
            f"| {spoons[1]:.2g} ({spoons[2]:.2g}–{spoons[3]:.2g}) |"
        )
    return "\n".join(lines) + "\n"


def persistence_block() -> str:
    """The persistence table under the plot."""
    rows = persistence_table()
    head = "| hours after the dose | " + " | ".join(f"{h:g} h" for h in rows[0][1]) + " |"
    lines = [head, "|---|" + "---|" * len(rows[0][1])]
    for vitamer, _hours, share in rows:
        lines.append(
            f"| {vitamer}: rise above baseline, % of its peak | "
            + " | ".join(f"{x:.0f} %" for x in share)
            + " |"
        )
    return "\n".join(lines) + "\n"


def _trials(endpoints: Sequence[str]) -> str:
    found = []
    for r in read_data_csv("trial_arms.csv"):
        if (
            any(r["endpoint"].startswith(e) for e in endpoints)
            and r["metric"] == "change_percent"
            and not r["medication"]
        ):
            found.append(
                f"{r['regimen']}, {r['duration']}: {float(r['observed']):+g} % "
                f"{r['endpoint'].split('_pmol')[0].split('_ng')[0]} "
                f"({source_links(r['source_key'].split(';'), PAGE)})"
            )
    return "; ".join(found) if found else "no biomarker arms in k2lab's trial table"


def benefits() -> str:
    """The article's benefit rows with their evidence grade, summary, trials and sources."""
    lines = [
        "| health area | the article's benefit | evidence grade | what trials found "
        "| biomarker arms in k2lab's trial table | sources |",
        "|---|---|---|---|---|---|",
    ]
    for area, benefit, claim_id, endpoints in BENEFITS:
        c = claim(claim_id)
        lines.append(
            f"| {area} | {benefit} | **{c.grade}** | {c.summary} | {_trials(endpoints)} "
            f"| {source_links(c.source_keys, PAGE)} |"
        )
    return "\n".join(lines) + "\n"


def warning() -> str:
    """The article's warning, graded, linking to the advice rule that implements it."""
    rule, vka = rule_data()["d3_calcium_low_k2"], rule_data()["d3_calcium_low_k2_vka"]
    c = claim("d3_synergy")
    return (
        "!!! warning \"The article: 'if you take calcium or D3, K2 is essential'\"\n"
        f"    k2lab grades this claim **{c.grade}**. The advice rule "
        f"[`{rule.rule_id}`](advice.md#rules) implements it as a *{rule.severity}* "
        f"(evidence: {rule.evidence_grade}): it fires when a diet has D3 or calcium supplements "
        "and less K2 than your target, and says what would close the gap. With a vitamin K "
        f"antagonist the rule `{vka.rule_id}` says not to add K2 on your own. "
        f"Sources: {source_links(rule.source_keys, PAGE)}.\n"
    )


def k2_blocks(db: FoodDatabase) -> dict[str, str]:
    """Every generated block of the K2 page, by name."""
    return {
        "sources-table": sources_table(db),
        "tablespoon": tablespoon(db),
        "persistence": persistence_block(),
        "benefits": benefits(),
        "warning": warning(),
    }
