"""Guide files: every fiche loads, is sourced and dated, and links to real catalogue places."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from actions.guides.library import (
    GuideSchemaError,
    catalogue_services,
    guide_files,
    load_glossary,
    load_guide_file,
    load_library,
    parse_guide,
)

REQUIRED_GUIDES = {
    "rsa", "prime-activite", "aides-logement", "complementaire-sante-solidaire",
    "mutuelle-communale", "domiciliation", "cheque-energie", "fsl-loyer",
    "aide-alimentaire", "carte-identite-passeport", "france-travail", "handicap",
    "apa-aide-domicile", "ehpad-residence-autonomie", "portage-repas",
    "transport-demande", "tarifs-sociaux", "aspa", "medecin-traitant",
    "addictions", "parentalite", "aide-demarches-en-ligne",
}


def valid() -> dict:
    path = next(p for p in guide_files() if p.stem == "rsa")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_22_guides_of_the_issue_exist_and_load() -> None:
    library = load_library()
    assert REQUIRED_GUIDES <= set(library)


@pytest.mark.parametrize("path", guide_files(), ids=lambda p: p.stem)
def test_each_guide_is_complete_and_checked(path: Path) -> None:
    guide = load_guide_file(path)
    assert dt.date.today() - guide.checked <= dt.timedelta(days=365)
    assert guide.checked >= max(f.verified for f in guide.facts)
    assert len(guide.steps) >= 3 and guide.documents and guide.conditions
    assert guide.sources and all(s.url.startswith("https://") for s in guide.sources)
    assert "décide" in guide.decider  # Sésame informs; the guide names who decides


@pytest.mark.parametrize("path", guide_files(), ids=lambda p: p.stem)
def test_every_place_a_guide_sends_to_is_in_the_catalogue(path: Path) -> None:
    known = catalogue_services()
    guide = load_guide_file(path)
    missing = [place for place in guide.where if place not in known]
    assert not missing, f"{path.name} links to unknown catalogue ids {missing}"


def test_glossary_links_point_to_existing_guides() -> None:
    library = load_library()
    for term in load_glossary():
        assert not term.guide or term.guide in library, term.id
        assert term.source.startswith("https://"), term.id


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda d: d.pop("sources"), "sources"),
        (lambda d: d.update(sources=[{"url": "https://www.some-blog.com/rsa"}]), "not an official"),
        (lambda d: d.update(checked="hier"), "checked"),
        (lambda d: d.pop("checked"), "checked"),
        (lambda d: d.update(next_action="teleport"), "next_action"),
        (lambda d: d.update(steps=[{"simpler": "sans texte"}]), "step 1"),
        (lambda d: d.update(id="RSA guide"), "slug"),
        (lambda d: d.update(documents=[]), "documents"),
        (lambda d: d.update(where="ccas-chambery"), "where"),
    ],
)
def test_a_broken_guide_is_refused_with_the_reason(change, message: str) -> None:
    data = valid()
    change(data)
    with pytest.raises(GuideSchemaError, match=message):
        parse_guide(data, "rsa.yml")


def test_file_name_must_match_the_id(tmp_path: Path) -> None:
    data = valid()
    (tmp_path / "autre.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(GuideSchemaError, match="file name"):
        load_guide_file(tmp_path / "autre.yml")


def test_related_guides_must_exist(tmp_path: Path) -> None:
    data = valid()
    data["related"] = ["guide-qui-n-existe-pas"]
    (tmp_path / "rsa.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(GuideSchemaError, match="related"):
        load_library(tmp_path)
