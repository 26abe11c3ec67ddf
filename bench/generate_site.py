"""Seeded generator of large, realistic French Jekyll sites in the style of beta.gouv.fr.

    python -m bench.generate_site OUT_DIR --pages 1000 --seed 42 [--defects 0.0] [--force]

OUT_DIR becomes the root of a Jekyll site: `_config.yml`, `_layouts/`, `_includes/`, `img/`,
`_data/`, a `_phases/` collection and `--pages` Markdown pages under `_pages/` (a home page, one
index per section and the section pages). Every page carries an explicit permalink, a breadcrumb
trail whose titles are exactly those of the pages it links to, and a 2-6 KB French body with
headings, lists, tables, images, raw HTML and links to other pages and to their headings (ids
computed as kramdown's GFM parser computes them). With `--defects 0` the site is clean.

With `--defects P`, each page gets, with probability P, one injected defect; `_defects.json`
(ignored by Jekyll, as is every name starting with `_`) lists them: file, kind, line, detail.

Pure standard library. The same seed and options give the same bytes. The site is written to a
temporary sibling folder and renamed into place, so OUT_DIR is never left half-written.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import struct
import sys
import tempfile
import time
import unicodedata
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

SITE_URL = "https://beta.gouv.fr"
NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space, before ? ! ; in French typography
VOWELS = "aeiouhàâäéèêëîïôöùûüœ"

# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# noun/gender[/plural]
NOUNS_SPEC = """
équipe/f; usager/m; agent/m; intrapreneur/m; incubateur/m; administration/f; service/m;
démarche/f; produit/m; coach/m; développeuse/f; designer/m; commune/f; collectivité/f;
ministère/m; opérateur/m; préfecture/f; territoire/m; communauté/f; impact/m; hypothèse/f;
problème/m; solution/f; prototype/m; utilisateur/m; usage/m; besoin/m; donnée/f; indicateur/m;
budget/m; financement/m; comité/m; investissement/m; phase/f; étape/f; calendrier/m;
objectif/m; résultat/m; retour/m; entretien/m; atelier/m; formulaire/m; parcours/m/parcours;
délai/m; document/m; guichet/m; accessibilité/f; sécurité/f; hébergement/m; code source/m;
logiciel/m; outil/m; méthode/f; approche/f; manifeste/m; principe/m; valeur/f; règle/f;
décision/f; mission/f; rôle/m; compétence/f; recrutement/m; candidature/f; poste/m; contrat/m;
mentor/m; formation/f; session/f; rencontre/f; événement/m; réseau/m/réseaux;
bureau/m/bureaux; partenaire/m; sponsor/m; direction/f; pôle/m; projet/m; version/f;
fonctionnalité/f; tableau de bord/m/tableaux de bord; statistique/f; mesure/f; coût/m;
risque/m; obstacle/m; blocage/m; priorité/f; page/f; courriel/m; appel/m; question/f;
réponse/f; signalement/m; demande/f; dossier/m; aide/f; allocation/f; droit/m; citoyen/m;
habitant/m; entreprise/f; association/f; école/f; hôpital/m/hôpitaux; élu/m; chercheur/m;
expérimentation/f; amélioration/f; itération/f; transfert/m; pérennisation/f;
consolidation/f; accélération/f; construction/f; investigation/f; déploiement/m;
lancement/m; bilan/m; rapport/m; feuille de route/f/feuilles de route; cadre/m; marché/m;
achat/m; convention/f; référent/m; juriste/f; archive/f; procédure/f; guide/m; modèle/m;
maquette/f; test/m; démonstration/f; parcours usager/m/parcours usagers; tutoriel/m;
plateforme/f; interface/f; API/f/API; base de données/f/bases de données; serveur/m
"""

ACTORS = _split(
    "équipe usager agent intrapreneur incubateur administration coach développeuse designer "
    "commune collectivité ministère opérateur préfecture communauté comité mentor partenaire "
    "sponsor direction citoyen habitant entreprise association élu chercheur référent juriste"
)

# masculine[/feminine[/masculine plural[/feminine plural]]]
ADJECTIVES_SPEC = """
simple; utile; public/publique/publics/publiques; numérique; concret/concrète; rapide;
efficace; accessible; ouvert; sobre; durable; local/locale/locaux/locales;
national/nationale/nationaux/nationales; régional/régionale/régionaux/régionales;
interministériel/interministérielle; mesurable; fiable; clair; complet/complète;
précis/précise/précis/précises; partagé; autonome; quotidien/quotidienne; indispensable;
essentiel/essentielle; réel/réelle; prioritaire; collectif/collective; pratique;
régulier/régulière; inédit; modeste; ambitieux/ambitieuse/ambitieux/ambitieuses; transparent;
lisible; documenté; testé; validé; dématérialisé; sécurisé; gratuit; libre; commun;
territorial/territoriale/territoriaux/territoriales; juridique; technique;
financier/financière; humain; agile; itératif/itérative; progressif/progressive;
expérimental/expérimentale/expérimentaux/expérimentales; pérenne; solide; léger/légère;
complexe; coûteux/coûteuse/coûteux/coûteuses; lent; nouveau/nouvelle/nouveaux/nouvelles;
sensible; robuste; ergonomique; inclusif/inclusive; responsable; adapté; prometteur/prometteuse
"""

# third person singular/plural, present tense, transitive
VERBS_SPEC = """
accompagne/accompagnent; construit/construisent; teste/testent; mesure/mesurent;
améliore/améliorent; simplifie/simplifient; observe/observent; documente/documentent;
présente/présentent; finance/financent; prépare/préparent; organise/organisent;
déploie/déploient; suit/suivent; anime/animent; recrute/recrutent; évalue/évaluent;
publie/publient; partage/partagent; conçoit/conçoivent; réduit/réduisent;
identifie/identifient; priorise/priorisent; rencontre/rencontrent; valide/valident;
ouvre/ouvrent; choisit/choisissent; définit/définissent; soutient/soutiennent;
facilite/facilitent; interroge/interrogent; rédige/rédigent; transmet/transmettent;
pilote/pilotent; expérimente/expérimentent; corrige/corrigent; reprend/reprennent;
remplace/remplacent; explique/expliquent; analyse/analysent; consolide/consolident;
accélère/accélèrent; maintient/maintiennent; héberge/hébergent; sécurise/sécurisent;
met à jour/mettent à jour; renforce/renforcent; cartographie/cartographient;
formalise/formalisent; questionne/questionnent
"""

INFINITIVES = _split(
    "Découvrir Comprendre Préparer Réussir Organiser Financer Évaluer Mesurer Accompagner "
    "Déployer Animer Recruter Améliorer Concevoir Tester Documenter Ouvrir Pérenniser Choisir "
    "Rejoindre Piloter Sécuriser Présenter Simplifier Suivre Lancer Réduire Partager Expliquer "
    "Héberger Cartographier Prioriser Interroger Valider Transmettre Rédiger Publier"
)

ADVERBS = _split(
    "rapidement simplement concrètement régulièrement progressivement systématiquement "
    "souvent toujours d'abord ensuite également désormais volontairement collectivement "
    "soigneusement directement précisément patiemment"
)

CONNECTORS = (
    "Par ailleurs,",
    "En pratique,",
    "Concrètement,",
    "Dans la plupart des cas,",
    "Au début,",
    "Ensuite,",
    "Enfin,",
    "De plus,",
    "Pour autant,",
    "À l'inverse,",
    "C'est pourquoi",
    "Ainsi,",
    "En outre,",
    "Dès lors,",
    "Autrement dit,",
    "Chaque semaine,",
    "Dès le premier mois,",
    "Au sein de l'incubateur,",
    "Selon les retours du terrain,",
)

COMPLEMENTS = (
    "dès la première semaine",
    "au plus près du terrain",
    "avec les usagers",
    "sans attendre le comité d'investissement",
    "chaque semaine",
    "tous les six mois",
    "en quelques jours",
    "dans chaque administration",
    "à chaque itération",
    "de manière transparente",
    "pendant la phase de construction",
    "avant toute mise en production",
    "en lien avec l'incubateur",
    "grâce aux retours des usagers",
    "au sein du réseau",
    "sur l'ensemble du territoire",
    "en toute autonomie",
    "à partir des besoins réels",
    "le plus tôt possible",
    "avec un budget limité",
    "pour un coût maîtrisé",
    "en open source",
    "depuis l'intérieur de l'administration",
    "au fil des mois",
    "lors des ateliers",
    "selon les indicateurs retenus",
    "avec l'appui d'un coach",
    "en moins de six mois",
    "à l'échelle nationale",
    "pour des milliers de personnes",
)

FIXED_HEADINGS = (
    "Questions fréquentes",
    "En pratique",
    "À retenir",
    "Exemples",
    "Pour aller plus loin",
    "Ressources utiles",
    "Qui contacter ?",
    "Calendrier indicatif",
    "Ce qu'il faut savoir",
    "Résumé",
    "Contexte",
    "Prochaines étapes",
    "Témoignages",
    "Bilan",
    "Objectifs de la phase",
    "Qu'est-ce que l'impact ?",
    "Foire aux questions",
    "Le rôle de l'équipe",
    "Et après ?",
    "Ça marche — ou pas",
    "L'été à Paris",
)

# Headings that come back several times in one page (kramdown numbers them -1, -2...).
REPEATED_HEADINGS = ("Exemples", "En pratique", "À retenir", "Résumé", "Pour aller plus loin")

CODE_KEYS = (
    "permalink",
    "redirect_from",
    "breadcrumbs",
    "layout",
    "sidebar",
    "description",
    "_config.yml",
    "_data/navigation.yml",
    "_pages/index.md",
)

EXTERNAL_PATHS = (
    "",
    "dinum/",
    "services/",
    "publications/",
    "actualites/",
    "numerique-etat/",
    "agents/",
    "espace-presse/",
    "services/franceconnect/",
    "publications/rapport-annuel/",
)

IMAGES = (
    "recap_phases.png",
    "logo-beta.png",
    "equipe-incubateur.png",
    "atelier-usagers.png",
    "comite-investissement.png",
    "carte-incubateurs.png",
    "parcours-usager.png",
    "frise-phases.png",
    "tableau-de-bord.png",
    "communaute-beta.png",
    "intrapreneur.png",
    "prototype.png",
    "design-system.png",
    "accessibilite.png",
    "hebergement.png",
    "securite.png",
    "donnees-ouvertes.png",
    "recrutement.png",
    "formation.png",
    "evenement-annuel.png",
)

# (slug, index title) of the sections every site has, `approche` first.
CORE_SECTIONS = (
    ("approche", "L'approche beta.gouv.fr"),
    ("devenir-intrapreneur", "Devenir intrapreneur"),
    ("startups", "Startups d'État"),
    ("incubateurs", "Incubateurs"),
    ("communaute", "Communauté"),
    ("recrutement", "Recrutement"),
    ("financement", "Financement"),
    ("territoires", "Startups de territoires"),
    ("ressources", "Ressources"),
    ("evenements", "Événements"),
    ("accessibilite", "Accessibilité numérique"),
    ("donnees", "Données et transparence"),
    ("securite", "Sécurité des services"),
    ("design", "Design des services publics"),
    ("formation", "Formation des intrapreneurs"),
    ("actualites", "Actualités"),
)
SECTION_HEADS = _split(
    "Accompagnement Animation Conception Déploiement Évaluation Pilotage Mesure Ouverture "
    "Qualité Transformation Hébergement Pérennisation Expérimentation Stratégie Gouvernance "
    "Documentation"
)
SECTION_TAILS = (
    "des territoires",
    "de l'impact",
    "des données",
    "des services publics",
    "des équipes",
    "des usagers",
    "du numérique",
    "de la communauté",
    "des produits",
    "des démarches",
    "des incubateurs",
    "des agents publics",
)


@dataclass(frozen=True)
class PhaseSpec:
    slug: str
    label: str
    title: str
    description: str
    min: int
    max: int
    unit: str
    human: str


PHASES = (
    PhaseSpec(
        "investigation",
        "Investigation",
        "Phase d'investigation",
        "Quelques semaines pour comprendre le problème sur le terrain et choisir les pistes "
        "de solution les plus prometteuses.",
        6,
        9,
        "week",
        "6 à 9 semaines",
    ),
    PhaseSpec(
        "construction",
        "Construction",
        "Phase de construction",
        "Une petite équipe construit un premier service, le met entre les mains des usagers "
        "et mesure son impact réel.",
        12,
        12,
        "month",
        "12 mois",
    ),
    PhaseSpec(
        "acceleration",
        "Accélération",
        "Phase d'accélération",
        "Le service a fait ses preuves : l'équipe l'étend à de nouveaux territoires et à de "
        "nouveaux usagers.",
        12,
        12,
        "month",
        "12 mois",
    ),
    PhaseSpec(
        "transfert",
        "Transfert ou consolidation",
        "Phase de transfert ou de consolidation",
        "L'administration reprend le service à son compte et en assure la pérennité.",
        6,
        6,
        "month",
        "6 mois",
    ),
)


@dataclass(frozen=True)
class Noun:
    sg: str
    fem: bool
    pl: str


@dataclass(frozen=True)
class Adjective:
    forms: tuple[str, str, str, str]  # masc sg, fem sg, masc pl, fem pl

    def agree(self, fem: bool, plural: bool) -> str:
        return self.forms[(2 if plural else 0) + (1 if fem else 0)]


def _items(spec: str) -> list[list[str]]:
    return [item.strip().split("/") for item in re.split(r"[;\n]", spec) if item.strip()]


def _plural(word: str) -> str:
    return word if word.endswith(("s", "x", "z")) else word + "s"


NOUNS = tuple(
    Noun(p[0], p[1] == "f", p[2] if len(p) > 2 else _plural(p[0])) for p in _items(NOUNS_SPEC)
)
NOUN_BY_NAME = {noun.sg: noun for noun in NOUNS}
ACTOR_NOUNS = tuple(NOUN_BY_NAME[name] for name in ACTORS)


def _adjective(parts: list[str]) -> Adjective:
    masc = parts[0]
    fem = parts[1] if len(parts) > 1 else (masc if masc.endswith("e") else masc + "e")
    masc_pl = parts[2] if len(parts) > 2 else _plural(masc)
    fem_pl = parts[3] if len(parts) > 3 else _plural(fem)
    return Adjective((masc, fem, masc_pl, fem_pl))


ADJECTIVES = tuple(_adjective(p) for p in _items(ADJECTIVES_SPEC))
VERBS = tuple((p[0], p[1]) for p in _items(VERBS_SPEC))

# ---------------------------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------------------------


def starts_with_vowel(text: str) -> bool:
    return text[:1].lower() in VOWELS


def elide(word: str, rest: str) -> str:
    """`de` + `intrapreneur` -> `d'intrapreneur`; `la` + `équipe` -> `l'équipe`."""
    if word in ("de", "le", "la", "ne", "que") and starts_with_vowel(rest):
        return f"{word[:-1]}'{rest}"
    return f"{word} {rest}"


def capitalize(text: str) -> str:
    if text.startswith("beta.gouv.fr"):  # the name keeps its lower case
        return text
    return text[:1].upper() + text[1:]


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def slugify(text: str, max_words: int = 7) -> str:
    ascii_text = strip_accents(text).lower().replace("œ", "oe").replace("æ", "ae")
    words = [w for w in re.split(r"[^a-z0-9]+", ascii_text) if w]
    return "-".join(words[:max_words])


def gfm_id(text: str) -> str:
    """kramdown-parser-gfm's auto id of a heading whose rendered text is `text`.

    Downcase; drop every char that is not a letter, mark, decimal digit, letter number,
    connector punctuation, '-', ' ' or TAB; turn each space or TAB into '-' (no collapsing).
    """
    out: list[str] = []
    for char in text.lower():
        if char in " \t":
            out.append("-")
        elif char == "-":
            out.append(char)
        else:
            category = unicodedata.category(char)
            if category[0] in "LM" or category in ("Nd", "Nl", "Pc"):
                out.append(char)
    return "".join(out)


def typographic(text: str) -> str:
    """French typography: curly apostrophes, no-break spaces before : ; ? ! and inside « »."""
    text = text.replace("'", "’")
    text = text.replace(" :", NBSP + ":").replace(" ;", NNBSP + ";")
    text = text.replace(" ?", NNBSP + "?").replace(" !", NNBSP + "!")
    return text.replace("« ", "«" + NBSP).replace(" »", NBSP + "»")


_PLAIN_UNSAFE_START = set("-?:,[]{}#&*!|>'\"%@` ")
_YAML_SPECIAL = re.compile(
    r"(?i)^(y|n|yes|no|true|false|on|off|null|~|[-+]?[0-9][0-9_.:eE+-]*|\.inf|\.nan)$"
)


def yaml_str(text: str) -> str:
    """A YAML scalar for `text`: plain when unambiguous, else double-quoted."""
    plain = (
        text
        and text[0] not in _PLAIN_UNSAFE_START
        and ": " not in text
        and " #" not in text
        and not text.endswith((":", " "))
        and "\t" not in text
        and "\n" not in text
        and not _YAML_SPECIAL.match(text)
    )
    return text if plain else json.dumps(text, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# Site model
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    level: int
    markdown: str  # as written after the #'s
    text: str  # as rendered, markup dropped
    id: str


@dataclass
class Page:
    index: int  # order of generation, also keys the page's random stream
    kind: str  # "home", "index" or "leaf"
    section: str  # section slug ("" for home)
    slug: str
    path: str  # relative to the site root
    permalink: str
    title: str
    description: str
    layout: str
    crumbs: list[tuple[str, str]]
    typographic: bool
    headings: list[Heading] = field(default_factory=list)
    redirect_from: str | None = None
    phase: PhaseSpec | None = None


@dataclass
class Section:
    slug: str
    title: str
    index: Page | None = None
    leaves: list[Page] = field(default_factory=list)


@dataclass
class Defect:
    file: str
    kind: str
    line: int
    detail: str
    column: int = 1  # 1-based, where a linter should point: the URL, the key, the crumb


class Words:
    """Random French phrases and sentences."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def noun_phrase(
        self,
        noun: Noun | None = None,
        det: str | None = None,
        plural: bool | None = None,
        adj: float = 0.3,
        de: float = 0.25,
    ) -> str:
        rng = self.rng
        noun = noun or rng.choice(NOUNS)
        det = det or rng.choice(("def", "def", "def", "indef", "dem", "poss", "leur"))
        if plural is None:
            plural = rng.random() < 0.35
        word = noun.pl if plural else noun.sg
        if rng.random() < adj:
            word = f"{word} {rng.choice(ADJECTIVES).agree(noun.fem, plural)}"
        if rng.random() < de:
            word = f"{word} {self.de_phrase()}"
        return self.determine(det, noun, plural, word)

    def determine(self, det: str, noun: Noun, plural: bool, word: str) -> str:
        vowel = starts_with_vowel(word)
        if det == "def":
            return f"les {word}" if plural else elide("la" if noun.fem else "le", word)
        if det == "indef":
            return f"des {word}" if plural else f"{'une' if noun.fem else 'un'} {word}"
        if det == "dem":
            if plural:
                return f"ces {word}"
            return f"{'cette' if noun.fem else ('cet' if vowel else 'ce')} {word}"
        if det == "poss":
            if plural:
                return f"ses {word}"
            return f"{'sa' if noun.fem and not vowel else 'son'} {word}"
        if det == "leur":
            return f"{'leurs' if plural else 'leur'} {word}"
        return f"chaque {word}"

    def de_phrase(self) -> str:
        """`du comité`, `de la commune`, `de l'équipe`, `des usagers`, `d'intrapreneur`."""
        rng = self.rng
        noun = rng.choice(NOUNS)
        choice = rng.random()
        if choice < 0.2:
            return elide("de", noun.sg)
        if choice < 0.5:
            return f"des {noun.pl}"
        if starts_with_vowel(noun.sg):
            return f"de l'{noun.sg}"
        return f"de la {noun.sg}" if noun.fem else f"du {noun.sg}"

    def subject(self) -> tuple[str, bool]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.08:
            return "on", False
        if roll < 0.13:
            return "beta.gouv.fr", False
        plural = rng.random() < 0.35
        det = rng.choice(("def", "def", "def", "dem", "chaque")) if not plural else "def"
        return self.noun_phrase(rng.choice(ACTOR_NOUNS), det, plural, adj=0.2, de=0.1), plural

    def verb(self, plural: bool) -> str:
        singular, plural_form = self.rng.choice(VERBS)
        return plural_form if plural else singular

    def clause(self, emphasis: bool = True) -> str:
        """Subject, verb, object and maybe an adverb and a complement, without final stop."""
        rng = self.rng
        subject, plural = self.subject()
        verb = self.verb(plural)
        obj = self.noun_phrase()
        if emphasis and rng.random() < 0.12:
            obj = f"**{obj}**"
        parts = [subject]
        if rng.random() < 0.12:
            parts.append(elide("ne", verb))
            parts.append("pas")
            obj = self.noun_phrase(det="def")
        else:
            parts.append(verb)
        if rng.random() < 0.25:
            parts.append(rng.choice(ADVERBS))
        parts.append(obj)
        if rng.random() < 0.45:
            complement = rng.choice(COMPLEMENTS)
            if emphasis and rng.random() < 0.12:
                complement = f"*{complement}*"
            parts.append(complement)
        return " ".join(parts)

    def sentence(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            return capitalize(self.clause()) + "."
        if roll < 0.65:
            connector = rng.choice(CONNECTORS)
            return f"{connector} {self.clause()}."
        if roll < 0.75:
            infinitive = rng.choice(INFINITIVES).lower()
            complement = f" {rng.choice(COMPLEMENTS)}" if rng.random() < 0.5 else ""
            return f"Il s'agit {elide('de', infinitive)} {self.noun_phrase()}{complement}."
        if roll < 0.85:
            infinitive = rng.choice(INFINITIVES).lower()
            return f"Pour {infinitive} {self.noun_phrase()}, {self.clause()}."
        if roll < 0.92:
            subject, plural = self.subject()
            items = [self.noun_phrase(adj=0.2, de=0.1) for _ in range(3)]
            return (
                f"{capitalize(subject)} {self.verb(plural)} {self.noun_phrase(de=0)} : "
                f"{items[0]}, {items[1]} et {items[2]}."
            )
        if roll < 0.96:
            infinitive = rng.choice(INFINITIVES).lower()
            return f"Comment {infinitive} {self.noun_phrase()} {rng.choice(COMPLEMENTS)} ?"
        clause = self.clause()
        return f"C'est ainsi {elide('que', clause)}."

    def description(self) -> str:
        while True:
            text = self.sentence()
            if 50 <= len(text) <= 160 and "*" not in text:
                return text

    def code_sentence(self) -> str:
        key = self.rng.choice(CODE_KEYS)
        templates = (
            "Pensez à renseigner `{k}` avant de publier la page.",
            "La valeur de `{k}` doit rester cohérente avec le reste du site.",
            "Une erreur dans `{k}` suffit à casser le fil d'Ariane.",
            "Relisez `{k}` à chaque modification de la rubrique.",
        )
        return self.rng.choice(templates).format(k=key)


# ---------------------------------------------------------------------------------------------
# Planning: sections, pages, titles, headings
# ---------------------------------------------------------------------------------------------


def section_count(pages: int) -> int:
    wanted = min(50, max(20, round(pages / 25)))
    # Home, plus `approche` with its index and its four phase pages, plus one index per section.
    return max(1, min(wanted, pages - 5))


def plan_sections(rng: random.Random, count: int) -> list[Section]:
    sections = [Section(slug, title) for slug, title in CORE_SECTIONS[:count]]
    combos = [f"{head} {tail}" for head in SECTION_HEADS for tail in SECTION_TAILS]
    rng.shuffle(combos)
    taken = {section.slug for section in sections}
    for title in combos:
        if len(sections) >= count:
            break
        slug = slugify(title)
        if slug not in taken:
            taken.add(slug)
            sections.append(Section(slug, title))
    return sections


def leaf_title(words: Words, number: int) -> str:
    rng = words.rng
    roll = rng.random()
    if roll < 0.55:
        infinitive = rng.choice(INFINITIVES)
        base = f"{infinitive} {words.noun_phrase(det='def', adj=0.25, de=0.5)}"
    elif roll < 0.67:
        infinitive = rng.choice(INFINITIVES).lower()
        base = f"Fiche pratique : {infinitive} {words.noun_phrase(det='def', adj=0.2, de=0.4)}"
    elif roll < 0.85:
        noun = rng.choice(NOUNS)
        plural = rng.random() < 0.4
        adjective = rng.choice(ADJECTIVES).agree(noun.fem, plural)
        base = capitalize(words.determine("def", noun, plural, f"{noun.pl if plural else noun.sg}"))
        base = f"{base} {adjective}"
    else:
        base = f"Guide {words.de_phrase()}"
    return f"{base} n°{number}"


def make_heading_parts(words: Words) -> tuple[str, str]:
    """A heading as (markdown, rendered text)."""
    rng = words.rng
    roll = rng.random()
    if roll < 0.22:
        text = rng.choice(FIXED_HEADINGS)
        return text, text
    if roll < 0.34:
        text = f"Pourquoi {rng.choice(INFINITIVES).lower()} {words.noun_phrase(adj=0.1)} ?"
        return text, text
    if roll < 0.44:
        text = f"Comment {rng.choice(INFINITIVES).lower()} {words.noun_phrase(adj=0.1)} ?"
        return text, text
    if roll < 0.54:
        space = NNBSP if rng.random() < 0.3 else " "
        step = rng.randint(1, 6)
        infinitive = rng.choice(INFINITIVES).lower()
        text = f"Étape {step}{space}: {infinitive} {words.noun_phrase(de=0.1)}"
        return text, text
    if roll < 0.66:
        text = capitalize(words.noun_phrase(det="def", adj=0.3, de=0.3))
        return text, text
    if roll < 0.71:
        first = capitalize(words.noun_phrase(det="def", adj=0, de=0))
        text = f"{first} & {words.noun_phrase(det='def', adj=0, de=0)}"
        return text, text
    if roll < 0.75:
        space = NBSP if rng.random() < 0.5 else " "
        text = f"Réduire de {rng.randint(10, 60)}{space}% {words.noun_phrase(det='def', de=0)}"
        return text, text
    if roll < 0.80:
        infinitive = rng.choice(INFINITIVES)
        text = f"« {infinitive} {words.noun_phrase(det='def', de=0)} » : notre méthode"
        return text, text
    if roll < 0.84:
        first = rng.choice(INFINITIVES)
        text = f"{first} — puis {rng.choice(INFINITIVES).lower()}"
        return text, text
    if roll < 0.89:
        key = rng.choice(CODE_KEYS)
        prefix = rng.choice(("Le fichier", "La clé", "Bien utiliser", "Vérifier"))
        return f"{prefix} `{key}`", f"{prefix} {key}"
    if roll < 0.94:
        adjective = rng.choice(ADJECTIVES).agree(False, False)
        rest = words.de_phrase()
        return f"Le rôle *{adjective}* {rest}", f"Le rôle {adjective} {rest}"
    if roll < 0.97:
        text = f"{capitalize(words.noun_phrase(det='def', de=0))} ({rng.randint(2015, 2025)})"
        return text, text
    text = f"Les {rng.choice(NOUNS).pl} en {rng.randint(2015, 2025)}"
    return text, text


def plan_headings(words: Words, typo: bool, count: int, first: str | None) -> list[Heading]:
    rng = words.rng
    raw: list[tuple[int, str, str]] = []
    for position in range(count):
        level = 2 if position == 0 or rng.random() < 0.6 else 3
        markdown, text = make_heading_parts(words)
        raw.append((level, markdown, text))
    if first is not None:  # the table of contents of the home page and section indexes
        raw[0] = (2, first, first)
    if count >= 4 and rng.random() < 0.35:  # a heading repeated within the page
        repeated = rng.choice(REPEATED_HEADINGS)
        for position in sorted(rng.sample(range(1, count), rng.choice((2, 2, 3)))):
            raw[position] = (3, repeated, repeated)
    headings: list[Heading] = []
    seen: dict[str, int] = {}
    for level, markdown, text in raw:
        if typo:
            markdown, text = typographic(markdown), typographic(text)
        base = gfm_id(text)
        if not base:
            continue
        uses = seen.get(base, 0)
        seen[base] = uses + 1
        headings.append(Heading(level, markdown, text, base if uses == 0 else f"{base}-{uses}"))
    return headings


@dataclass
class SitePlan:
    seed: int
    sections: list[Section]
    pages: list[Page]
    permalinks: set[str]
    leaves: list[Page]


def plan_site(seed: int, total_pages: int) -> SitePlan:
    rng = random.Random(f"{seed}:plan")
    words = Words(rng)
    sections = plan_sections(rng, section_count(total_pages))
    leaf_count = total_pages - 1 - len(sections)
    weights = [rng.uniform(0.2, 3.0) for _ in sections]
    assigned = [0 for _ in sections]
    assigned[0] = min(len(PHASES), leaf_count)
    for _ in range(leaf_count - assigned[0]):
        assigned[rng.choices(range(len(sections)), weights=weights)[0]] += 1

    home_crumb = ("Accueil", "/")
    pages: list[Page] = []

    def add(page: Page) -> Page:
        pages.append(page)
        return page

    def typo() -> bool:
        return rng.random() < 0.5

    add(
        Page(
            index=len(pages),
            kind="home",
            section="",
            slug="index",
            path="_pages/index.md",
            permalink="/",
            title="Accueil",
            description=(
                "beta.gouv.fr aide les administrations à construire, avec leurs agents, des "
                "services publics numériques simples, utiles et centrés sur leurs usagers."
            ),
            layout="default",
            crumbs=[home_crumb],
            typographic=typo(),
        )
    )
    number = 0
    used_slugs: set[str] = set()
    for section, count in zip(sections, assigned, strict=True):
        index_link = f"/{section.slug}/"
        section.index = add(
            Page(
                index=len(pages),
                kind="index",
                section=section.slug,
                slug="index",
                path=f"_pages/{section.slug}/index.md",
                permalink=index_link,
                title=section.title,
                description=words.description(),
                layout="with-sidebar",
                crumbs=[home_crumb, (section.title, index_link)],
                typographic=typo(),
            )
        )
        for position in range(count):
            phase = PHASES[position] if section.slug == "approche" and position < 4 else None
            if phase is not None:
                title, slug, description = phase.title, phase.slug, phase.description
            else:
                number += 1
                title = leaf_title(words, number)
                slug = f"{slugify(title.rsplit(' n°', 1)[0])}-{number}"
                description = words.description()
            assert slug not in used_slugs
            used_slugs.add(slug)
            permalink = f"/{section.slug}/{slug}"
            page = add(
                Page(
                    index=len(pages),
                    kind="leaf",
                    section=section.slug,
                    slug=slug,
                    path=f"_pages/{section.slug}/{slug}.md",
                    permalink=permalink,
                    title=title,
                    description=description,
                    layout="with-sidebar" if rng.random() < 0.6 else "default",
                    crumbs=[home_crumb, (section.title, index_link), (title, permalink)],
                    phase=phase,
                    typographic=typo(),
                )
            )
            if phase is None and rng.random() < 0.05:
                page.redirect_from = f"/ancien/{slug}"
            section.leaves.append(page)

    for page in pages:
        first = {"home": "Nos rubriques", "index": "Dans cette rubrique"}.get(page.kind)
        page.headings = plan_headings(words, page.typographic, rng.randint(3, 8), first)
    return SitePlan(
        seed=seed,
        sections=sections,
        pages=pages,
        permalinks={page.permalink for page in pages},
        leaves=[page for page in pages if page.kind == "leaf"],
    )


# ---------------------------------------------------------------------------------------------
# Page bodies
# ---------------------------------------------------------------------------------------------

Block = list[str]


class BodyWriter:
    """Builds the Markdown body of one page as a list of blocks (lists of lines)."""

    def __init__(self, plan: SitePlan, page: Page, rng: random.Random) -> None:
        self.plan = plan
        self.page = page
        self.rng = rng
        self.words = Words(rng)
        self.by_section = {section.slug: section for section in plan.sections}
        self.tables = 0
        self.html_images = 0
        self.code_blocks = 0

    def typo(self, text: str) -> str:
        return typographic(text) if self.page.typographic else text

    # -- link targets -----------------------------------------------------------------------

    def target(self) -> Page:
        rng = self.rng
        section = self.by_section.get(self.page.section)
        while True:
            roll = rng.random()
            if roll < 0.45 and section is not None and section.leaves:
                candidate = rng.choice(section.leaves)
            elif roll < 0.55:
                other = rng.choice(self.plan.sections)
                candidate = other.index if other.index is not None else self.plan.pages[0]
            elif roll < 0.58:
                candidate = self.plan.pages[0]
            else:
                candidate = rng.choice(self.plan.pages)
            if candidate is not self.page:
                return candidate

    def fragment(self, heading: Heading) -> str:
        if self.rng.random() < 0.08:
            return quote(heading.id, safe="-_")
        return heading.id

    @staticmethod
    def label(heading: Heading) -> str:
        if any(char in heading.text for char in "*_`[]&«"):
            return "cette section"
        return f"« {heading.text} »"

    def link_sentence(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.55:
            target = self.target()
            url, title = target.permalink, target.title
            templates = (
                "Pour en savoir plus, consultez la page [{t}]({u}).",
                "Voir aussi : [{t}]({u}).",
                "La page [{t}]({u}) détaille {o}.",
                "{S} (voir [{t}]({u})).",
                "Ce sujet est abordé dans [{t}]({u}).",
                "{S2} [{o}]({u}).",
            )
            template = rng.choice(templates)
            subject, plural = self.words.subject()
            return template.format(
                t=title,
                u=url,
                o=self.words.noun_phrase(de=0),
                S=capitalize(self.words.clause(emphasis=False)),
                S2=f"{capitalize(subject)} {self.words.verb(plural)}",
            )
        if roll < 0.72:
            target = self.target()
            heading = rng.choice(target.headings)
            url = f"{target.permalink}#{self.fragment(heading)}"
            if rng.random() < 0.5:
                return (
                    f"Reportez-vous à la section [{self.label(heading)}]({url}) "
                    f"de la page [{target.title}]({target.permalink})."
                )
            return f"Les détails figurent dans [{target.title}]({url})."
        if roll < 0.88:
            heading = rng.choice(self.page.headings)
            url = f"#{self.fragment(heading)}"
            anchor_templates = (
                "Voir [plus bas]({u}).",
                "Ce point est repris dans la section [{l}]({u}).",
                "{S} (voir [{l}]({u})).",
            )
            return rng.choice(anchor_templates).format(
                u=url, l=self.label(heading), S=capitalize(self.words.clause(emphasis=False))
            )
        if roll < 0.96:
            path = rng.choice(EXTERNAL_PATHS)
            text = rng.choice(("le site de la DINUM", "numerique.gouv.fr", "cette publication"))
            return (
                f"Plus d'informations sur [{text}](https://www.numerique.gouv.fr/{path}), "
                f"{rng.choice(COMPLEMENTS)}."
            )
        target = self.target()
        return f'Vous pouvez aussi consulter <a href="{target.permalink}">{target.title}</a>.'

    # -- blocks -----------------------------------------------------------------------------

    def paragraph(self) -> Block:
        rng = self.rng
        sentences = [self.words.sentence() for _ in range(rng.randint(2, 5))]
        if rng.random() < 0.75:
            sentences.insert(rng.randint(0, len(sentences)), self.link_sentence())
        if rng.random() < 0.1:
            sentences.insert(rng.randint(0, len(sentences)), self.words.code_sentence())
        return [self.typo(" ".join(sentences))]

    def bullet_list(self) -> Block:
        rng = self.rng
        ordered = rng.random() < 0.25
        lines: Block = []
        if rng.random() < 0.5:
            lines.append(self.typo(capitalize(self.words.noun_phrase(de=0)) + " :"))
            lines.append("")
        for position in range(rng.randint(3, 6)):
            marker = f"{position + 1}." if ordered else "-"
            roll = rng.random()
            if roll < 0.3:
                target = self.target()
                item = f"[{target.title}]({target.permalink})"
                if rng.random() < 0.5:
                    item += f" : {self.words.noun_phrase(adj=0.3, de=0.2)}"
            elif roll < 0.4:
                item = f"**{capitalize(self.words.noun_phrase(de=0))}** : {self.words.clause()}"
            else:
                item = capitalize(self.words.clause()) + rng.choice((" ;", ".", ""))
            lines.append(self.typo(f"{marker} {item}"))
        return lines

    def table(self) -> Block:
        rng = self.rng
        self.tables += 1
        kind = rng.random()
        if kind < 0.35:
            rows = [
                f"| {phase.label} | {phase.human} | {capitalize(self.words.noun_phrase(de=0))} |"
                for phase in PHASES
            ]
            header = "| Phase | Durée indicative | Objectif |"
        elif kind < 0.7:
            rows = []
            for _ in range(rng.randint(3, 6)):
                value = rng.randint(3, 9800)
                change = rng.randint(-40, 120)
                indicator = capitalize(self.words.noun_phrase(det="def", de=0.3))
                rows.append(f"| {indicator} | {value} | {change:+d} % |")
            header = "| Indicateur | Valeur | Évolution |"
        else:
            rows = []
            for _ in range(rng.randint(3, 5)):
                role = capitalize(rng.choice(ACTOR_NOUNS).sg)
                rows.append(f"| {role} | {capitalize(self.words.clause(emphasis=False))} |")
            header = "| Rôle | Mission |"
        separator = "|" + " --- |" * header.count(" | ") + " --- |"
        return [self.typo(header), separator, *(self.typo(row) for row in rows)]

    def image(self) -> Block:
        alt = self.typo(capitalize(self.words.noun_phrase(det="def", de=0.3)))
        return [f"![{alt}](/img/{self.rng.choice(IMAGES)})"]

    def html_image(self) -> Block:
        self.html_images += 1
        alt = self.typo(capitalize(self.words.noun_phrase(det="def", de=0.5)))
        return [f'<img src="/img/{self.rng.choice(IMAGES)}" alt="{alt}" style="width: 100%;" />']

    def quote_block(self) -> Block:
        return [self.typo(f"> « {self.words.sentence()} »")]

    def code_block(self) -> Block:
        self.code_blocks += 1
        if self.rng.random() < 0.5:
            return ["```bash", "bundle install", "bundle exec jekyll serve --livereload", "```"]
        target = self.target()
        return [
            "```yaml",
            "---",
            f"title: {yaml_str(target.title)}",
            f"permalink: {target.permalink}",
            "---",
            "```",
        ]

    def random_block(self) -> Block:
        roll = self.rng.random()
        if roll < 0.55:
            return self.paragraph()
        if roll < 0.78:
            return self.bullet_list()
        if roll < 0.86:
            return self.image()
        if roll < 0.9 and self.tables < 2:
            return self.table()
        if roll < 0.94:
            return self.quote_block()
        if roll < 0.96 and self.html_images < 1:
            return self.html_image()
        if roll < 0.98 and self.code_blocks < 1:
            return self.code_block()
        return self.paragraph()

    def heading_block(self, heading: Heading) -> Block:
        return [f"{'#' * heading.level} {heading.markdown}"]

    # -- whole bodies -----------------------------------------------------------------------

    def body(self) -> list[Block]:
        page = self.page
        rng = self.rng
        target_size = rng.randint(1900, 4500)
        intro: list[Block] = []
        if page.phase is not None:
            intro.append([self.typo(f"**Durée indicative : {page.phase.human}.**")])
        intro.append(self.paragraph())
        chapters: list[list[Block]] = [[] for _ in page.headings]
        if page.kind == "home":
            items = [f"- [{section.title}](/{section.slug}/)" for section in self.plan.sections]
            chapters[0].append(items)
        elif page.kind == "index":
            section = self.by_section[page.section]
            if section.leaves:
                items = [f"- [{leaf.title}]({leaf.permalink})" for leaf in section.leaves]
                chapters[0].append(items)
        for chapter in chapters:
            chapter.append(self.paragraph())

        def size() -> int:
            blocks = [*intro, *(b for chapter in chapters for b in chapter)]
            headings = sum(len(h.markdown) + 4 for h in page.headings)
            return headings + sum(len("\n".join(b).encode()) + 2 for b in blocks)

        current = size()
        while current < target_size:
            block = self.random_block()
            chapters[rng.randrange(len(chapters))].append(block)
            current += len("\n".join(block).encode()) + 2
        blocks = list(intro)
        for heading, chapter in zip(page.headings, chapters, strict=True):
            blocks.append(self.heading_block(heading))
            blocks.extend(chapter)
        return blocks


# ---------------------------------------------------------------------------------------------
# Front matter and defects
# ---------------------------------------------------------------------------------------------

FrontMatter = list[tuple[str, str]]  # (tag, line)


def front_matter(page: Page) -> FrontMatter:
    lines: FrontMatter = [("layout", f"layout: {page.layout}")]
    if page.layout == "with-sidebar":
        lines.append(("sidebar", f"sidebar: sidebar-{page.section or 'approche'}.html"))
    lines.append(("title", f"title: {yaml_str(page.title)}"))
    lines.append(("permalink", f"permalink: {page.permalink}"))
    lines.append(
        ("description", f"description: {json.dumps(page.description, ensure_ascii=False)}")
    )
    if page.redirect_from:
        lines.append(("redirect_from", f"redirect_from: {page.redirect_from}"))
    lines.append(("breadcrumbs", "breadcrumbs:"))
    for position, (title, link) in enumerate(page.crumbs):
        lines.append((f"crumb{position}.title", f"  - title: {yaml_str(title)}"))
        lines.append((f"crumb{position}.link", f"    link: {link}"))
    return lines


def find_line(fm: FrontMatter, tag: str) -> int:
    """1-based line in the file of the front matter line tagged `tag`."""
    for position, (line_tag, _) in enumerate(fm):
        if line_tag == tag:
            return position + 2
    raise KeyError(tag)


DEFECT_KINDS = (
    "duplicate-layout",
    "crumb-title-accents",
    "broken-crumb-link",
    "broken-internal-link",
    "broken-anchor",
    "missing-image",
    "absolute-own-link",
    "missing-title",
    "fallback-link",
    "unsafe-link",
    "empty-link",
    "broken-html-link",
    "broken-reference",
    "broken-srcset",
    "unresolved-liquid",
    "duplicate-heading-id",
)


def defect_candidates(page: Page) -> list[str]:
    kinds = ["duplicate-layout"]
    if strip_accents(page.crumbs[-1][0]) != page.crumbs[-1][0]:
        kinds.append("crumb-title-accents")
    if page.kind == "leaf":
        kinds.append("broken-crumb-link")
    kinds += ["broken-internal-link", "broken-anchor", "missing-image", "absolute-own-link"]
    kinds += ["fallback-link", "unsafe-link", "empty-link", "broken-html-link"]
    kinds += ["broken-reference", "broken-srcset", "unresolved-liquid", "duplicate-heading-id"]
    if page.kind == "leaf":  # titles of home and section indexes are checked by other trails
        kinds.append("missing-title")
    return kinds


def body_start(fm: FrontMatter) -> int:
    return len(fm) + 4  # "---", front matter, "---", blank line


def block_line(fm: FrontMatter, blocks: list[Block], position: int) -> int:
    return body_start(fm) + sum(len(block) + 1 for block in blocks[:position])


def url_column(text: str, url: str) -> int:
    """1-based column of a link's destination in its line."""
    return text.index(f"]({url})") + 3


def inject_defect(
    plan: SitePlan, page: Page, fm: FrontMatter, blocks: list[Block], rng: random.Random
) -> Defect:
    kind = rng.choice(defect_candidates(page))
    words = Words(rng)

    def insert_sentence(sentence: str) -> int:
        position = rng.randint(1, len(blocks))
        blocks.insert(position, [sentence])
        return block_line(fm, blocks, position)

    if kind == "duplicate-layout":
        at = find_line(fm, "permalink") - 1
        fm.insert(at, ("layout.dup", "layout: default"))
        return Defect(page.path, kind, find_line(fm, "layout.dup"), "second `layout: default`")
    if kind == "crumb-title-accents":
        position = len(page.crumbs) - 1
        title = strip_accents(page.crumbs[position][0])
        tag = f"crumb{position}.title"
        fm[find_line(fm, tag) - 2] = (tag, f"  - title: {yaml_str(title)}")
        return Defect(page.path, kind, find_line(fm, tag), title, column=5)
    if kind == "broken-crumb-link":
        link = f"/{page.section}-archive/"
        assert link not in plan.permalinks
        fm[find_line(fm, "crumb1.link") - 2] = ("crumb1.link", f"    link: {link}")
        return Defect(page.path, kind, find_line(fm, "crumb1.link"), link, column=11)
    if kind == "missing-title":
        del fm[find_line(fm, "title") - 2]
        return Defect(page.path, kind, 1, "no `title` key")
    if kind == "broken-internal-link":
        other = rng.choice(plan.leaves)
        url = f"/{other.section}/{other.slug}-archive"
        assert url not in plan.permalinks
        text = f"Ce point est détaillé dans [{other.title}]({url})."
        return Defect(page.path, kind, insert_sentence(text), url, column=url_column(text, url))
    if kind == "broken-anchor":
        target = page if rng.random() < 0.3 else rng.choice(plan.pages)
        ids = {heading.id for heading in target.headings}
        heading = rng.choice(target.headings)
        bad = strip_accents(heading.id)
        while bad in ids:
            bad = gfm_id(capitalize(words.noun_phrase(det="def", de=0)))
        prefix = "" if target is page else target.permalink
        url = f"{prefix}#{bad}"
        text = f"Reportez-vous à la section [« {heading.text} »]({url})."
        return Defect(page.path, kind, insert_sentence(text), url, column=url_column(text, url))
    if kind == "missing-image":
        url = f"/img/capture-ecran-{page.index}.png"
        text = f"![Capture d'écran]({url})"
        return Defect(page.path, kind, insert_sentence(text), url, column=url_column(text, url))
    if kind == "fallback-link":
        section = rng.choice(plan.sections)
        url = f"/{section.slug}"  # the section index lives at /<slug>/
        text = f"Retrouvez toute la rubrique [{section.title}]({url})."
        return Defect(page.path, kind, insert_sentence(text), url, column=url_column(text, url))
    if kind == "unsafe-link":
        text = '<a href="javascript:void(0)">Ouvrir le formulaire</a>'
        line = insert_sentence(text)
        return Defect(page.path, kind, line, "javascript:", column=text.index("javascript") + 1)
    if kind == "empty-link":
        text = "Le [compte rendu]() sera publié plus tard."
        return Defect(page.path, kind, insert_sentence(text), "", column=text.index("]()") + 3)
    if kind == "broken-html-link":
        other = rng.choice(plan.leaves)
        url = f"/{other.section}/{other.slug}-ancien"
        text = f'<p>Voir <a href="{url}">la version précédente</a>.</p>'
        return Defect(page.path, kind, insert_sentence(text), url, column=text.index(url) + 1)
    if kind == "broken-reference":
        other = rng.choice(plan.leaves)
        label = f"ref-{page.index}"
        url = f"/{other.section}/{other.slug}-archive"
        insert_sentence(f"Le détail figure dans [la fiche archivée][{label}].")
        blocks.append([f"[{label}]: {url}"])
        line = block_line(fm, blocks, len(blocks) - 1)
        return Defect(page.path, kind, line, url, column=len(f"[{label}]: ") + 1)
    if kind == "broken-srcset":
        image = rng.choice(IMAGES)
        url = f"/img/haute-definition-{page.index}.png"
        text = f'<img src="/img/{image}" srcset="/img/{image} 1x, {url} 2x" alt="Schéma">'
        return Defect(page.path, kind, insert_sentence(text), url, column=text.index(url) + 1)
    if kind == "unresolved-liquid":
        text = "Voir [la page précédente]({{ page.previous.url }})."
        line = insert_sentence(text)
        return Defect(page.path, kind, line, "{{ page.previous.url }}", column=text.index("{{") + 1)
    if kind == "duplicate-heading-id":
        title = f"Point de contrôle {page.index}"
        position = len(blocks)
        blocks += [[f"## {title}"], [f"## {title}"], [f"## {title}-1"]]
        line = block_line(fm, blocks, position + 2)
        return Defect(page.path, kind, line, gfm_id(f"{title}-1"), column=1)
    # absolute-own-link
    other = rng.choice(plan.leaves)
    url = f"{SITE_URL}{other.permalink}"
    text = f"Voir aussi [{other.title}]({url})."
    return Defect(page.path, kind, insert_sentence(text), url, column=url_column(text, url))


def render_page(fm: FrontMatter, blocks: list[Block]) -> bytes:
    lines = ["---", *(line for _, line in fm), "---", ""]
    for position, block in enumerate(blocks):
        if position:
            lines.append("")
        lines.extend(block)
    return ("\n".join(lines) + "\n").encode()


# ---------------------------------------------------------------------------------------------
# Fixed files
# ---------------------------------------------------------------------------------------------


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid RGB PNG: a flat colour with a lighter diagonal."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    light = tuple(min(255, c + 80) for c in rgb)
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            rows.extend(light if x == y % width else rgb)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def config_yml(seed: int, pages: int) -> str:
    return f"""# Site généré par bench.generate_site (graine {seed}, {pages} pages).
title: beta.gouv.fr
description: >-
  Le réseau d'incubateurs qui aide les administrations à construire, avec des
  agents publics intrapreneurs, des services numériques simples et utiles.
lang: fr
url: {SITE_URL}
baseurl: ""

markdown: kramdown
kramdown:
  input: GFM

plugins:
  - jekyll-redirect-from

include:
  - _pages

exclude:
  - betacontent.toml

collections:
  phases:
    output: false

defaults:
  - scope:
      path: _pages
    values:
      layout: default
"""


DEFAULT_LAYOUT = """<!DOCTYPE html>
<html lang="{{ site.lang | default: 'fr' }}">
  <head>
    <meta charset="utf-8">
    <title>{{ page.title }} – {{ site.title }}</title>
    <meta name="description" content="{{ page.description | escape }}">
  </head>
  <body>
    <nav aria-label="Menu principal">
      <ul>
        {% for item in site.data.navigation %}
        <li><a href="{{ item.url | relative_url }}">{{ item.title }}</a></li>
        {% endfor %}
      </ul>
    </nav>
    {% if page.breadcrumbs %}
    <nav aria-label="Fil d'Ariane">
      <ol>
        {% for crumb in page.breadcrumbs %}
        <li><a href="{{ crumb.link | relative_url }}">{{ crumb.title }}</a></li>
        {% endfor %}
      </ol>
    </nav>
    {% endif %}
    <main role="main">
      {{ content }}
    </main>
  </body>
</html>
"""

SIDEBAR_LAYOUT = """---
layout: default
---
<div class="fr-grid-row">
  <aside class="fr-sidemenu" aria-label="Menu latéral">
    {% include {{ page.sidebar }} %}
  </aside>
  <article>
    <h1>{{ page.title }}</h1>
    {{ content }}
  </article>
</div>
"""


def sidebar_html(section: Section) -> str:
    entries = [section.index, *section.leaves[:12]]
    items = "".join(
        f"    <li><a href=\"{{{{ '{page.permalink}' | relative_url }}}}\">{page.title}</a></li>\n"
        for page in entries
        if page is not None
    )
    return (
        f'<nav class="fr-sidemenu__inner" aria-labelledby="sidemenu-{section.slug}">\n'
        f'  <p class="fr-sidemenu__title" id="sidemenu-{section.slug}">{section.title}</p>\n'
        f"  <ul>\n{items}  </ul>\n</nav>\n"
    )


def navigation_yml(sections: Sequence[Section]) -> str:
    lines = ["# Menu principal : chaque entrée pointe vers le permalien exact d'une rubrique."]
    lines += ["- title: Accueil", "  url: /"]
    for section in sections:
        lines += [f"- title: {yaml_str(section.title)}", f"  url: /{section.slug}/"]
    return "\n".join(lines) + "\n"


PROGRAMME_YML = """investment_committee:
  every: 6
  unit: month
  description: "Tous les six mois, un comité d'investissement examine les résultats et l'impact \
de chaque service pour décider de le poursuivre ou de l'arrêter."
"""

# What the site declares of its pages, as the embedded site does (`content/betacontent.toml`).
BETACONTENT_TOML = """[front-matter]
required = ["title", "layout"]

[front-matter.layouts.with-sidebar]
required = ["sidebar"]
"""


def phase_doc(phase: PhaseSpec, order: int) -> str:
    duration = [f"  min: {phase.min}", f"  max: {phase.max}", f"  unit: {phase.unit}"]
    return "\n".join(
        [
            "---",
            f"slug: {phase.slug}",
            f"label: {yaml_str(phase.label)}",
            f"order: {order}",
            f"description: {json.dumps(phase.description, ensure_ascii=False)}",
            f"page: /approche/{phase.slug}",
            "duration:",
            *duration,
            "---",
            f"{phase.label} : {phase.human}. {phase.description}",
            "",
        ]
    )


# ---------------------------------------------------------------------------------------------
# Generation and writing
# ---------------------------------------------------------------------------------------------


@dataclass
class Stats:
    pages: int = 0
    page_bytes: int = 0
    site_bytes: int = 0
    defects: int = 0


def generate(seed: int, total_pages: int, defect_rate: float) -> Iterator[tuple[str, bytes]]:
    """Every file of the site as (path relative to the root, content), `_defects.json` last."""
    plan = plan_site(seed, total_pages)
    yield "_config.yml", config_yml(seed, total_pages).encode()
    yield "betacontent.toml", BETACONTENT_TOML.encode()
    yield "_layouts/default.html", DEFAULT_LAYOUT.encode()
    yield "_layouts/with-sidebar.html", SIDEBAR_LAYOUT.encode()
    for section in plan.sections:
        yield f"_includes/sidebar-{section.slug}.html", sidebar_html(section).encode()
    navigation = navigation_yml(plan.sections)
    defects: list[Defect] = []
    if defect_rate > 0:
        navigation += "- title: Archives\n  path: _pages/archives.md\n"
        line = navigation.count("\n")
        defects.append(
            Defect("_data/navigation.yml", "broken-data-target", line, "_pages/archives.md", 9)
        )
    yield "_data/navigation.yml", navigation.encode()
    yield "_data/programme.yml", PROGRAMME_YML.encode()
    for order, phase in enumerate(PHASES, start=1):
        yield f"_phases/{phase.slug}.md", phase_doc(phase, order).encode()
    image_rng = random.Random(f"{seed}:images")
    for name in IMAGES:
        size = (image_rng.randint(8, 48), image_rng.randint(8, 32))
        colour = (image_rng.randrange(256), image_rng.randrange(256), image_rng.randrange(256))
        yield f"img/{name}", png(size[0], size[1], colour)

    defect_rng = random.Random(f"{seed}:defects")
    for page in plan.pages:
        rng = random.Random(f"{seed}:page:{page.index}")
        blocks = BodyWriter(plan, page, rng).body()
        fm = front_matter(page)
        if defect_rng.random() < defect_rate:
            defects.append(inject_defect(plan, page, fm, blocks, defect_rng))
        yield page.path, render_page(fm, blocks)

    manifest = {
        "generator": "bench.generate_site",
        "seed": seed,
        "pages": total_pages,
        "defect_rate": defect_rate,
        "kinds": [*DEFECT_KINDS, "broken-data-target"],
        "defects": [
            {"file": d.file, "kind": d.kind, "line": d.line, "column": d.column, "detail": d.detail}
            for d in defects
        ],
    }
    yield "_defects.json", (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()


def check_destination(out: Path, force: bool) -> str | None:
    """Why `out` may not be written, or None."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        return f"{out} exists and is not a folder"
    if out.is_dir() and any(out.iterdir()) and not force:
        return f"{out} is not empty (use --force to replace it)"
    return None


def write_site(
    out: Path, files: Iterator[tuple[str, bytes]], on_file: Callable[[str, bytes], None]
) -> None:
    """Write into a temporary sibling folder, then swap it into place."""
    parent = out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    try:
        for rel, data in files:
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            on_file(rel, data)
        tmp.chmod(0o755)
        if out.exists():
            trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            out.replace(trash / "old")
            tmp.replace(out)
            shutil.rmtree(trash)
        else:
            tmp.replace(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate_site",
        description="Generate a large, realistic French Jekyll site for benchmarks.",
    )
    parser.add_argument("out_dir", metavar="OUT_DIR", type=Path, help="site root to create")
    parser.add_argument("--pages", type=int, default=1000, help="Markdown pages (default 1000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--defects",
        type=float,
        default=0.0,
        metavar="P",
        help="probability that a page gets one injected defect (default 0)",
    )
    parser.add_argument("--force", action="store_true", help="replace a non-empty OUT_DIR")
    args = parser.parse_args(argv)
    if args.pages < 6:
        parser.error("--pages must be at least 6 (home, `approche` and its four phases)")
    if not 0.0 <= args.defects <= 1.0:
        parser.error("--defects must be between 0 and 1")
    problem = check_destination(args.out_dir, args.force)
    if problem:
        parser.error(problem)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    stats = Stats()

    def count(rel: str, data: bytes) -> None:
        stats.site_bytes += len(data)
        if rel.startswith("_pages/"):
            stats.pages += 1
            stats.page_bytes += len(data)
        elif rel == "_defects.json":
            stats.defects = len(json.loads(data)["defects"])

    write_site(args.out_dir, generate(args.seed, args.pages, args.defects), count)
    elapsed = time.perf_counter() - started
    print(
        f"{args.out_dir}: {stats.pages} pages, {stats.page_bytes} bytes of pages "
        f"({stats.site_bytes} bytes in all), mean page {stats.page_bytes / stats.pages:.0f} bytes, "
        f"{stats.defects} defects, {elapsed:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
