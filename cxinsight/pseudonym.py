"""Staff and customer ids as keyed pseudonyms: what ``data/processed`` and every later layer hold.

A customer id becomes ``C-`` and sixteen hex digits, a staff id ``S-`` and sixteen: the first 64 bits
of HMAC-SHA256 under a secret key, of the kind and the id normalised (surrounding spaces removed,
case folded). The same id under the same key always gives the same token, so repeat contacts link,
customers are segmented and one quarter's data joins the next; without the key a token cannot be
turned back into the id (ids are short and guessable, so an unkeyed hash could be).

The key is 32 random bytes (:mod:`secrets`) made on first use and kept in a file outside every data
folder: ``$CXINSIGHT_PSEUDONYM_KEY_FILE``, or ``$XDG_CONFIG_HOME/cxinsight/pseudonym.key``
(``~/.config/cxinsight/pseudonym.key``), readable by its owner only (mode 0600). A key file inside
the data or reports folders is refused. No table of ids and their tokens is ever written: an
analyst who needs to find a person hashes the id they have, on their own machine::

    >>> import os, tempfile
    >>> os.environ["CXINSIGHT_PSEUDONYM_KEY_FILE"] = os.path.join(tempfile.mkdtemp(), "k.key")
    >>> t = token(" 00123456 ", "customer")
    >>> t.startswith("C-"), len(t), t == token("00123456", "customer"), t == token("00123456", "staff")
    (True, 18, True, False)
    >>> token("123456", "customer", zero_pad=8) == t  # leading zeros restored as the profile does
    True
    >>> pseudonymise(pd.Series(["Priya Sharma", "priya sharma ", None]), "staff").str[:2].tolist()
    ['S-', 'S-', nan]

Lose the key and the same people get new tokens: earlier quarters no longer join the new ones.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import stat
from pathlib import Path

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

KEY_ENV = "CXINSIGHT_PSEUDONYM_KEY_FILE"
KEY_BYTES = 32
TOKEN_HEX = 16  # 64 bits: a collision among ten million customers has odds of about 1 in 370,000 (and is refused)
#: The kinds of person an id can name, and the letter that starts their tokens.
KINDS = {"customer": "C", "staff": "S"}
#: The canonical fields that identify a person (:data:`cxinsight.schemas.FIELDS`), and their kind.
#: Contact, complaint and survey references are the council's own and are not personal: they stay.
PERSON_IDS = {"customer_id": "customer", "staff_id": "staff"}


class PseudonymKeyError(ValueError):
    """A pseudonym key file that cannot be used: names the path, what is wrong and how to fix it."""


def key_path() -> Path:
    """Where the key lives: ``$CXINSIGHT_PSEUDONYM_KEY_FILE``, else ``$XDG_CONFIG_HOME/cxinsight/pseudonym.key``,
    else ``~/.config/cxinsight/pseudonym.key``."""
    env = os.environ.get(KEY_ENV)
    if env:
        return Path(env).expanduser().resolve()
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return (Path(config).expanduser() / "cxinsight" / "pseudonym.key").resolve()


def _data_folders() -> list[Path]:
    from cxinsight import paths

    return [paths.data_dir().resolve(), paths.reports_dir().resolve(),
            (paths.project_root() / "data").resolve(), (paths.project_root() / "reports").resolve()]


def check_key_path(path: Path | str) -> Path:
    """``path`` resolved, or :class:`PseudonymKeyError` if it lies inside a data or reports folder
    (the key would travel with the data it protects)."""
    path = Path(path).expanduser().resolve()
    for folder in _data_folders():
        if path == folder or folder in path.parents:
            raise PseudonymKeyError(
                f"{path}: the pseudonym key must be kept outside the data and reports folders ({folder}); "
                f"a key beside the data would let anyone with a copy of the data turn tokens back into ids. "
                f"Move it (the default is ~/.config/cxinsight/pseudonym.key) and point {KEY_ENV} at it.")
    return path


_CACHE: dict[Path, tuple[float, bytes]] = {}


def load_key(path: Path | str | None = None, create: bool = True) -> bytes:
    """The secret key (32 bytes), made on first use in a new file readable by its owner only.

    Refuses a key file inside a data or reports folder, one that is not 64 hex digits, and (with
    ``create=False``) a missing one, each naming the path.
    """
    path = check_key_path(path or key_path())
    if not path.exists():
        if not create:
            raise PseudonymKeyError(f"{path}: no pseudonym key. Run the pipeline once to make one, or set {KEY_ENV} "
                                    "to the council's key file.")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(KEY_BYTES) + "\n")
            os.chmod(path, 0o600)
            log.warning("a new pseudonym key was made at %s: keep it safe and back it up privately; without it "
                        "later runs give the same people new tokens and earlier data no longer joins", path)
    mtime = path.stat().st_mtime
    cached = _CACHE.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s: the pseudonym key can be read by others (mode %o); run chmod 600 on it", path, mode)
    text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise PseudonymKeyError(f"{path}: expected a pseudonym key of {2 * KEY_BYTES} hex digits, found "
                                f"{len(text)} characters that are not one. Restore the council's key from its backup, "
                                "or delete the file to make a new one (tokens then change).")
    _CACHE[path] = (mtime, key)
    return key


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"pseudonym kind must be one of {sorted(KINDS)}, found {kind!r}")
    return KINDS[kind]


def normalise(values: pd.Series, zero_pad: int | None = None) -> pd.Series:
    """Ids as they are hashed: surrounding spaces removed, case folded, blanks missing; with
    ``zero_pad``, all-digit ids given back the leading zeros Excel strips (as the profile's
    ``zero_pad`` does when the export is read).

    >>> normalise(pd.Series([" AB12 ", "ab12", "", None, "42"]), zero_pad=4).tolist()
    ['ab12', 'ab12', nan, nan, '0042']
    """
    text = values.astype("str").str.strip().str.casefold()
    if zero_pad:
        digits = text.str.fullmatch(r"\d+").fillna(False) & (text.str.len() < zero_pad)
        text = text.where(~digits, text.str.zfill(zero_pad))
    return text.where(values.notna() & text.ne(""))


def _tokens(uniques, prefix: str, key: bytes) -> list[str]:
    """``prefix-`` and the first :data:`TOKEN_HEX` hex digits of HMAC-SHA256(key, ``prefix:id``) for
    each id. The key's inner and outer pads are hashed once and copied per id (RFC 2104, exactly what
    :func:`hmac.digest` computes, at half its cost per call).

    >>> import hmac
    >>> k = bytes(range(32))
    >>> _tokens(["ab12"], "C", k) == ["C-" + hmac.digest(k, b"C:ab12", "sha256").hex()[:TOKEN_HEX]]
    True
    """
    block = key.ljust(64, b"\0") if len(key) <= 64 else hashlib.sha256(key).digest().ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
    inner.update(f"{prefix}:".encode())
    start, n = f"{prefix}-", TOKEN_HEX // 2

    def one(text: str) -> str:
        i = inner.copy()
        i.update(text.encode())
        o = outer.copy()
        o.update(i.digest())
        return start + o.digest()[:n].hex()

    return [one(u) for u in uniques]


def pseudonymise(values: pd.Series, kind: str, key: bytes | None = None, zero_pad: int | None = None) -> pd.Series:
    """Every id in ``values`` as its token (missing stays missing). Vectorised: the distinct values
    are found once (``pd.factorize``), normalised and hashed once each, and the tokens broadcast back
    by their codes with one Arrow ``take``, so six million rows cost what their distinct ids cost
    (``benchmarks/bench_pseudonym.py``).

    Two distinct ids that would share a token (a 48-bit collision) are refused rather than merged.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    prefix = _kind(kind)
    key = key if key is not None else load_key()
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    same, normal = pd.factorize(normalise(pd.Series(uniques, dtype="str"), zero_pad), use_na_sentinel=True)
    made = _tokens(np.asarray(normal, dtype=object), prefix, key)
    if len(made) and not pd.Index(made).is_unique:
        raise PseudonymKeyError(f"two different {kind} ids have the same {TOKEN_HEX}-digit token under this key "
                                "(about 1 in 370,000 for ten million ids): make a new key (delete the key file) and run again")
    final = np.append(same, -1)[codes]  # value -> distinct normalised id; missing and blank -> -1
    tokens = pc.take(pa.array(made, type=pa.string()), pa.array(final, mask=final < 0))
    return pd.Series(pd.array(tokens, dtype="str"), index=values.index, name=values.name)


def token(value: object, kind: str, key: bytes | None = None, zero_pad: int | None = None) -> str | None:
    """The token ``value`` has in the processed data (``None`` for a blank): how an analyst finds a
    person, on their own machine, with the council's key. ``zero_pad`` as in the export's profile."""
    out = pseudonymise(pd.Series([value], dtype="str"), kind, key, zero_pad).iloc[0]
    return None if pd.isna(out) else out


def match(tokens, candidates, kind: str, key: bytes | None = None, zero_pad: int | None = None) -> pd.DataFrame:
    """Which of ``candidates`` (ids the analyst holds, such as the raw export's customer numbers)
    have the given ``tokens``: ``token, id``, in memory only. For a person checking a sample of
    customers against the council's records; never write what it returns beside the data.

    >>> ids = pd.Series(["00000001", "00000002"])
    >>> match([token("00000002", "customer")], ids, "customer")["id"].tolist()
    ['00000002']
    """
    candidates = pd.Series(candidates, dtype="str").dropna().drop_duplicates()
    made = pseudonymise(candidates, kind, key, zero_pad)
    wanted = made.isin(set(pd.Series(tokens, dtype="str").dropna()))
    return pd.DataFrame({"token": made[wanted].to_numpy(), "id": candidates[wanted].to_numpy()})


def pseudonymise_people(frame: pd.DataFrame, key: bytes | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``frame`` with every person-id column (:data:`PERSON_IDS`) it has replaced by tokens, and how
    many values were replaced, by column (``column, kind, redacted``; kind ``PSEUDONYMISED_ID``)."""
    columns = [c for c in PERSON_IDS if c in frame.columns]
    if not columns:
        return frame, pd.DataFrame(columns=["column", "kind", "redacted"])
    key = key if key is not None else load_key()
    new = {c: pseudonymise(frame[c], PERSON_IDS[c], key) for c in columns}
    counts = pd.DataFrame([{"column": c, "kind": "PSEUDONYMISED_ID", "redacted": int(new[c].notna().sum())}
                           for c in columns])
    return frame.assign(**new), counts
