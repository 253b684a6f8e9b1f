"""Regenerate dte/geography/data/divisions.csv from python-stdnum's GB/T 2260 table.

python-stdnum ships `cn/loc.dat` (the Wikipedia-maintained list of GB/T 2260 codes
with the years each name was in force). We keep only the five seed provinces and only
names still in force, down to county level. Run: .venv/bin/python scripts/build_divisions.py
"""

import csv
import os
import re
import sys

import stdnum

PROVINCES = {"12", "14", "45", "53", "54"}  # Tianjin, Shanxi, Guangxi, Yunnan, Tibet
OUT = os.path.join(os.path.dirname(__file__), "..", "dte", "geography", "data", "divisions.csv")


def current_name(spec: str) -> str | None:
    """'[-1991]东郊区,[1992-]东丽区' → '东丽区'; '[-2009]塘沽区' → None."""
    for part in spec.split(","):
        match = re.fullmatch(r"(?:\[(\d*)-(\d*)\])?(.+)", part.strip())
        if match and not match.group(2):
            return match.group(3)
    return None


def main() -> int:
    path = os.path.join(os.path.dirname(stdnum.__file__), "cn", "loc.dat")
    rows, province, province_name = [], None, None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            if not line.startswith(" "):
                code, rest = line.split(" ", 1)
                province = code
                province_name = re.search(r'province="([^"]+)"', rest).group(1)
                if province in PROVINCES:
                    rows.append((province + "0000", province_name, "province", ""))
                continue
            if province not in PROVINCES:
                continue
            suffix, rest = line.strip().split(" ", 1)
            name = current_name(re.search(r'county="([^"]+)"', rest).group(1))
            code = province + suffix
            if name is None or suffix == "0000":
                continue
            if suffix.endswith("00"):
                if name == "市辖区":
                    name = f"{province_name}市辖区"
                rows.append((code, name, "prefecture", province + "0000"))
            elif name != "市辖区":
                rows.append((code, name, "county", code[:4] + "00"))
    known = {r[0] for r in rows}
    rows = [r for r in rows if not r[3] or r[3] in known]
    with open(OUT, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "name", "level", "parent"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} divisions to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
