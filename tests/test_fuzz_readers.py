"""Garbled readings through every OS reader: each ends as values or gaps, never a
traceback, and the snapshot can still be assessed and written as JSON."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refurb.assess import default_policy, evaluate
from refurb.probe import collect
from refurb.probe.source import CaptureSource

POLICY = default_policy()
junk = st.one_of(
    st.binary(max_size=64),
    st.text(max_size=40).map(str.encode),
    st.integers(min_value=-(2**70), max_value=2**70).map(lambda n: str(n).encode()),
    st.sampled_from([b"", b"\n", b"0\n", b"-1\n", b"1e9\n", b"NaN\n", b"\xff\xfe\n"]),
)


def _capture(os_name: str, files: dict[str, bytes], commands: dict[str, bytes]) -> Path:
    root = Path(tempfile.mkdtemp(prefix="refurb-fuzz-"))
    (root / "meta.json").write_text(json.dumps({"format": "refurb-capture/1", "os": os_name}))
    for rel, data in files.items():
        path = root / "root" / rel.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "commands").mkdir()
    for name, data in commands.items():
        (root / "commands" / name).write_bytes(data)
    return root


def _survives(capture: Path) -> None:
    snap = collect(CaptureSource(capture))
    json.dumps(snap.to_dict())
    evaluate(snap, None, POLICY)


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BAT = "/sys/class/power_supply/BAT0/"


@SETTINGS
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "energy_full",
                "energy_full_design",
                "charge_full",
                "charge_full_design",
                "cycle_count",
                "manufacturer",
                "model_name",
                "serial_number",
                "status",
                "present",
                "scope",
            ]
        ),
        junk,
    ),
    st.sampled_from([b"Battery\n", b"Mains\n", b"", b"\xff"]),
)
def test_linux_battery_files(values: dict[str, bytes], kind: bytes) -> None:
    _survives(
        _capture("linux", {BAT + "type": kind, **{BAT + k: v for k, v in values.items()}}, {})
    )


@SETTINGS
@given(junk, junk, junk, st.text(max_size=300).map(str.encode))
def test_linux_cpu_memory_dmi(
    cpuinfo: bytes, meminfo: bytes, chassis: bytes, dmidecode: bytes
) -> None:
    _survives(
        _capture(
            "linux",
            {
                "/proc/cpuinfo": b"processor\t: 0\nflags\t: " + cpuinfo,
                "/proc/meminfo": b"MemTotal: " + meminfo,
                "/sys/class/dmi/id/chassis_type": chassis,
                "/sys/class/dmi/id/sys_vendor": cpuinfo[:20],
            },
            {"dmidecode.txt": b"Memory Device\n\tSize: " + dmidecode},
        )
    )


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "DesignCapacity",
                    "AppleRawMaxCapacity",
                    "MaxCapacity",
                    "CycleCount",
                    "DeviceName",
                    "Serial",
                ]
            ),
            st.one_of(
                st.integers(min_value=-(2**40), max_value=2**40).map(str),
                st.text(max_size=12).map(lambda t: f'"{t}"'),
            ),
        ),
        max_size=8,
    )
)
def test_macos_ioreg(pairs: list[tuple[str, str]]) -> None:
    text = "+-o AppleSmartBattery\n" + "".join(f'  "{k}" = {v}\n' for k, v in pairs)
    _survives(_capture("macos", {}, {"ioreg-AppleSmartBattery.txt": text.encode()}))


@SETTINGS
@given(junk, junk, junk, st.booleans())
def test_windows_battery_report(design: bytes, full: bytes, cycles: bytes, broken: bool) -> None:
    def esc(b: bytes) -> str:
        return b.decode("utf-8", "replace").replace("&", "").replace("<", "")

    xml = (
        '<?xml version="1.0"?><BatteryReport xmlns="http://schemas.microsoft.com/battery/'
        '2012"><Batteries><Battery><Id>B</Id>'
        f"<DesignCapacity>{esc(design)}</DesignCapacity>"
        f"<FullChargeCapacity>{esc(full)}</FullChargeCapacity>"
        f"<CycleCount>{esc(cycles)}</CycleCount></Battery></Batteries></BatteryReport>"
    )
    data = xml.encode()[: len(xml) // 2] if broken else xml.encode()
    _survives(
        _capture(
            "windows", {}, {"powercfg-batteryreport.xml": data, "cim-Win32_Processor.json": design}
        )
    )
