"""Copy the curated literature data of ../shared/reference into src/k2lab/data.

Run from the repository root: ``python tools/import_reference.py [SHARED_DIR]``.
It only reshapes (adds a quality tier, splits the portions' source column); every
number is copied as published in the reference folder. Hand-curated files
(food_catalog.csv, article_foods.csv, portions_generic.csv, form_splits.csv,
reference_intakes.csv, sources_k2lab.csv) are not touched.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path("src/k2lab/data")


def quality_of(note: str) -> str:
    head = note.strip().upper()
    if head.startswith("TERTIARY"):
        return "tertiary"
    if head.startswith("SECONDARY"):
        return "secondary"
    return "primary"


def write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow({k: row.get(k, "") for k in header})


def main(shared: Path) -> None:
    ref = shared / "reference"
    with (ref / "foods/vitamers.csv").open(encoding="utf-8") as f:
        vit = list(csv.DictReader(f))
    for row in vit:
        row["quality"] = quality_of(row["notes"])
    write(OUT / "food_vitamers.csv", [*list(vit[0].keys())], vit)

    with (ref / "foods/totals.csv").open(encoding="utf-8") as f:
        totals = list(csv.DictReader(f))
    for row in totals:
        row["quality"] = quality_of(row["notes"])
    write(OUT / "food_totals.csv", [*list(totals[0].keys())], totals)

    portions = []
    with (ref / "foods/portions.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            note = row["source_key_or_note"]
            if note.startswith("usda_sr26"):
                key, quality = "usda_sr26", "primary"
            elif note.startswith("DERIVED"):
                key, quality = "usda_sr26", "derived"
            elif note.startswith("NIH ODS"):
                key, quality = "nih_ods_vitk_via_medwiki", "secondary"
            elif note.startswith("ESTIMATE"):
                key, quality = "curator_estimate", "estimate"
            else:
                raise SystemExit(f"unclassified portion source: {note}")
            portions.append(
                {
                    "food_key": row["food_key"],
                    "portion_name": row["portion_name"],
                    "grams": row["grams"],
                    "source_key": key,
                    "quality": quality,
                    "notes": note,
                }
            )
    write(
        OUT / "portions.csv",
        ["food_key", "portion_name", "grams", "source_key", "quality", "notes"],
        portions,
    )

    for folder, name in (("foods", "sources_foods.csv"), ("safety", "sources_safety.csv")):
        with (ref / folder / "sources.csv").open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        write(OUT / name, ["source_key", "citation", "doi", "url", "notes"], rows)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared"))
