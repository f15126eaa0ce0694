"""The fast QR path against the qrcode library and a plain reference of the standard's
mask penalty rules (ISO/IEC 18004, 7.8.3)."""

from __future__ import annotations

import random

import pytest
import qrcode
from qrcode.constants import ERROR_CORRECT_H
from qrcode.util import QRData, create_data

from refurb import qr
from refurb.tags import new_tag

random.seed(7)
TAGS = [new_tag(random.choice(["RF", "IQ", "K9", "A"])) for _ in range(300)] + [
    "A",
    "RF-",
    "AB-12",
    "$%*+-./: ",
    "RF-0000000",
]


def reference_penalty(m: list[list[bool]]) -> int:
    """Module by module, exactly as the standard words it."""
    n = len(m)
    lines = [list(row) for row in m] + [[m[r][c] for r in range(n)] for c in range(n)]
    score = 0
    for line in lines:  # rule 1
        run, prev = 0, None
        for v in [*line, None]:
            if v == prev:
                run += 1
            else:
                if run >= 5:
                    score += 3 + run - 5
                run, prev = 1, v
    for r in range(n - 1):  # rule 2
        for c in range(n - 1):
            if m[r][c] == m[r][c + 1] == m[r + 1][c] == m[r + 1][c + 1]:
                score += 3
    p1 = [True, False, True, True, True, False, True, False, False, False, False]
    p2 = p1[::-1]
    for line in lines:  # rule 3
        for s in range(n - 10):
            window = line[s : s + 11]
            score += 40 * ((window == p1) + (window == p2))
    dark = sum(map(sum, m))  # rule 4
    score += 10 * (abs(dark * 100 - 50 * n * n) // (5 * n * n))
    return score


@pytest.mark.parametrize("tag", TAGS[:60] + TAGS[-5:])
def test_codewords_match_the_qrcode_library(tag: str) -> None:
    assert qr._codewords(tag) == list(create_data(1, ERROR_CORRECT_H, [QRData(tag.encode())]))


def _qrcode_matrix(text: str, mask: int) -> list[list[bool]]:
    code = qrcode.QRCode(version=1, error_correction=ERROR_CORRECT_H, border=0, mask_pattern=mask)
    code.add_data(text)
    code.make(fit=False)
    return [[bool(x) for x in row] for row in code.get_matrix()]


def test_every_mask_scores_as_the_reference_and_the_best_one_is_chosen() -> None:
    for tag in TAGS:
        rows, chosen = qr.matrix_rows(tag)
        scores = [reference_penalty(_qrcode_matrix(tag, m)) for m in range(8)]
        assert scores[chosen] == min(scores), (tag, scores, chosen)
        # ties go to the lowest mask number, like the qrcode library
        assert chosen == scores.index(min(scores))
        grid = [[bool(row >> c & 1) for c in range(21)] for row in rows]
        assert grid == _qrcode_matrix(tag, chosen) == qr.matrix(tag)


def test_fast_penalty_equals_reference_per_mask() -> None:
    for tag in TAGS[:40]:
        for mask in range(8):
            grid = _qrcode_matrix(tag, mask)
            rows = [sum(1 << c for c, v in enumerate(row) if v) for row in grid]
            cols = [sum(1 << r for r in range(21) if grid[r][c]) for c in range(21)]
            assert qr.penalty(qr.pack(rows), qr.pack(cols)) == reference_penalty(grid)


@pytest.mark.parametrize("text", ["0123456789", "lower-case", "RF-ABCDEFGHIJKLMNOP"])
def test_other_text_goes_to_the_library(text: str) -> None:
    rows, size = qr.symbol(text)
    assert len(rows) == size
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_H, border=0)
    code.add_data(text)
    code.make(fit=True)
    assert size == len(code.get_matrix())
    assert qr.matrix(text) == [[bool(x) for x in row] for row in code.get_matrix()]
