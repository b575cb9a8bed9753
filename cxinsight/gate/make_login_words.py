"""Write ``english_initial_surname.txt``: the English words that read as a member of staff's login made of
an initial and a surname ("trust" as t + Rust, "plane" as p + Lane, "shill" as s + Hill), so that
:func:`cxinsight.privacy._initial_and_surname` never takes one for a login ("passed from trust to
trust", "waiting for plane").

The words come from the public-domain English word list of ``dwyl/english-words`` (``words_alpha.txt``
in ``words_alpha.zip``, commit 20f5cc9b3f0ccc8ce45d814c532b7c2031bba31c, released into the public
domain), as ``cxinsight/demand/english_near_keywords.txt`` does. Only the words of five to fifteen
letters whose tail is a surname in the project's or Faker's lists (everyday words included) are kept.

Run again after adding surnames: ``python -m cxinsight.gate.make_login_words path/to/words_alpha.zip``.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).with_name("english_initial_surname.txt")
SOURCE = "dwyl/english-words words_alpha.txt (public domain), commit 20f5cc9b3f0ccc8ce45d814c532b7c2031bba31c"


def login_like(words, surnames) -> list[str]:
    """Words of 5-15 letters whose letters after the first are a surname.

    >>> login_like({"trust", "plane", "table", "brown"}, {"rust", "lane", "own"})
    ['plane', 'trust']
    """
    return sorted(w for w in words if 5 <= len(w) <= 15 and w.isalpha() and w[1:] in surnames)


def main(zip_path: str) -> None:
    with zipfile.ZipFile(zip_path) as z:
        words = {w.strip().lower() for w in z.read(z.namelist()[0]).decode().split()}
    from cxinsight.gate import all_surnames

    kept = login_like(words, all_surnames())
    OUT.write_text("# English words that read as an initial and a surname: never a staff login.\n"
                   f"# From {SOURCE}; written by make_login_words.py.\n" + "\n".join(kept) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(kept)} words")


if __name__ == "__main__":
    main(sys.argv[1])
