"""Copy the parts of the DSFR that examples/frontend uses into examples/frontend/vendor/dsfr/.

The DSFR (Système de Design de l'État) comes from the npm package `@gouvfr/dsfr`. Fetch
and unpack it without installing anything, then run this script on the unpacked folder:

    npm pack @gouvfr/dsfr@1.15.3 && tar xzf gouvfr-dsfr-1.15.3.tgz
    python scripts/vendor_dsfr.py package

Kept: `dsfr.min.css`, `dsfr.module.min.js`, the Marianne fonts as woff2, the icons that
`dsfr.min.css` itself points to, and the licence. Left out: source maps, the `.woff`
fallbacks, the Spectral fonts (only the `fr-*--alt` display styles use them), the legacy
`nomodule` script, the utility classes (`utility/`, with every icon class), the per-component
files, the artwork, the favicons and the analytics. The folder is rebuilt whole.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "examples" / "frontend" / "vendor" / "dsfr"
FILES = ("dist/dsfr.min.css", "dist/dsfr.module.min.js")
ICON_URL = re.compile(r"url\((icons/[^)\"']+\.svg)\)")


def vendored_files(package: Path) -> dict[str, Path]:
    """Destination name -> source file, for everything the frontend needs."""
    dist = package / "dist"
    chosen = {Path(name).name: package / name for name in FILES}
    chosen["LICENSE.md"] = package / "LICENSE.md"
    for font in sorted((dist / "fonts").glob("Marianne-*.woff2")):
        chosen[f"fonts/{font.name}"] = font
    css = (dist / "dsfr.min.css").read_text("utf-8")
    for icon in sorted(set(ICON_URL.findall(css))):
        chosen[icon] = dist / icon
    return chosen


def note(version: str, files: dict[str, Path]) -> str:
    total = sum(path.stat().st_size for path in files.values())
    return (
        f"# DSFR {version}, vendored\n\n"
        f"From the npm package `@gouvfr/dsfr@{version}` by `scripts/vendor_dsfr.py` "
        f"({len(files)} files, {total // 1024} KiB).\n\n"
        "Kept: `dsfr.min.css`, `dsfr.module.min.js`, the Marianne fonts (woff2), the icons "
        "`dsfr.min.css` points to, `LICENSE.md`.\n\n"
        "Left out: source maps, the `.woff` fallbacks, the Spectral fonts (only the "
        "`fr-*--alt` display styles use them), the legacy `nomodule` script, the utility "
        "classes and their icon classes, the per-component files, artwork, favicons and "
        "analytics.\n\n"
        "Licence: the code is under Licence Ouverte / Etalab 2.0, the Marianne fonts under "
        "their own terms; the DSFR's terms of use reserve it to French public "
        "administrations (see LICENSE.md).\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="the unpacked npm package (with package.json)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    package: Path = args.package
    out: Path = args.out
    try:
        manifest = json.loads((package / "package.json").read_text("utf-8"))
        files = vendored_files(package)
        missing = [str(path) for path in files.values() if not path.is_file()]
    except (OSError, ValueError) as error:
        print(f"vendor_dsfr: {package}: {error}", file=sys.stderr)
        return 2
    if manifest.get("name") != "@gouvfr/dsfr" or missing:
        print(f"vendor_dsfr: not a complete @gouvfr/dsfr package: {missing}", file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".dsfr-", dir=out.parent))
    for name, source in files.items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, staging / name)
    (staging / "VERSION.md").write_text(note(str(manifest["version"]), files), "utf-8")
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)
    print(f"{out}: DSFR {manifest['version']}, {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
