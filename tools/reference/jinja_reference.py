"""Renders chat templates as Hugging Face transformers renders them, for the engine's Jinja parity tests.

The environment is transformers' (apply_chat_template): Jinja2's ImmutableSandboxedEnvironment with trim_blocks,
lstrip_blocks and loop controls, its tojson (no ASCII escaping, keys in order), raise_exception and strftime_now (at
the case's "now", ISO 8601, so that both sides format the same time). Reads a JSON list of {"template", "variables",
"now"} on standard input; writes a JSON list of {"output"} or {"error"}.
"""
import json
import sys
from datetime import datetime

from jinja2 import TemplateError
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def render(case):
    environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    environment.filters["tojson"] = tojson
    environment.globals["raise_exception"] = raise_exception
    now = datetime.fromisoformat(case.get("now", "2026-12-01T09:30:00"))
    environment.globals["strftime_now"] = now.strftime
    try:
        return {"output": environment.from_string(case["template"]).render(**case["variables"])}
    except Exception as error:  # the parity test compares that both fail, not the message
        return {"error": f"{type(error).__name__}: {error}"}


if __name__ == "__main__":
    json.dump([render(case) for case in json.load(sys.stdin)], sys.stdout, ensure_ascii=False)
