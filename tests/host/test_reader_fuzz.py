"""The reader never crashes on corrupt input: random flips, truncations and
splices of segment files and the NVRAM image give findings, never exceptions,
and every record outside the damage is still read."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boards.host.board import Board
from boards.host.dirfs import DirFs
from boards.host.memory import RamNvram
from hcdaudit import ring
from hcdaudit.audit import AuditLog
from hcdaudit.hal import cpython as hal
from hcdaudit.reader import Reader

import support


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("pristine")
    (base / "store").mkdir()
    nv = RamNvram(ring.region_size(50, 512))
    log = AuditLog(Board(nv, DirFs(str(base / "store")), clock=support.FakeClock(), random=support.FakeRandom()),
                   support.MASTER_KEY)
    log.boot()
    for i in range(139):
        log.log("print_job", subject="u%d" % (i % 5), file_name="f%03d.pdf" % i)
    (base / "nvram.bin").write_bytes(bytes(nv.buf))
    return base


mutation = st.tuples(st.sampled_from(["flip", "truncate", "splice", "zero"]),
                     st.integers(min_value=0, max_value=3),          # which file (3 = NVRAM)
                     st.integers(min_value=0, max_value=30000),      # offset
                     st.integers(min_value=1, max_value=255))        # xor byte / length


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(mutation, min_size=1, max_size=4))
def test_reader_survives_any_damage(pristine, tmp_path_factory, mutations):
    work = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(pristine, work, dirs_exist_ok=True)
    segments = sorted((work / "store").iterdir())
    touched = set()
    for kind, which, offset, value in mutations:
        path = work / "nvram.bin" if which == 3 else segments[which % len(segments)]
        data = bytearray(path.read_bytes())
        if not data:
            continue
        offset %= len(data)
        if kind == "flip":
            data[offset] ^= value
        elif kind == "truncate":
            del data[offset:]
        elif kind == "splice":
            data[offset:offset] = data[:value]
        else:
            data[offset:offset + value] = bytes(min(value, len(data) - offset))
        path.write_bytes(bytes(data))
        touched.add(path.name)
    nv = (work / "nvram.bin").read_bytes()
    if len(nv) < ring.region_size(50, 512):
        with pytest.raises(ring.RingError):         # a clear error, which the CLI turns into exit 2
            Reader(DirFs(str(work / "store")), RamNvram(len(nv), nv), support.MASTER_KEY, 50, 512, hal.Aes)
        nv = None
    reader = Reader(DirFs(str(work / "store")), RamNvram(len(nv), nv) if nv else None, support.MASTER_KEY, 50, 512,
                    hal.Aes)
    seqs = [r["seq"] for r in reader.records()]
    report = reader.report
    assert len(seqs) == len(set(seqs))               # never a record exported twice
    untouched = {"0000000001.seg": range(1, 51), "0000000051.seg": range(51, 101)}
    for name, expected in untouched.items():
        if name not in touched and "nvram.bin" not in touched:
            assert set(expected) <= set(seqs), (name, report.as_dict()["findings"])
    assert report.intact() == (not report.faults())
