#!/usr/bin/env python3
"""Fails when a file includes a header of a higher layer (or of another component of its own
layer). The layers, lowest first, are the CMake targets of server/, ui/ and app/; see
docs/architecture.md. Usage: check-layers.py [source root]"""
import pathlib
import re
import sys

# Component (a folder of server/, or ui, app) -> layer. A file may include headers of its own
# component and of lower layers only.
LAYERS = [
    ["protocol", "logging", "runtime"],
    ["core"],
    ["http"],
    ["config"],
    ["store", "security"],
    ["entities", "sessions", "tasks"],
    ["transport"],
    ["metrics"],
    ["admin"],
    ["edge"],
    ["server"],          # server/McpServer.*, server/ServerHost.*: the composition of the server
    ["s12", "fixtures"],  # a sample domain and the conformance fixtures: plugged in by app and tests
    ["console"],         # ConsoleLink: the console's interface to a server, in-process or remote (no Widgets)
    ["ui"],
    ["app"],
]
LEVEL = {c: i for i, layer in enumerate(LAYERS) for c in layer}
# Headers that are not part of their component's interface: only the component itself (and the
# tests, which are not checked here) may include them.
PRIVATE = {
    "edge/AdminEventStream.h", "edge/AuthFailureResponder.h", "edge/AuthenticationStage.h", "edge/ClientIdentity.h", "edge/HostOriginStage.h",
    "edge/HttpPipeline.h", "edge/HttpsStage.h", "edge/OriginPolicy.h", "edge/QueryTokenStage.h",
    "edge/RateLimitStage.h", "http/HttpFramingParser.h", "http/TlsAcceptor.h", "security/JwksSource.h",
    "transport/SseStream.h",
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def component(root, path):
    rel = path.relative_to(root).parts
    if rel[0] == "server":
        return "server" if len(rel) == 2 else rel[1]
    return rel[0]


def target(root, src, name):
    """The component of an included header, or None for a system/Qt header."""
    own = src.parent / name
    if own.exists():
        return component(root, own.resolve())
    for base in (root / "server", root / "ui", root / "app"):
        if (base / name).exists():
            return component(root, (base / name).resolve())
    return None


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2]).resolve()
    problems, checked = [], 0
    for top in ("server", "ui", "app"):
        for src in sorted((root / top).rglob("*")):
            if src.suffix not in (".h", ".cpp"):
                continue
            checked += 1
            me = component(root, src)
            if me not in LEVEL:
                problems.append(f"{src.relative_to(root)}: component '{me}' has no layer in {__file__}")
                continue
            for name in INCLUDE.findall(src.read_text(encoding="utf-8", errors="replace")):
                other = target(root, src, name)
                if other is None or other == me:
                    continue
                if name in PRIVATE:
                    problems.append(f"{src.relative_to(root)}: includes \"{name}\", private to {other}")
                    continue
                if other not in LEVEL or LEVEL[other] >= LEVEL[me]:
                    problems.append(f"{src.relative_to(root)}: includes \"{name}\" ({other}, layer "
                                    f"{LEVEL.get(other, '?')}) from {me} (layer {LEVEL[me]})")
    for p in problems:
        print(p)
    print(f"{checked} files checked, {len(problems)} wrong-way include(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
