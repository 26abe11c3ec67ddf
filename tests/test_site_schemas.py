"""Schemas the site declares: Kwalify translated to JSON Schema, configuration errors that name
the key, and the phases served from the site's own collection, whatever they carry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import pytest
from litestar.testing import TestClient

from betacontent.core.settings import SchemaOptions, find_config, load_config
from betacontent.core.validation import format_path
from betacontent.serve.api import create_app
from betacontent.serve.published import load_published
from betacontent.site.kwalify import KwalifyError, is_kwalify, to_json_schema
from betacontent.site.schemas import Declared, schema_issues
from conftest import Run

MEMBER = {
    "type": "map",
    "mapping": {
        "fullname": {"type": "str", "required": True},
        "role": {"type": "str", "enum": ["dev", "design"]},
        "github": {"type": "str", "pattern": "/^[a-z0-9-]+$/"},
        "age": {"type": "int", "range": {"min": 18, "max-ex": 100}},
        "bio": {"type": "str", "length": {"max": 10}},
        "tags": {"type": "seq", "unique": True, "sequence": [{"type": "str"}]},
        "links": {"type": "map", "mapping": {"=": {"type": "str"}}},
        "address": {"include": "adresse"},
    },
    "schema;adresse": {"type": "map", "mapping": {"ville": {"type": "str", "required": True}}},
}


def _errors(schema: dict[str, Any], data: object) -> list[str]:
    """Where the linter places each finding of `data` against the Kwalify `schema`."""
    validator = jsonschema.Draft202012Validator(to_json_schema(schema))
    declared = Declared("test", SchemaOptions(), validator)
    return sorted(format_path(issue.path) or "$" for issue in schema_issues(declared, data))


def test_a_ref_to_a_sibling_file_is_read_from_disk(run: Run, tmp_path: Path) -> None:
    files = {
        "_schemas/phase.json": '{"properties": {"duree": {"$ref": "commun.json#/$defs/d"}}}',
        "_schemas/commun.json": '{"$defs": {"d": {"type": "integer", "minimum": 1}}}',
        "_phases/a.md": "---\nduree: 0\n---\n",
    }
    site = _site(
        tmp_path, '[front-matter.collections.phases]\nschema = "_schemas/phase.json"\n', files
    )
    result = run("lint", cwd=site)
    assert "_phases/a.md:2:8: BC105 `duree`: 0 is less than the minimum of 1" in result.stdout


def test_kwalify_patterns_keep_their_flags() -> None:
    schema = {"type": "str", "pattern": "/^mois|semaine$/i"}
    assert _errors(schema, "MOIS") == [] and _errors(schema, "an") == ["$"]


def test_kwalify_is_told_from_json_schema() -> None:
    assert is_kwalify(MEMBER)
    assert is_kwalify({"type": "seq", "sequence": [{"type": "str"}]})
    assert not is_kwalify({"type": "object", "properties": {}})
    assert not is_kwalify({"$schema": "x", "type": "number"})


def test_a_valid_document_passes_and_optional_keys_may_be_empty() -> None:
    good = {
        "fullname": "Ada",
        "role": "dev",
        "github": "ada",
        "age": 36,
        "bio": "court",
        "tags": ["a", "b"],
        "links": {"site": "https://ada.example"},
        "address": {"ville": "Londres"},
    }
    assert _errors(MEMBER, good) == []
    assert _errors(MEMBER, {"fullname": "Ada", "role": None}) == []


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"fullname": None}, "fullname"),  # required: a value, not an empty one
        ({"role": "chef"}, "role"),
        ({"github": "Ada Lovelace"}, "github"),
        ({"age": 100}, "age"),  # max-ex
        ({"age": 17}, "age"),
        ({"bio": "bien trop long"}, "bio"),
        ({"tags": ["a", "a"]}, "tags"),
        ({"links": {"site": 3}}, "links.site"),
        ({"address": {}}, "address"),
        ({"unknown": 1}, "unknown"),  # Kwalify mappings are closed
    ],
)
def test_each_kwalify_rule_refuses_what_it_should(change: dict[str, Any], where: str) -> None:
    assert _errors(MEMBER, {"fullname": "Ada", **change}) == [where]


def test_a_missing_required_key_is_reported() -> None:
    assert _errors(MEMBER, {"role": "dev"}) == ["$"]


@pytest.mark.parametrize(
    ("schema", "text"),
    [
        ({"type": "map", "mapping": {"a": {"tipe": "str"}}}, "unknown rule `tipe`"),
        ({"type": "strng"}, "unknown type `strng`"),
        ({"type": "seq", "sequence": [{"type": "str"}, {"type": "int"}]}, "list of one rule"),
        ({"type": "int", "range": {"least": 1}}, "unknown bound `least`"),
    ],
)
def test_a_bad_kwalify_schema_is_refused_naming_the_rule(schema: dict[str, Any], text: str) -> None:
    with pytest.raises(KwalifyError, match=text):
        to_json_schema(schema)


def _site(root: Path, config: str, files: dict[str, str]) -> Path:
    (root / "_config.yml").write_text("title: t\ncollections:\n  phases:\n    output: false\n")
    (root / "betacontent.toml").write_text(config)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.mark.parametrize(
    ("config", "files", "named"),
    [
        (
            '[front-matter.collections.phases]\nschema = "absent.json"\n',
            {},
            "`front-matter.collections.phases.schema`: ",
        ),
        (
            '[front-matter.collections.phases]\nschema = "s.json"\n',
            {"s.json": '{"type": "objet"}'},
            "s.json is not a valid JSON Schema",
        ),
        (
            '[front-matter.collections.phases]\nschema = "s.yml"\n',
            {"s.yml": "type: map\nmapping:\n  a: {requis: true}\n"},
            "not a valid Kwalify schema: $.a: unknown rule `requis`",
        ),
        (
            "[front-matter.collections.phase]\nrequired = ['label']\n",
            {},
            "the site has no collection `phase`; did you mean `phases`?",
        ),
        (
            "[front-matter.collections.phases]\nreferences = { 'page' = 'pages' }\n",
            {},
            "`page` names `pages`, which is no collection of the site",
        ),
        (
            "[front-matter.collections.phases]\nreferences = { 'a..b' = 'phases' }\n",
            {},
            "is not a path such as",
        ),
        (
            '[front-matter.collections.phases]\nschema = "s.json"\n',
            {"s.json": '{"properties": {"a": {"$ref": "#/$defs/absente"}}}'},
            "`$ref` `#/$defs/absente` leads nowhere",
        ),
        (
            '[front-matter.collections.phases]\nschema = "s.json"\n',
            {"s.json": '{"properties": {"a": {"$ref": "commun.json"}}}'},
            "`$ref` `commun.json` leads nowhere",
        ),
        (
            '[front-matter.collections.phases]\nschema = "s.yml"\n',
            {"s.yml": "type: map\nmapping:\n  x: &a {type: map, mapping: {y: *a}}\n"},
            "a rule contains itself",
        ),
        (
            '[front-matter.collections.phases]\nschema = "s.yml"\n',
            {"s.yml": "type: map\nmapping:\n  x: {include: absente}\n"},
            "leads nowhere",
        ),
        (
            '[front-matter.files."_data/programe.yml"]\nrequired = ["x"]\n',
            {"_data/programme.yml": "x: 1\n"},
            "no file of the site matches it; did you mean `_data/programme.yml`?",
        ),
        ('[phases]\ncollection = "phase"\n', {}, "no collection `phase`; did you mean `phases`?"),
    ],
)
def test_a_bad_declaration_is_exit_2_naming_the_key(
    run: Run, tmp_path: Path, config: str, files: dict[str, str], named: str
) -> None:
    site = _site(tmp_path, config, files)
    result = run("lint", cwd=site)
    assert result.returncode == 2, result.stdout + result.stderr
    assert named in result.stderr
    assert "Traceback" not in result.stderr


# A phase collection shaped like beta.gouv.fr's own: no duration, other key names.
PHASES = {
    "_phases/01-investigation.md": (
        "---\nstatus: investigation\nlabel: Investigation\norder: 1\n"
        "short_description: Comprendre le problème.\n"
        "documentation_url: /doc/investigation.html\n---\n"
    ),
    "_phases/02-construction.md": (
        "---\nstatus: construction\nlabel: Construction\norder: 2\n"
        "short_description: Construire un premier service.\n---\n"
    ),
    "_phases/00-alumni.md": "---\nstatus: alumni\nlabel: Alumni\norder: 9\n---\n",
    "doc/investigation.md": "---\ntitle: La phase d'investigation\n---\nTexte.\n",
}


def test_phases_come_from_the_sites_collection_in_its_order(tmp_path: Path) -> None:
    site = _site(tmp_path, "", PHASES)
    published = load_published(site, load_config(find_config(site)))
    assert published.errors == 0, [d.message for d in published.diagnostics]
    with TestClient(app=create_app(published)) as client:
        programme = msgspec.json.decode(client.get("/api/phases").content)
    phases = programme["phases"]
    assert [p["label"] for p in phases] == ["Investigation", "Construction", "Alumni"]
    first = phases[0]
    assert first["slug"] == "01-investigation" and first["order"] == 1
    assert first["description"] == "Comprendre le problème."
    assert first["page"] == {"url": "/doc/investigation.html", "title": "La phase d'investigation"}
    assert first["front_matter"]["status"] == "investigation"
    assert first["duration"] is None and phases[1]["page"] is None
    assert programme["total_text"] is None and programme["total_min_months"] is None


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("{min: 6, max: 9, unit: week}", ("P6W", "P9W", "6 à 9 semaines")),
        ("P12M", ("P12M", "P12M", "12 mois")),
        ("P6W/P9W", ("P6W", "P9W", "6 à 9 semaines")),
        ("6 à 9 semaines", ("P6W", "P9W", "6 à 9 semaines")),
        ("12 mois", ("P12M", "P12M", "12 mois")),
        ("1 week", ("P1W", "P1W", "1 semaine")),
        ("bientôt", None),
        ("P6W/P3M", None),  # two units: no range to give
    ],
)
def test_durations_are_read_in_every_common_form(
    tmp_path: Path, written: str, expected: tuple[str, str, str] | None
) -> None:
    text = f"---\nlabel: Phase\norder: 1\nduration: {written}\n---\n"
    site = _site(tmp_path, "", {"_phases/phase.md": text})
    published = load_published(site, load_config(find_config(site)))
    with TestClient(app=create_app(published)) as client:
        (phase,) = msgspec.json.decode(client.get("/api/phases").content)["phases"]
    duration = phase["duration"]
    found = (duration["iso_min"], duration["iso_max"], duration["text"]) if duration else None
    assert found == expected


def test_the_phase_collection_and_its_keys_are_configuration(tmp_path: Path) -> None:
    config = (
        '[phases]\ncollection = "etapes"\nlabel = ["nom"]\norder = ["rang"]\nduration = ["duree"]\n'
    )
    site = _site(
        tmp_path,
        config,
        {
            "_etapes/b.md": "---\nnom: Deuxième\nrang: 2\nduree: P3M\n---\n",
            "_etapes/a.md": "---\nnom: Première\nrang: 1\nduree: P6W\n---\n",
        },
    )
    (site / "_config.yml").write_text("title: t\ncollections:\n  etapes:\n    output: false\n")
    published = load_published(site, load_config(find_config(site)))
    with TestClient(app=create_app(published)) as client:
        programme = msgspec.json.decode(client.get("/api/phases").content)
    assert [p["label"] for p in programme["phases"]] == ["Première", "Deuxième"]
    assert programme["collection"] == "etapes"
    assert programme["total_text"] == "environ 4,4 mois"
