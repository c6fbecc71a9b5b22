"""promparse.py - a strict parser of the Prometheus text exposition format
(version 0.0.4), written for the tests: every line is a comment (# HELP, # TYPE
or another), a sample, or blank; HELP and TYPE at most once per family and
before its samples; metric and label names as the format allows; label
values with only the escapes \\\\, \\" and \\n; values as Go's ParseFloat
reads them (NaN, +Inf, -Inf). Raises ValueError naming the line."""

import re

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def _value(s, where):
    if s in ("NaN", "+Inf", "-Inf", "Inf"):
        return float(s.replace("Inf", "inf").replace("NaN", "nan"))
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", s):
        raise ValueError(f"{where}: bad value {s!r}")
    return float(s)


def _labels(text, i, where):
    """Parses {k="v",...} from text[i] == '{'; returns (dict, index after '}')."""
    labels = {}
    i += 1
    while True:
        if text[i] == "}":
            return labels, i + 1
        m = re.compile(LABEL).match(text, i)
        if not m:
            raise ValueError(f"{where}: bad label name at column {i + 1}")
        key = m.group(0)
        i = m.end()
        if text[i:i + 2] != '="':
            raise ValueError(f"{where}: expected =\" after label {key}")
        i += 2
        val = []
        while True:
            if i >= len(text):
                raise ValueError(f"{where}: unterminated label value")
            ch = text[i]
            if ch == "\\":
                nxt = text[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    raise ValueError(f"{where}: bad escape \\{nxt} in label value")
                val.append("\n" if nxt == "n" else nxt)
                i += 2
                continue
            if ch == '"':
                i += 1
                break
            if ch == "\n":
                raise ValueError(f"{where}: raw newline in label value")
            val.append(ch)
            i += 1
        if key in labels:
            raise ValueError(f"{where}: label {key} twice")
        labels[key] = "".join(val)
        if text[i] == ",":
            i += 1
        elif text[i] != "}":
            raise ValueError(f"{where}: expected , or }} after a label")


def parse(text):
    """Returns {family: {"help", "type", "samples": [(name, labels, value)]}}."""
    if text and not text.endswith("\n"):
        raise ValueError("the text must end with a newline")
    fams = {}
    seen_samples = set()
    for n, line in enumerate(text.split("\n")[:-1], 1):
        where = f"line {n}"
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not re.fullmatch(NAME, name):
                    raise ValueError(f"{where}: bad metric name {name!r}")
                fam = fams.setdefault(name, {"help": None, "type": None, "samples": []})
                key = parts[1].lower()
                if fam[key] is not None:
                    raise ValueError(f"{where}: second {parts[1]} for {name}")
                if name in seen_samples:
                    raise ValueError(f"{where}: {parts[1]} for {name} after its samples")
                rest = parts[3] if len(parts) > 3 else ""
                if key == "type":
                    if rest not in TYPES:
                        raise ValueError(f"{where}: bad type {rest!r}")
                    fam["type"] = rest
                else:
                    if re.search(r"\\[^\\n]", rest.replace("\\\\", "")):
                        raise ValueError(f"{where}: bad escape in HELP")
                    fam["help"] = rest.replace("\\n", "\n").replace("\\\\", "\\")
            continue
        m = re.compile(NAME).match(line)
        if not m:
            raise ValueError(f"{where}: bad sample {line!r}")
        name, i = m.group(0), m.end()
        labels = {}
        if i < len(line) and line[i] == "{":
            labels, i = _labels(line, i, where)
        if i >= len(line) or line[i] != " ":
            raise ValueError(f"{where}: expected a space before the value")
        fields = line[i + 1:].split(" ")
        if not 1 <= len(fields) <= 2:
            raise ValueError(f"{where}: expected a value and an optional timestamp")
        value = _value(fields[0], where)
        if len(fields) == 2 and not re.fullmatch(r"-?\d+", fields[1]):
            raise ValueError(f"{where}: bad timestamp")
        base = name
        for suffix in ("_bucket", "_sum", "_count"):
            if name.endswith(suffix) and name[:-len(suffix)] in fams:
                base = name[:-len(suffix)]
        fam = fams.setdefault(base, {"help": None, "type": None, "samples": []})
        seen_samples.add(base)
        if (name, tuple(sorted(labels.items()))) in {(s[0], tuple(sorted(s[1].items())))
                                                      for s in fam["samples"]}:
            raise ValueError(f"{where}: sample {name}{labels} twice")
        fam["samples"].append((name, labels, value))
    return fams


def value(fams, name, **labels):
    """The value of the one sample of name with labels, or None."""
    fam = fams.get(name)
    for n, l, v in (fam["samples"] if fam else []):
        if n == name and l == labels:
            return v
    return None
