"""Freeze the Dutch word list the readability gate reads (learning/content/data/nl_words.txt.gz).

Run once by hand with wordfreq's data file and msgpack available; the product reads only the frozen extract, so it
needs neither package at run time. wordfreq's data is frozen upstream (no new releases expected), so the extract
does not go stale.

    python scripts/build_wordlist.py path/to/wordfreq/data/large_nl.msgpack.gz
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

import msgpack  # type: ignore[import-not-found]

MIN_ZIPF = 2.0  # below this every word is rare anyway; keeps the file small
WORD = re.compile(r"[a-zà-ÿ]+(?:['-][a-zà-ÿ]+)*")
OUT = Path(__file__).resolve().parent.parent / "learning" / "content" / "data" / "nl_words.txt.gz"


def main(source: str) -> None:
    with gzip.open(source) as handle:
        buckets = msgpack.load(handle, raw=False)
    lines = ["# word<TAB>zipf*10; extract of wordfreq 3.1.1 large_nl (CC BY-SA 4.0), see LICENSE-wordfreq-data.txt"]
    for index, bucket in enumerate(buckets[1:]):  # bucket i holds words with frequency 10^(-i/100)
        zipf = 9 - index / 100
        if zipf < MIN_ZIPF:
            break
        lines.extend(f"{word}\t{round(zipf * 10)}" for word in bucket if WORD.fullmatch(word))
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("\n".join(lines) + "\n")
    print(f"{len(lines) - 1} words written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
