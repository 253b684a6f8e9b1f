"""Synthetic but realistic people: valid ID numbers (checksums), Chinese names, phones.

Streams: rows are built and inserted in batches, so a million people never sit in
memory at once. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from stdnum.cn import ric

from dte.privacy import crypto
from dte.registry.models import Person

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬建国文博宇浩然子涵欣怡梓轩思远晨曦雨桐俊杰佳琪嘉怡志强海燕春梅晓东"


def make_id_number(area: str, birth: date, sequence: int) -> str:
    body = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def synthetic_people(count: int, seed: int, counties: list[str], start: int = 0) -> Iterator[dict]:
    rng = random.Random(seed)
    base = date(1966, 1, 1)
    for index in range(start, start + count):
        area = rng.choice(counties)
        birth = base + timedelta(days=rng.randrange(0, 40 * 365))
        id_number = make_id_number(area, birth, rng.randrange(0, 1000))
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        phone = f"1{rng.choice('3456789')}{rng.randrange(0, 10**9):09d}"
        yield {"index": index, "name": name, "id_number": id_number, "birth": birth, "phone": phone, "area": area}


def people_generate(count: int, *, seed: int = 2026, counties: list[str], registered_by_id: int | None = None,
                    batch_size: int = 2000, progress=None) -> int:
    """Insert `count` synthetic people; returns how many were new. Re-runs with the same
    seed are idempotent (the blind index is unique; clashes are skipped)."""
    before, batch = Person.objects.count(), []

    def flush():
        nonlocal batch
        Person.objects.bulk_create(batch, ignore_conflicts=True)
        batch = []

    for i, row in enumerate(synthetic_people(count, seed, counties), start=1):
        batch.append(Person(
            name=row["name"],
            id_number=row["id_number"],
            id_index=crypto.blind_index(row["id_number"], "id_number"),
            phone=row["phone"],
            phone_index=crypto.blind_index(row["phone"], "phone"),
            birth_date=row["birth"],
            gender="M" if int(row["id_number"][16]) % 2 else "F",
            division_id=row["area"],
            registered_by_id=registered_by_id,
        ))
        if len(batch) >= batch_size:
            flush()
            if progress:
                progress(i, count)
    if batch:
        flush()
    return Person.objects.count() - before
