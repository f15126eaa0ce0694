"""Property tests of the parsers of files that come from outside the program: snapshot
files from USB sticks (all the way into the database), signed bundles from other shops,
and the TOML a shop edits (policy, label stock, config). Each input ends as a result or
a clear refusal (RefurbError), never a traceback, and never a half-written database."""

from __future__ import annotations

import copy
import json
import math
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refurb.assess import default_policy, evaluate
from refurb.assess.policy import default_policy_text, parse_policy
from refurb.config import load_config
from refurb.errors import RefurbError
from refurb.labels import parse_stock
from refurb.model import snapshot_from_dict
from refurb.store.bundles import export_bundle, read_bundle
from refurb.store.db import Store, open_store
from refurb.store.intake import record_snapshot
from tests.store_helpers import laptop, verdict

# a failing example prints the fixtures too (the bundle's bytes): let it
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
BASE = laptop(serial="FUZZ0001").to_dict()
KEY = b"a program key of some length"
POLICY = default_policy()
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


PATHS = sorted(_paths(BASE), key=str)
mutations = st.lists(
    st.tuples(st.sampled_from(PATHS), st.booleans(), json_values), min_size=1, max_size=4
)


def _mutate(doc: dict[str, Any], changes: list[tuple[tuple[Any, ...], bool, Any]]) -> Any:
    doc = copy.deepcopy(doc)
    for path, delete, value in changes:
        parent: Any = doc
        try:
            for step in path[:-1]:
                parent = parent[step]
            if delete and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the way there
    return doc


@pytest.fixture(scope="module")
def shop() -> Iterator[Store]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "fuzz.db"))
        yield store
        store.dispose()


@FUZZ
@given(changes=mutations)
def test_a_garbled_snapshot_file_is_recorded_or_refused_whole(
    shop: Store, changes: list[tuple[tuple[Any, ...], bool, Any]]
) -> None:
    doc = _mutate(BASE, changes)
    doc["snapshot_id"] = (
        doc.get("snapshot_id") if changes[0][1] else f"fz-{abs(hash(str(changes)))}"
    )
    text = json.dumps(doc)  # as a file on a stick would hold it (NaN included)
    with shop.reading() as s:
        before = s.connection().exec_driver_sql("SELECT count(*) FROM snapshots").scalar()
    try:
        snap = snapshot_from_dict(json.loads(text), "stick/x.json")
        judged = evaluate(snap, None, POLICY)
        json.dumps(judged.to_dict())
        with shop.transaction() as s:
            record_snapshot(s, snap, judged, operator="fuzz", station="FZ", doc=json.loads(text))
    except RefurbError as exc:
        assert exc.message  # a clear refusal
        with shop.reading() as s:
            after = s.connection().exec_driver_sql("SELECT count(*) FROM snapshots").scalar()
        assert after == before  # refused whole


@pytest.fixture(scope="module")
def bundle() -> Iterator[tuple[bytes, dict[str, list[dict[str, Any]]]]]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "shop.db"))
        for i in range(3):
            snap = laptop(serial=f"BND{i}", uuid_=None, board_serial=None)
            with store.transaction() as s:
                record_snapshot(s, snap, verdict(snap), operator="t", station="BN")
        with store.reading() as s:
            data = export_bundle(s, KEY, "BN")[0]
        store.dispose()
    yield data, read_bundle(data, KEY, "original")


@FUZZ
@given(
    cut=st.integers(min_value=0, max_value=10**6),
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(1, 255)), max_size=3),
    junk=st.binary(max_size=64),
)
def test_a_damaged_bundle_is_refused_before_anything_is_read(
    bundle: tuple[bytes, dict[str, Any]], cut: int, flips: list[tuple[int, int]], junk: bytes
) -> None:
    data, rows = bundle
    damaged = bytearray(data[: cut % (len(data) + 1)] if cut % 3 == 0 else data)
    for at, xor in flips:
        if damaged:
            damaged[at % len(damaged)] ^= xor
    damaged += junk if cut % 5 == 0 else b""
    try:
        got = read_bundle(bytes(damaged), KEY, "stick/b.refurb")
    except RefurbError as exc:
        assert exc.message
    else:
        assert got == rows  # only a change outside the signed content can pass


def _toml(doc: dict[str, Any]) -> str:
    """A small TOML writer for the flat documents refurb reads (tables of scalars)."""

    def scalar(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float):
            return (
                "nan"
                if math.isnan(v)
                else ("inf" if v > 0 else "-inf")
                if math.isinf(v)
                else repr(v)
            )
        if isinstance(v, int):
            return str(v)
        if isinstance(v, list):
            return "[" + ", ".join(scalar(x) for x in v) + "]"
        return json.dumps(str(v))

    top = [f"{k} = {scalar(v)}" for k, v in doc.items() if not isinstance(v, dict)]
    tables = [
        f"[{k}]\n" + "\n".join(f"{kk} = {scalar(vv)}" for kk, vv in v.items())
        for k, v in doc.items()
        if isinstance(v, dict)
    ]
    return "\n".join(top + tables) + "\n"


toml_scalars = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.lists(st.integers(-5, 500) | st.floats(-10, 1000), max_size=3)
)


def _edits(doc: dict[str, Any]) -> Any:
    keys = [(k, None) for k in doc] + [
        (k, kk) for k, v in doc.items() if isinstance(v, dict) for kk in v
    ]
    return st.lists(
        st.tuples(st.sampled_from(keys), st.booleans(), toml_scalars), min_size=1, max_size=4
    )


def _edit(doc: dict[str, Any], edits: list[Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for (k, kk), delete, value in edits:
        target = doc if kk is None else doc.get(k)
        key = k if kk is None else kk
        if not isinstance(target, dict):
            continue
        if delete:
            target.pop(key, None)
        elif kk is not None or not isinstance(target.get(key), dict):
            target[key] = value
    return doc


POLICY_DOC = tomllib.loads(default_policy_text())
STOCK_DOC = tomllib.loads(
    (Path(__file__).parent.parent / "labels" / "avery-l7160.toml").read_text()
)
CONFIG_DOC = {
    "station": "IQ",
    "lang": "fr",
    "label_stock": "dymo-30252",
    "program_key": "x" * 20,
    "weights_kg": {"laptop": 2.2},
    "emissions": {"kg_co2e_per_reuse": 225.0, "source": "test"},
}


@FUZZ
@given(edits=_edits(POLICY_DOC))
def test_a_hand_edited_policy_is_used_or_refused_by_line_and_key(edits: list[Any]) -> None:
    try:
        policy = parse_policy(_toml(_edit(POLICY_DOC, edits)), "shop-policy.toml")
    except RefurbError as exc:
        assert "shop-policy.toml" in exc.message
    else:
        evaluate(laptop_snapshot(), None, policy)  # a policy that loads can judge


def laptop_snapshot() -> Any:
    return snapshot_from_dict(copy.deepcopy(BASE))


@FUZZ
@given(edits=_edits(STOCK_DOC))
def test_a_hand_edited_label_stock_is_used_or_refused_by_file_and_key(edits: list[Any]) -> None:
    from refurb.labels import LabelData, render

    try:
        stock = parse_stock(_toml(_edit(STOCK_DOC, edits)), "shop/stock.toml")
    except RefurbError as exc:
        assert "shop/stock.toml" in exc.message
    else:
        data = LabelData(tag="RF-7K2Q9W", model="ThinkPad T480")
        pdf = render([data], stock, lang="en")  # a stock that loads can print
        assert pdf.startswith(b"%PDF")


@FUZZ
@given(edits=_edits(CONFIG_DOC))
def test_a_hand_edited_config_is_used_or_refused(
    edits: list[Any], tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path_factory.mktemp("cfg") / "config.toml"
    path.write_text(_toml(_edit(CONFIG_DOC, edits)))
    monkeypatch.setenv("REFURB_CONFIG", str(path))
    try:
        load_config()
    except RefurbError as exc:
        assert str(path) in exc.message


def test_the_zip_container_itself_is_checked(
    bundle: tuple[bytes, dict[str, Any]], tmp_path: Path
) -> None:
    """A zip bomb-ish member count or a member renamed: refused, not followed."""
    data, _ = bundle
    src = zipfile.ZipFile(__import__("io").BytesIO(data))
    out = tmp_path / "renamed.refurb"
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr("../" + info.filename, src.read(info))
    with pytest.raises(RefurbError):
        read_bundle(out.read_bytes(), KEY, str(out))
