"""PEP 517 build backend for this pure-Python package, standard library only (no setuptools download).

Builds a py3-none-any wheel (package files, METADATA, entry points, RECORD), an sdist, and an editable wheel
(a .pth pointing at this directory).
"""
from __future__ import annotations

import base64
import hashlib
import io
import pathlib
import re
import tarfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent
PACKAGE = "koan_mcp_client"


def _project() -> dict:
    text = (ROOT / "pyproject.toml").read_text()
    try:
        import tomllib  # 3.11+
        return tomllib.loads(text)["project"]
    except ImportError:  # 3.10: read the few flat keys this backend needs
        project: dict = {"scripts": {}}
        section = None
        for line in text.splitlines():
            if m := re.match(r"^\[(.+)\]\s*$", line):
                section = m.group(1)
            elif m := re.match(r'^"?([\w.-]+)"?\s*=\s*"(.*)"\s*$', line):
                if section == "project":
                    project[m.group(1)] = m.group(2)
                elif section == "project.scripts":
                    project["scripts"][m.group(1)] = m.group(2)
        return project


def _names() -> tuple[dict, str, str]:
    p = _project()
    dist = re.sub(r"[-_.]+", "_", p["name"]).lower()
    return p, dist, f"{dist}-{p['version']}.dist-info"


def _metadata() -> str:
    p = _project()
    head = ["Metadata-Version: 2.1", f"Name: {p['name']}", f"Version: {p['version']}", f"Summary: {p['description']}",
            f"Requires-Python: {p['requires-python']}", "Description-Content-Type: text/markdown"]
    return "\n".join(head) + "\n\n" + (ROOT / "README.md").read_text()


def _dist_info() -> dict[str, bytes]:
    p, _, info = _names()
    files = {f"{info}/METADATA": _metadata().encode(),
             f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: koan_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    if scripts := p.get("scripts"):
        files[f"{info}/entry_points.txt"] = ("[console_scripts]\n" + "".join(
            f"{name} = {target}\n" for name, target in scripts.items())).encode()
    return files


def _write_wheel(directory: str, files: dict[str, bytes], tag: str = "") -> str:
    p, dist, info = _names()
    name = f"{dist}-{p['version']}{tag}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(pathlib.Path(directory) / name, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in {**files, **_dist_info()}.items():
            z.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(data)}")
        record.append(f"{info}/RECORD,,")
        z.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return name


def _package_files() -> list[pathlib.Path]:
    return sorted(f for f in (ROOT / PACKAGE).rglob("*") if f.is_file() and f.suffix in (".py", ".typed"))


def get_requires_for_build_wheel(config_settings=None) -> list[str]:
    return []


get_requires_for_build_sdist = get_requires_for_build_editable = get_requires_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None) -> str:
    return _write_wheel(wheel_directory, {f.relative_to(ROOT).as_posix(): f.read_bytes() for f in _package_files()})


def build_editable(wheel_directory, config_settings=None, metadata_directory=None) -> str:
    return _write_wheel(wheel_directory, {f"__editable__.{PACKAGE}.pth": f"{ROOT}\n".encode()})


def build_sdist(sdist_directory, config_settings=None) -> str:
    p, dist, _ = _names()
    base = f"{dist}-{p['version']}"
    members = ["pyproject.toml", "koan_build.py", "README.md", *(f.relative_to(ROOT).as_posix() for f in _package_files())]
    with tarfile.open(pathlib.Path(sdist_directory) / f"{base}.tar.gz", "w:gz") as t:
        for member in members:
            t.add(ROOT / member, arcname=f"{base}/{member}")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = _metadata().encode()
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return f"{base}.tar.gz"
