"""QR matrices for asset tags, fast, with the mask chosen by the standard's penalty rules.

The qrcode library makes any QR code, but about 2 ms a code here, most of it the mask
search (eight full matrices scored module by module) and its general-purpose encoder.
A tag always fits version 1 (21x21) at error correction H in alphanumeric mode, so this
module has a fast path for exactly that case: the codewords (alphanumeric packing and
one Reed-Solomon block) are computed directly; each row and column of the symbol is one
integer bitmask, the eight masked symbols are built by XOR, and the four ISO/IEC 18004
penalty rules (runs, 2x2 blocks, finder-like patterns, dark balance) are counted with
shifts and popcounts. Anything else goes to the qrcode library unchanged.
tests/test_qr.py checks the codewords and matrices against the qrcode library and the
penalty scores against a plain module-by-module reference.
"""

from __future__ import annotations

from functools import cache

N = 21  # version 1
FULL = (1 << N) - 1
_EC_H = 2  # qrcode.constants.ERROR_CORRECT_H (format bits "10")

_MASKS = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)


def _bit(col: int) -> int:
    return 1 << col  # bit j of a row integer is the module in column j


@cache
def _layout() -> tuple[list[int], list[tuple[int, int]], list[list[int]], list[list[int]]]:
    """Function-pattern rows, data module order, and per mask: its data-area mask rows
    and its format-information rows (all for version 1)."""
    from qrcode.util import BCH_type_info

    reserved = [[False] * N for _ in range(N)]
    dark = [[False] * N for _ in range(N)]
    for r0, c0 in ((0, 0), (0, N - 7), (N - 7, 0)):
        for r in range(-1, 8):
            for c in range(-1, 8):
                rr, cc = r0 + r, c0 + c
                if 0 <= rr < N and 0 <= cc < N:
                    reserved[rr][cc] = True
                    ring = max(abs(r - 3), abs(c - 3))
                    dark[rr][cc] = 0 <= r <= 6 and 0 <= c <= 6 and ring != 2
    for k in range(8, N - 8):
        reserved[6][k] = reserved[k][6] = True
        dark[6][k] = dark[k][6] = k % 2 == 0
    for k in range(9):  # format areas around the top-left finder
        reserved[8][k] = reserved[k][8] = True
    for k in range(8):
        reserved[8][N - 1 - k] = reserved[N - 1 - k][8] = True
    dark[N - 8][8] = True  # the dark module
    function_rows = [sum(_bit(c) for c in range(N) if dark[r][c]) for r in range(N)]

    order = []  # data modules, in the standard's two-column zigzag from the bottom right
    upward = True
    col = N - 1
    while col > 0:
        if col == 6:
            col -= 1
        rows = range(N - 1, -1, -1) if upward else range(N)
        for r in rows:
            for c in (col, col - 1):
                if not reserved[r][c]:
                    order.append((r, c))
        upward = not upward
        col -= 2

    mask_rows = [
        [sum(_bit(c) for c in range(N) if not reserved[r][c] and m(r, c)) for r in range(N)]
        for m in _MASKS
    ]
    format_rows = []
    for mask in range(8):
        bits = BCH_type_info((_EC_H << 3) | mask)
        fmt = [0] * N
        for i in range(15):
            if not (bits >> i) & 1:
                continue
            # vertical copy (column 8) and horizontal copy (row 8), as ISO/IEC 18004 7.9
            vr = i if i < 6 else (i + 1 if i < 8 else N - 15 + i)
            fmt[vr] |= _bit(8)
            hc = N - i - 1 if i < 8 else (15 - i if i < 9 else 15 - i - 1)
            fmt[8] |= _bit(hc)
        format_rows.append(fmt)
    return function_rows, order, mask_rows, format_rows


def _transpose(rows: list[int]) -> list[int]:
    cols = [0] * N
    for r, row in enumerate(rows):
        while row:
            low = row & -row
            cols[low.bit_length() - 1] |= 1 << r
            row ^= low
    return cols


@cache
def _packed() -> tuple[list[int], list[int], list[int], list[int]]:
    """Per mask, everything that does not depend on the data, packed: rows and columns of
    (function patterns | format information), and rows and columns of the data mask."""
    function_rows, _, mask_rows, format_rows = _layout()
    fixed_rows = [
        pack([f | fr for f, fr in zip(function_rows, fmt, strict=True)]) for fmt in format_rows
    ]
    fixed_cols = [
        pack(_transpose([f | fr for f, fr in zip(function_rows, fmt, strict=True)]))
        for fmt in format_rows
    ]
    return (
        fixed_rows,
        fixed_cols,
        [pack(m) for m in mask_rows],
        [pack(_transpose(m)) for m in mask_rows],
    )


# All 21 rows (or columns) of a symbol are packed into one integer, 22 bits a line:
# 21 modules and a guard bit that stays 0, so no run or pattern crosses into the next
# line. Each rule is then a handful of whole-symbol shifts and popcounts.
STRIDE = N + 1
VALID = sum(FULL << (STRIDE * k) for k in range(N))  # every module position, no guards


def pack(lines: list[int]) -> int:
    return sum(line << (STRIDE * k) for k, line in enumerate(lines))


def _runs(a: int) -> int:
    """Rule 1: each run of 5+ same-colour modules in a line scores 3 + (length - 5)."""
    score = 0
    for x in (a, ~a & VALID):
        m5 = x & (x >> 1) & (x >> 2) & (x >> 3) & (x >> 4)
        # a run of length L leaves L-4 bits in m5; count the runs by their lowest bit
        score += m5.bit_count() + 2 * (m5 & ~(m5 << 1)).bit_count()
    return score


_PAIRS = sum((FULL >> 1) << (STRIDE * k) for k in range(N - 1))  # blocks' top-left corners


def _blocks(a: int) -> int:
    """Rule 2: every 2x2 block of one colour scores 3."""
    b = a >> STRIDE  # the next row, aligned
    la = ~a & VALID
    lb = la >> STRIDE
    same = (a & b & (a >> 1) & (b >> 1)) | (la & lb & (la >> 1) & (lb >> 1))
    return 3 * (same & _PAIRS).bit_count()


_STARTS = sum(((1 << (N - 10)) - 1) << (STRIDE * k) for k in range(N))  # windows that fit


def _finder_like(a: int) -> int:
    """Rule 3: 1:1:3:1:1 dark-light-dark-light-dark with 4 light modules on one side,
    inside the symbol, scores 40 each."""
    la = ~a & VALID
    # bit s: modules s..s+6 read 1011101 (the pattern is symmetric, so either direction)
    core = a & (la >> 1) & (a >> 2) & (a >> 3) & (a >> 4) & (la >> 5) & (a >> 6)
    if not core:
        return 0
    light4 = la & (la >> 1) & (la >> 2) & (la >> 3)  # bit s: s..s+3 light
    after = core & (light4 >> 7)  # pattern at s, light at s+7..s+10
    before = light4 & (core >> 4)  # light at s..s+3, pattern at s+4..s+10
    return 40 * ((after & _STARTS).bit_count() + (before & _STARTS).bit_count())


def _balance(a: int) -> int:
    """Rule 4: 10 points for every full 5 % the dark share is away from 50 %."""
    return 10 * (abs(a.bit_count() * 100 - 50 * N * N) // (5 * N * N))


def penalty(rows: int, cols: int) -> int:
    """The ISO/IEC 18004 mask penalty of a symbol given as packed rows and columns."""
    return (
        _runs(rows)
        + _runs(cols)
        + _blocks(rows)
        + _finder_like(rows)
        + _finder_like(cols)
        + _balance(rows)
    )


ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_ALNUM_INDEX = {ch: i for i, ch in enumerate(ALNUM)}
_DATA_WORDS, _EC_WORDS = 9, 17  # version 1-H: one block of 9 data + 17 EC codewords


@cache
def _gf() -> tuple[list[int], list[int], list[int]]:
    """GF(256) exp/log tables (polynomial 0x11D) and the degree-17 RS generator."""
    exp, log = [0] * 512, [0] * 256
    x = 1
    for i in range(255):
        exp[i] = x
        log[x] = i
        x <<= 1
        if x & 0x100:
            x ^= 0x11D
    for i in range(255, 512):
        exp[i] = exp[i - 255]
    gen = [1]
    for i in range(_EC_WORDS):  # multiply by (x - a^i)
        nxt = [0] * (len(gen) + 1)
        for j, g in enumerate(gen):
            nxt[j] ^= g
            if g:
                nxt[j + 1] ^= exp[log[g] + i]
        gen = nxt
    return exp, log, gen


def _codewords(text: str) -> list[int] | None:
    """Alphanumeric-mode codewords for version 1-H, or None when ``text`` needs more."""
    if len(text) > 10 or text.isdigit() or any(ch not in _ALNUM_INDEX for ch in text):
        return None  # digits alone pack tighter in numeric mode: leave those to qrcode
    bits = "0010" + f"{len(text):09b}"  # mode indicator, character count (9 bits, v1-9)
    for i in range(0, len(text) - 1, 2):
        bits += f"{45 * _ALNUM_INDEX[text[i]] + _ALNUM_INDEX[text[i + 1]]:011b}"
    if len(text) % 2:
        bits += f"{_ALNUM_INDEX[text[-1]]:06b}"
    capacity = _DATA_WORDS * 8
    bits += "0" * min(4, capacity - len(bits))  # terminator
    bits += "0" * (-len(bits) % 8)
    data = [int(bits[i : i + 8], 2) for i in range(0, len(bits), 8)]
    data += [0xEC, 0x11] * ((_DATA_WORDS - len(data)) // 2 + 1)
    data = data[:_DATA_WORDS]
    exp, log, gen = _gf()
    rem = data + [0] * _EC_WORDS  # polynomial division by the generator
    for i in range(_DATA_WORDS):
        coef = rem[i]
        if coef:
            lc = log[coef]
            for j in range(1, len(gen)):
                rem[i + j] ^= exp[lc + log[gen[j]]]
    return data + rem[_DATA_WORDS:]


def matrix_rows(text: str) -> tuple[list[int], int]:
    """(rows, mask) of the version 1-H symbol for ``text``; rows[r] bit c = module (r, c).
    Raises ValueError when ``text`` does not fit version 1-H (use ``matrix``)."""
    words = _codewords(text)
    if words is None:
        raise ValueError(f"{text!r} does not fit a version 1-H QR code")
    _, order, _, _ = _layout()
    fixed_rows, fixed_cols, mask_rows, mask_cols = _packed()
    data_rows = [0] * N
    bits = "".join(f"{w:08b}" for w in words)
    for (r, c), b in zip(order, bits, strict=False):
        if b == "1":
            data_rows[r] |= _bit(c)
    rows_packed, cols_packed = pack(data_rows), pack(_transpose(data_rows))
    best_score, best_mask = -1, 0
    for m in range(8):
        score = penalty(
            rows_packed ^ mask_rows[m] | fixed_rows[m], cols_packed ^ mask_cols[m] | fixed_cols[m]
        )
        if best_score < 0 or score < best_score:
            best_score, best_mask = score, m
    symbol = rows_packed ^ mask_rows[best_mask] | fixed_rows[best_mask]
    return [(symbol >> (STRIDE * r)) & FULL for r in range(N)], best_mask


def symbol(text: str) -> tuple[list[int], int]:
    """(rows, size): the QR symbol for ``text`` at error correction H, no quiet zone,
    each row an integer whose bit c is the module in column c."""
    try:
        return matrix_rows(text)[0], N
    except ValueError:
        import qrcode
        from qrcode.constants import ERROR_CORRECT_H

        code = qrcode.QRCode(error_correction=ERROR_CORRECT_H, border=0)
        code.add_data(text)
        code.make(fit=True)
        grid = code.get_matrix()
        return [sum(1 << c for c, dark in enumerate(row) if dark) for row in grid], len(grid)


def matrix(text: str) -> list[list[bool]]:
    """The QR symbol for ``text`` as rows of booleans (no quiet zone), error correction H."""
    rows, size = symbol(text)
    return [[bool(row >> c & 1) for c in range(size)] for row in rows]
