"""betacontent against real public Jekyll sites, built by the real Jekyll (Debian's 4.3.1).

    python -m bench.realsites [--sites jekyll,ruby-lang] [--repos DIR] [--no-build]
                              [--rebuild] [--runs N] [--out bench/results]

For each site of SITES (a repository at a fixed commit, and the site's folder in it):

1. The repository's git directory is found at `--repos DIR/<owner>/<name>.git` or
   `bench/.work/repos/<owner>/<name>.git` (else `git clone --bare` into the latter). The commit
   is extracted into `bench/.work/realsites/<owner>+<name>/` without `git archive`: blobs absent
   from the snapshot or of 4 MiB and more are skipped and listed (links to them are not held
   against betacontent), symbolic links kept, submodules skipped. A stamp (commit + a hash of
   the extraction code) avoids extracting again.
2. Jekyll builds it into `bench/.work/realsites-built/<owner>+<name>/`, with the site's tweaks
   (SITES: plugins Debian lacks dropped, stand-ins...) in files generated under
   `bench/.work/realsites-support/<owner>+<name>/`, never in the extracted tree. Every build also
   loads OBSERVER, a plugin that changes nothing and writes, after the build, each page's,
   document's and static file's source, class, URL and output file, and the converted (pre-layout)
   HTML of every Markdown page. A build is cached (stamp: commit, tweaks, Jekyll's version);
   `--rebuild` forces one, `--no-build` uses what is there.
3. `python -m betacontent lint FOLDER --format json --no-cache`, timed (median of `--runs`), with
   no betacontent configuration: findings by severity and code.
4. Outputs: the model's (`load_site(FOLDER).entries`) against the files Jekyll wrote; heading
   ids: betacontent's, of each Markdown page, against the h1-h6 ids of the built file, and the
   h1-h6 ids of Jekyll's converted body against betacontent's.
5. Every error checked against the built site: link codes (BC204, BC301, BC302, BC303, BC309)
   resolved the way nginx `try_files $uri $uri.html $uri/index.html $uri/` would, fragments
   looked up as `id=`/`name=` in the target's built HTML: `confirmed`, `refuted` (betacontent is
   wrong) or `manual`.

Results: `bench/results/realsites-<UTC timestamp>.json` (everything, full lists) and `.md`
(summary, samples, every refuted error), written atomically. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import hashlib
import html
import importlib.metadata
import inspect
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any, Literal, Protocol
from urllib.parse import unquote, urljoin, urlsplit

import yaml

from bench import load, run
from betacontent.core.atomic import write_atomic
from betacontent.core.settings import find_config
from betacontent.kramdown.anchors import page_anchors
from betacontent.serve.published import render_entry
from betacontent.site.index import Site
from betacontent.site.loader import load_site
from betacontent.site.semantic import PageLinks, Target

REPO = load.REPO
WORK = REPO / "bench" / ".work"
RESULTS = load.RESULTS
MAX_BLOB = 4 * 1024 * 1024  # blobs of 4 MiB and more are left out (snapshots may lack them)
GIT_ENV = {**os.environ, "GIT_NO_LAZY_FETCH": "1", "GIT_TERMINAL_PROMPT": "0"}
LINK_CODES = ("BC204", "BC301", "BC302", "BC303", "BC309")
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
SAMPLES = 10  # items of each list in the .md
Verdict = Literal["confirmed", "refuted", "manual"]


class RealSitesError(Exception):
    """A step failed for one site: the message says which and why."""


# --- what Jekyll loads besides the site (written under realsites-support/, never in the tree) -

OBSERVER = """\
# frozen_string_literal: true

# bench/realsites: observes the build and changes nothing. After the site is written, writes
# to $REALSITES_OBSERVE each page, static file and document written (source, class, URL,
# output file) and the converted HTML (before the layout) of every Markdown page or document.
require "json"

module RealsitesObserver
  @bodies = {}

  class << self
    attr_reader :bodies

    def source_of(item)
      item.relative_path.to_s.sub(%r!\\A/!, "")
    end

    # where the item's class is defined: a gem, Jekyll, or the site's own _plugins
    def defined_in(item)
      @defined_in ||= {}
      @defined_in.fetch(item.class) do
        location = item.class.name && Object.const_source_location(item.class.name)
        @defined_in[item.class] = location&.first
      end
    end

    def record(site)
      dest = File.join(site.dest, "")
      items = (site.pages + site.static_files + site.documents).filter_map do |item|
        next if item.respond_to?(:write?) && !item.write?

        path = item.destination(site.dest)
        {
          "source" => source_of(item),
          "class" => item.class.name,
          "defined_in" => defined_in(item),
          "url" => item.url,
          "output" => path.start_with?(dest) ? path[dest.length..] : path,
        }
      end
      document = { "site_time" => site.time.iso8601, "items" => items, "bodies" => bodies }
      File.write(ENV.fetch("REALSITES_OBSERVE"), JSON.generate(document))
    end
  end
end

Jekyll::Hooks.register [:pages, :documents], :post_convert do |item|
  extensions = item.site.config["markdown_ext"].to_s.split(",").map { |e| ".#{e.strip.downcase}" }
  next unless extensions.include?(item.extname.to_s.downcase)

  RealsitesObserver.bodies[RealsitesObserver.source_of(item)] = item.content
end

Jekyll::Hooks.register :site, :post_write do |site|
  RealsitesObserver.record(site)
end
"""

# Jekyll 4.3.1's Link#render walks `site.each_site_file` for every `{% link %}`, and that walk
# is quadratic (`seen_files.include?`); Jekyll 4.3.2 memoises it (upstream PR 9187). This is
# the same method with an index of the same files built once per build (site.time changes at
# each reset): the first item in each_site_file's order whose relative_path matches either form
# wins, as in the original.
LINK_MEMO = """\
# frozen_string_literal: true

# bench/realsites: Jekyll 4.3.2's memoised {% link %} lookup, for Jekyll 4.3.1.
module Jekyll
  module Tags
    class Link
      def render(context)
        @context = context
        site = context.registers[:site]
        relative_path = Liquid::Template.parse(@relative_path).render(context)
        relative_path_with_leading_slash = PathManager.join("", relative_path)

        memo = site.instance_variable_get(:@realsites_link_index)
        unless memo && memo[:time].equal?(site.time)
          index = {}
          position = 0
          %w(pages static_files_to_write docs_to_write).each do |type|
            site.send(type).each do |item|
              index[item.relative_path] ||= [position, item]
              position += 1
            end
          end
          memo = { :time => site.time, :index => index }
          site.instance_variable_set(:@realsites_link_index, memo)
        end
        found = [memo[:index][relative_path], memo[:index][relative_path_with_leading_slash]]
        found = found.compact.min_by(&:first)
        return relative_url(found.last) if found

        raise ArgumentError, <<~MSG
          Could not find document '#{relative_path}' in tag '#{self.class.tag_name}'.

          Make sure the document exists and the path is correct.
        MSG
      end
    end
  end
end
"""

ASSET_STAND_IN = """\
# frozen_string_literal: true

# bench/realsites: jekyll-assets is not in Debian. This `{% asset NAME [@path] [attr=value] %}`
# writes a plain tag (or, with @path, the path) to BASEURL/assets/NAME: no digest, no pipeline.
require "shellwords"

module RealsitesAssetStandIn
  class Tag < Liquid::Tag
    def initialize(tag_name, markup, tokens)
      super
      @markup = markup.strip
    end

    def render(context)
      words = Shellwords.split(Liquid::Template.parse(@markup).render(context))
      name = words.shift.to_s
      baseurl = context.registers[:site].config["baseurl"].to_s.chomp("/")
      path = "#{baseurl}/assets/#{name.sub(/\\.s[ac]ss\\z/, ".css")}"
      return path if words.include?("@path")

      attributes = words.reject { |w| w.start_with?("@") }.map do |w|
        key, value = w.split("=", 2)
        value ? %(#{key}="#{value}") : key
      end.join(" ")
      case File.extname(path)
      when ".js" then %(<script src="#{path}" #{attributes}></script>)
      when ".css" then %(<link rel="stylesheet" href="#{path}" #{attributes}>)
      else %(<img src="#{path}" #{attributes}>)
      end
    end
  end
end

Liquid::Template.register_tag("asset", RealsitesAssetStandIn::Tag)
"""

SASS_STAND_IN = """\
# frozen_string_literal: true

# bench/realsites: Debian's jekyll-sass-converter 2.2 compiles with libsass, which does not know
# Dart Sass modules (`@use "sass:meta"`). A stylesheet it cannot compile is written as an empty
# one, so that the file Jekyll would write still exists.
module RealsitesSassStandIn
  def convert(content)
    super
  rescue Jekyll::Converters::Scss::SyntaxError => e
    Jekyll.logger.warn "realsites:", "libsass cannot compile a stylesheet " \\
                                     "(#{e.message.lines.first.to_s.strip}): an empty one stands in"
    "/* bench/realsites: libsass could not compile this stylesheet */\\n"
  end
end

Jekyll::Converters::Scss.prepend(RealsitesSassStandIn)
"""

RUBY = {
    "observer.rb": OBSERVER,
    "link_memo.rb": LINK_MEMO,
    "asset_stand_in.rb": ASSET_STAND_IN,
    "sass_stand_in.rb": SASS_STAND_IN,
}

THEME_GEMSPEC = """\
Gem::Specification.new do |spec|
  spec.name = "{name}"
  spec.version = "0.0.0"
  spec.summary = "bench/realsites: a stand-in for a theme that Debian does not package"
  spec.authors = ["betacontent bench/realsites"]
  spec.files = []
end
"""


# --- the sites --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tweak:
    what: str
    why: str


@dataclass(frozen=True)
class RealSite:
    short: str
    repo: str  # owner/name on GitHub
    commit: str
    folder: str = ""  # the site's folder in the repository ("" for its root)
    plugins: tuple[str, ...] | None = None  # `plugins:` of the override (None: the site's own)
    ruby: tuple[str, ...] = ()  # files of RUBY put in the support plugins_dir (besides OBSERVER)
    quote_permalinks: int = 0  # unquoted `permalink: :x` lines to quote in a config copy
    theme_stub: tuple[str, tuple[str, ...]] | None = None  # (gem, includes) of a stand-in theme
    tweaks: tuple[Tweak, ...] = ()
    notes: tuple[str, ...] = ()  # how the build differs from the production one, not a tweak

    @property
    def key(self) -> str:
        return self.repo.replace("/", "+")


COMMON_TWEAKS = (
    Tweak(
        "JEKYLL_NO_BUNDLER_REQUIRE=true",
        "every site has a Gemfile; Bundler would need the exact gems, which Debian does not have",
    ),
    Tweak(
        "`--config _config.yml,OVERRIDE`, OVERRIDE giving `plugins_dir: [<site>/_plugins, "
        "SUPPORT/plugins]`",
        "SUPPORT/plugins holds the observer (changes nothing) and the site's stand-ins; the "
        "site's own _plugins still load",
    ),
    Tweak(
        "GIT_CEILING_DIRECTORIES=bench/.work",
        "plugins that ask git (jekyll-last-modified-at) must not find betacontent's repository",
    ),
)

SITES: tuple[RealSite, ...] = (
    RealSite(
        "jekyll",
        "jekyll/jekyll",
        "202df571",
        folder="docs",
        plugins=(
            "jekyll-avatar",
            "jekyll-feed",
            "jekyll-mentions",
            "jekyll-redirect-from",
            "jekyll-seo-tag",
            "jekyll-sitemap",
        ),
        tweaks=(Tweak("plugin jemoji dropped", "not in Debian; `:emoji:` codes stay text"),),
    ),
    RealSite(
        "opensource.guide",
        "github/opensource.guide",
        "ebc9678e",
        notes=(
            "its Gemfile's `github-pages` gem would add GitHub Pages' default plugins "
            "(jekyll-optional-front-matter, -relative-links, -readme-index, "
            "-titles-from-headings, -default-layout, -github-metadata...), none in Debian: "
            "built with its `plugins:` only",
        ),
    ),
    RealSite(
        "ruby-lang",
        "ruby/www.ruby-lang.org",
        "76ac6593",
        ruby=("link_memo.rb",),
        tweaks=(
            Tweak(
                "Jekyll::Tags::Link#render memoised (link_memo.rb, the fix of Jekyll 4.3.2)",
                "4.3.1 walks every site file, quadratically, for each `{% link %}`: hours "
                "instead of minutes on this site",
            ),
        ),
        notes=(
            "`stylesheets/compiled.css` (Tailwind, npm) and the pagefind search index are made "
            "by npm tools, absent here",
        ),
    ),
    RealSite(
        "brew.sh",
        "Homebrew/brew.sh",
        "3f895e1c",
        quote_permalinks=2,
        ruby=("sass_stand_in.rb",),
        tweaks=(
            Tweak(
                "`permalink: :title` and `permalink: :year/:month/:day/:title/` quoted, in a "
                "copy of _config.yml (SUPPORT/_config.yml) passed with --config",
                "Ruby 3.1's Psych 4 refuses the Symbol `:title` (Psych::DisallowedClass)",
            ),
            Tweak(
                "Sass stand-in (sass_stand_in.rb): a stylesheet libsass cannot compile is "
                "written empty",
                "assets/css/style.scss uses Dart Sass modules (`meta.load-css`), which "
                "Debian's libsass-based jekyll-sass-converter 2.2 rejects",
            ),
        ),
    ),
    RealSite(
        "just-the-docs",
        "just-the-docs/just-the-docs",
        "b28a6550",
        plugins=("jekyll-seo-tag", "jekyll-include-cache", "jekyll-sitemap"),
        tweaks=(
            Tweak(
                "plugin jekyll-github-metadata dropped",
                "not in Debian, and it calls the GitHub API",
            ),
        ),
    ),
    RealSite(
        "site-eig",
        "entrepreneur-interet-general/site-eig",
        "bc2afe52",
        plugins=(),
        tweaks=(
            Tweak(
                "plugin jekyll-paginate-v2 dropped",
                "not in Debian: no `/pageN/` pages, blog index pages list nothing",
            ),
        ),
    ),
    RealSite(
        "api-entreprise",
        "etalab/entreprise.api.gouv.fr",
        "da94334b",
        plugins=("jekyll-feed", "jekyll-last-modified-at", "jekyll-sitemap"),
        ruby=("asset_stand_in.rb",),
        tweaks=(
            Tweak(
                "plugin jekyll-target-blank dropped",
                "not in Debian; it only adds `target=_blank` to external links",
            ),
            Tweak(
                "plugin jekyll-assets replaced by a stand-in `{% asset %}` tag (asset_stand_in.rb)",
                "not in Debian; the stand-in writes `<img>`/`<script>`/`<link>` or the path "
                "to /assets/NAME, without digests or pipeline output",
            ),
            Tweak(
                "plugin jekyll-sitemap added",
                "the Gemfile's :jekyll_plugins group has it, and Bundler would require it "
                "(JEKYLL_NO_BUNDLER_REQUIRE turns that off)",
            ),
        ),
    ),
    RealSite(
        "doc.data.gouv.fr",
        "etalab/doc.data.gouv.fr",
        "1e1afbd5",
        theme_stub=("jekyll-theme-gouvfr", ("head.html", "header.html", "footer.html")),
        tweaks=(
            Tweak(
                "a stand-in gem for the theme jekyll-theme-gouvfr, in SUPPORT/gems (GEM_PATH), "
                "with empty _includes/head.html, header.html and footer.html",
                "the theme is not in Debian, and Jekyll reads `layouts_dir`/`includes_dir` only "
                "inside the source; the site has its own layouts and needs only those three "
                "includes",
            ),
        ),
        notes=("the theme's own files (CSS, fonts, images) are not in the build",),
    ),
)
BY_SHORT = {site.short: site for site in SITES}


# --- repositories and extraction ------------------------------------------------------------


def _git(git_dir: Path, *args: str, data: bytes | None = None) -> bytes:
    done = subprocess.run(
        ["git", "--git-dir", str(git_dir), *args],
        input=data,
        capture_output=True,
        env=GIT_ENV,
        check=False,
    )
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace")[-1500:]
        raise RealSitesError(
            f"git {' '.join(args[:3])} in {git_dir}: exit {done.returncode}\n{tail}"
        )
    return done.stdout


def find_repository(site: RealSite, repos: Path | None) -> Path:
    """The git directory of the site's repository: `--repos`, then bench/.work/repos, else a
    bare clone into the latter (which needs the network)."""
    owner, name = site.repo.split("/")
    default = WORK / "repos" / owner / f"{name}.git"
    for candidate in ([repos / owner / f"{name}.git"] if repos else []) + [default]:
        if candidate.is_dir():
            return candidate
    url = f"https://github.com/{site.repo}"
    default.parent.mkdir(parents=True, exist_ok=True)
    argv = ["git", "clone", "--quiet", "--bare", url, str(default)]
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, env=GIT_ENV, timeout=1800, check=False
        )
    except subprocess.TimeoutExpired:
        raise RealSitesError(
            f"no git directory for {site.repo}, and `git clone` timed out"
        ) from None
    if done.returncode != 0:
        shutil.rmtree(default, ignore_errors=True)
        looked = ", ".join(str(c) for c in ([repos] if repos else []) + [WORK / "repos"])
        raise RealSitesError(
            f"no git directory {owner}/{name}.git under {looked}, and `{' '.join(argv)}` "
            f"failed (exit {done.returncode}): {done.stderr.strip()[-500:]}"
        )
    return default


@dataclass
class Extraction:
    tree: Path
    commit: str  # full hash
    files: int
    skipped: list[tuple[str, str]]  # (path in the repository, why)
    fresh: bool  # extracted by this run (False: the stamp matched)
    seconds: float


def _extraction_code() -> str:
    source = "".join(inspect.getsource(f) for f in (_git, extract, _write_blobs))
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def extract(git_dir: Path, commit: str, tree: Path) -> Extraction:
    """Write the files of `commit` under `tree`, without `git archive` (which fails on
    snapshots missing blobs): blobs absent from the snapshot or of MAX_BLOB bytes and more are
    skipped (and listed), symbolic links kept as such, submodules skipped. The stamp file
    beside the tree holds the commit and a hash of this code: a match means nothing to do."""
    began = time.monotonic()
    full = _git(git_dir, "rev-parse", "--verify", f"{commit}^{{commit}}").decode().strip()
    stamp = tree.parent / f"{tree.name}.stamp"
    key = {"commit": full, "code": _extraction_code()}
    if stamp.is_file() and tree.is_dir():
        recorded = json.loads(stamp.read_text("utf-8"))
        if recorded.get("key") == key:
            kept = [(p, w) for p, w in recorded["skipped"]]
            return Extraction(tree, full, recorded["files"], kept, False, 0.0)
    listing = _git(git_dir, "ls-tree", "-r", "-z", "-l", "--full-tree", full)
    entries: list[tuple[str, str, str]] = []  # (mode, object, path)
    skipped: list[tuple[str, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, obj, size = meta.decode().split()
        path = os.fsdecode(raw_path)
        if kind == "commit":
            skipped.append((path, "submodule"))
        elif kind == "blob":
            if size.isdigit() and int(size) >= MAX_BLOB:
                skipped.append((path, f"{int(size):,} bytes (4 MiB and more)"))
            else:
                entries.append((mode, obj, path))
    # What `git cat-file -e` tells of each, in one process: `<oid> missing` for absent blobs.
    asked = "".join(f"{obj}\n" for _, obj, _ in entries).encode()
    answers = _git(git_dir, "cat-file", "--batch-check", data=asked).decode().splitlines()
    present = []
    for (mode, obj, path), line in zip(entries, answers, strict=True):
        fields = line.split()
        if fields[-1] == "missing":
            skipped.append((path, "absent from the snapshot"))
        elif int(fields[2]) >= MAX_BLOB:
            skipped.append((path, f"{int(fields[2]):,} bytes (4 MiB and more)"))
        else:
            present.append((mode, obj, path))
    stamp.unlink(missing_ok=True)
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    _write_blobs(git_dir, tree, present)
    skipped.sort()
    stamp.write_text(
        json.dumps({"key": key, "files": len(present), "skipped": skipped}, indent=1) + "\n",
        "utf-8",
    )
    return Extraction(tree, full, len(present), skipped, True, time.monotonic() - began)


def _write_blobs(git_dir: Path, tree: Path, entries: list[tuple[str, str, str]]) -> None:
    """Stream every blob through one `git cat-file --batch` and write it in place."""
    process = subprocess.Popen(
        ["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=GIT_ENV,
    )
    assert process.stdin is not None and process.stdout is not None
    links: set[str] = set()  # symbolic links written: nothing is written through them
    try:
        for mode, obj, path in entries:
            process.stdin.write(f"{obj}\n".encode())
            process.stdin.flush()
            header = process.stdout.readline().split()
            if len(header) != 3:
                raise RealSitesError(f"git cat-file --batch: {obj} ({path}): {header!r}")
            content = process.stdout.read(int(header[2]))
            process.stdout.read(1)  # the newline after each object
            parents = PurePosixPath(path).parents
            if any(str(parent) in links for parent in parents) or ".." in path.split("/"):
                raise RealSitesError(f"{path}: through a symbolic link, or outside the tree")
            target = tree / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if mode == "120000":
                target.symlink_to(os.fsdecode(content))
                links.add(path)
            else:
                target.write_bytes(content)
                if mode == "100755":
                    target.chmod(0o755)
    finally:
        process.stdin.close()
        process.wait()


# --- the build --------------------------------------------------------------------------------


@dataclass
class Build:
    dest: Path
    command: str
    env: dict[str, str]  # the variables set for Jekyll (besides the environment)
    cached: bool
    date: str  # UTC, when the build ran
    seconds: float | None
    jekyll_site_time: str | None = None  # `site.time`: what "today" was for Jekyll
    error: str = ""  # the log's tail when the build failed


def jekyll_version() -> str:
    return load.tool_version(["jekyll", "--version"])


def _support_files(site: RealSite, source: Path, support: Path) -> dict[Path, str]:
    """Every file Jekyll is given besides the tree, by path, with its text."""
    files: dict[Path, str] = {}
    plugins = support / "plugins"
    for name in ("observer.rb", *site.ruby):
        files[plugins / name] = RUBY[name]
    config = source / "_config.yml"
    main_config = config
    if site.quote_permalinks:
        text = config.read_text("utf-8")
        quoted, count = re.subn(r"(?m)^(\s*permalink:\s*)(:[^\s#\"']+)[ \t]*$", r'\1"\2"', text)
        if count != site.quote_permalinks:
            raise RealSitesError(
                f"expected {site.quote_permalinks} unquoted `permalink: :...` lines in "
                f"_config.yml, found {count}: the SITES entry needs a look"
            )
        main_config = support / "_config.yml"
        files[main_config] = quoted
    own = yaml.safe_load(config.read_text("utf-8")) or {}
    own_dirs = own.get("plugins_dir", "_plugins") if isinstance(own, dict) else "_plugins"
    dirs = [str(source / d) for d in (own_dirs if isinstance(own_dirs, list) else [own_dirs])]
    override: dict[str, Any] = {"plugins_dir": [*dirs, str(plugins)]}
    if site.plugins is not None:
        override["plugins"] = list(site.plugins)
    header = "# bench/realsites: the override of this site's _config.yml (JSON is YAML)\n"
    files[support / "override.yml"] = header + json.dumps(override, indent=1) + "\n"
    if site.theme_stub is not None:
        gem, includes = site.theme_stub
        gems = support / "gems"
        files[gems / "specifications" / f"{gem}-0.0.0.gemspec"] = THEME_GEMSPEC.format(name=gem)
        for include in includes:
            path = gems / "gems" / f"{gem}-0.0.0" / "_includes" / include
            files[path] = f"<!-- bench/realsites: a stand-in for {gem}'s _includes/{include} -->\n"
    files[support / "configs"] = f"{main_config},{support / 'override.yml'}"
    return files


def build(
    site: RealSite, source: Path, commit: str, work: Path, rebuild: bool, timeout: float
) -> Build:
    """Build with the real Jekyll into realsites-built/<key>, unless the stamp matches."""
    support = work / "realsites-support" / site.key
    dest = work / "realsites-built" / site.key
    files = _support_files(site, source, support)
    configs = files.pop(support / "configs")
    observe = support / "observations.json"
    env = {
        "JEKYLL_NO_BUNDLER_REQUIRE": "true",
        "REALSITES_OBSERVE": str(observe),
        "GIT_CEILING_DIRECTORIES": str(work),
        "LANG": os.environ.get("LANG") or "C.UTF-8",
    }
    if site.theme_stub is not None:
        env["GEM_PATH"] = f"{support / 'gems'}:"  # the trailing `:` keeps the default paths
    argv = ["jekyll", "build", "--source", str(source), "--destination", str(dest)]
    argv += ["--config", configs, "--disable-disk-cache", "--trace"]
    command = " ".join(f"{k}={v}" for k, v in env.items()) + " " + " ".join(argv)
    digest = hashlib.sha256()
    for part in (commit, site.folder, jekyll_version(), command):
        digest.update(part.encode() + b"\0")
    for path, text in sorted(files.items()):
        digest.update(str(path).encode() + b"\0" + text.encode() + b"\0")
    key = digest.hexdigest()
    stamp = support / "build.stamp"
    if not rebuild and stamp.is_file() and dest.is_dir() and observe.is_file():
        recorded = json.loads(stamp.read_text("utf-8"))
        if recorded.get("key") == key:
            return Build(dest, command, env, True, recorded["date"], recorded["seconds"])
    stamp.unlink(missing_ok=True)
    observe.unlink(missing_ok=True)
    shutil.rmtree(dest, ignore_errors=True)
    shutil.rmtree(support / "plugins", ignore_errors=True)
    shutil.rmtree(support / "gems", ignore_errors=True)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    log = support / "build.log"
    date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    began = time.monotonic()
    print(f"  jekyll build ({site.short}) ...", flush=True)
    with log.open("wb") as sink:
        process = subprocess.Popen(
            argv,
            cwd=source,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: stopped with it below, whatever happens
        )
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = -1
        finally:
            run._kill_group(process.pid, signal.SIGKILL)
            process.wait()
    seconds = time.monotonic() - began
    if code != 0 or not observe.is_file():
        tail = log.read_text("utf-8", errors="replace")
        tail = "\n".join(
            line for line in tail.splitlines() if not line.lstrip().startswith("from ")
        )
        why = f"timed out after {timeout:.0f} s" if code == -1 else f"exit {code}"
        return Build(dest, command, env, False, date, seconds, error=f"{why}\n{tail[-2500:]}")
    record = {"key": key, "date": date, "seconds": round(seconds, 1), "command": command}
    stamp.write_text(json.dumps(record, indent=1) + "\n", "utf-8")
    return Build(dest, command, env, False, date, round(seconds, 1))


# --- the lint ---------------------------------------------------------------------------------


@dataclass
class Lint:
    command: str
    walls: list[float]
    report: dict[str, Any]

    @property
    def diagnostics(self) -> list[dict[str, Any]]:
        found = self.report.get("diagnostics", [])
        return found if isinstance(found, list) else []

    @property
    def summary(self) -> dict[str, Any]:
        found = self.report.get("summary", {})
        return found if isinstance(found, dict) else {}


def lint(folder: Path, runs: int, support: Path) -> Lint:
    argv = [sys.executable, "-m", "betacontent", "lint", str(folder)]
    argv += ["--format", "json", "--no-cache"]
    walls: list[float] = []
    report: dict[str, Any] = {}
    support.mkdir(parents=True, exist_ok=True)
    for _ in range(runs):
        began = time.monotonic()
        done = subprocess.run(argv, cwd=REPO, capture_output=True, check=False)
        walls.append(time.monotonic() - began)
        if done.returncode not in (0, 1):
            tail = done.stderr.decode("utf-8", "replace")[-1500:]
            raise RealSitesError(f"betacontent lint: exit {done.returncode}\n{tail}")
        report = json.loads(done.stdout)
    (support / "lint.json").write_bytes(json.dumps(report, indent=1).encode())
    return Lint(run._shell(argv), walls, report)


# --- what Jekyll wrote ------------------------------------------------------------------------


@dataclass
class Observed:
    """The observer's record of a build."""

    site_time: str
    by_output: dict[str, dict[str, str]]  # output file -> item
    by_source: dict[str, dict[str, str]]  # source -> its page or document (else static file)
    bodies: dict[str, str]  # source -> converted HTML of a Markdown page or document


def observed(build: Build, support: Path) -> Observed:
    raw = json.loads((support / "observations.json").read_text("utf-8"))
    by_output: dict[str, dict[str, str]] = {}
    by_source: dict[str, dict[str, str]] = {}
    for item in raw["items"]:
        by_output.setdefault(item["output"], item)
        known = by_source.get(item["source"])
        if known is None or known["class"] == "Jekyll::StaticFile":
            by_source[item["source"]] = item
    return Observed(raw["site_time"], by_output, by_source, raw["bodies"])


def written_files(dest: Path) -> set[str]:
    return {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()}


_GEM = re.compile(r"/gems/([A-Za-z0-9_.-]+?)-\d[^/]*/")
_VENDOR = re.compile(r"/vendor_ruby/([^/]+?)(?:\.rb)?(?:/|$)")


def plugin_of(item: dict[str, str] | None, output: str, source: Path) -> str:
    """Who wrote an output file: the gem (or the site's _plugins file) that defines the class
    of the observer's item."""
    if item is None:
        return "not a page, document or static file: written by a plugin directly"
    name, where = item["class"], item.get("defined_in") or ""
    if name == "Jekyll::PageWithoutAFile":  # Jekyll's, for plugins (autoloaded: no location)
        if output in ("sitemap.xml", "robots.txt"):
            return "jekyll-sitemap"
        return "a generator's Jekyll::PageWithoutAFile"
    if where.startswith(f"{source}/"):
        return f"{name}, the site's own {Path(where).relative_to(source)}"
    match = _GEM.search(where) or _VENDOR.search(where)
    gem = match.group(1) if match else (where or "unknown")
    if gem != "jekyll":
        return f"{gem} ({name})"
    if PurePosixPath(item["source"]).suffix.lower() in (".scss", ".sass"):
        return "Jekyll, compiled Sass"
    return "Jekyll"


# --- URL agreement ----------------------------------------------------------------------------


@dataclass
class Urls:
    agree: int
    only_model: list[str]  # "output  <- source (kind)"
    only_jekyll: list[str]  # "output  <- writer, source"
    moved: list[dict[str, str]]  # a source both write, at different outputs
    only_jekyll_by_writer: dict[str, int]
    only_model_by_kind: dict[str, int]


def compare_urls(model: Site, dest: Path, seen: Observed) -> Urls:
    source = model.root
    predicted: dict[str, list[str]] = collections.defaultdict(list)
    for entry in model.entries:
        if entry.output:
            predicted[entry.output].append(f"{entry.rel} ({entry.kind})")
    written = written_files(dest)
    only_model = sorted(set(predicted) - written)
    only_jekyll = sorted(written - set(predicted))
    moved = []
    for entry in model.entries:
        item = seen.by_source.get(entry.rel)
        if (
            entry.output
            and entry.is_page
            and item is not None
            and item["class"] != "Jekyll::StaticFile"
            and item["output"] != entry.output
        ):
            moved.append(
                {
                    "source": entry.rel,
                    "model": entry.output,
                    "jekyll": item["output"],
                    "model_url": entry.url,
                    "jekyll_url": item["url"],
                }
            )
    writers = collections.Counter(plugin_of(seen.by_output.get(o), o, source) for o in only_jekyll)
    kinds: collections.Counter[str] = collections.Counter()
    for output in only_model:
        for entry in model.outputs.get(output, []):
            kinds[str(entry.kind)] += 1
    return Urls(
        agree=len(set(predicted) & written),
        only_model=[f"{o}  <- {', '.join(predicted[o])}" for o in only_model],
        only_jekyll=[
            f"{o}  <- {plugin_of(seen.by_output.get(o), o, source)}"
            + (f", {seen.by_output[o]['source']}" if o in seen.by_output else "")
            for o in only_jekyll
        ],
        moved=moved,
        only_jekyll_by_writer=dict(writers.most_common()),
        only_model_by_kind=dict(kinds.most_common()),
    )


# --- heading ids ------------------------------------------------------------------------------


class _Ids(HTMLParser):
    """The ids of h1-h6 elements, and every id= and name= value, of an HTML text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[str] = []
        self.all: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if value and key in ("id", "name"):
                self.all.add(value)
                if key == "id" and tag in HEADINGS:
                    self.headings.append(value)


def html_ids(text: str) -> _Ids:
    parser = _Ids()
    parser.feed(text)
    parser.close()
    return parser


@dataclass
class HeadingIds:
    pages: int = 0  # Markdown pages compared
    not_built: list[str] = field(default_factory=list)  # the model writes them, Jekyll did not
    model_ids: int = 0
    model_ids_in_built: int = 0
    model_only: list[dict[str, str]] = field(default_factory=list)
    body_ids: int = 0  # h1-h6 ids of Jekyll's converted body
    body_ids_in_model: int = 0
    jekyll_only: list[dict[str, str]] = field(default_factory=list)


def compare_ids(model: Site, dest: Path, seen: Observed) -> HeadingIds:
    result = HeadingIds()
    for parsed in model.files:
        entry = model.entry_for(parsed.rel)
        if entry is None or not entry.output or not entry.is_page or not parsed.markdown:
            continue
        item = seen.by_source.get(parsed.rel)
        body = seen.bodies.get(parsed.rel)
        built = dest / item["output"] if item else None
        if item is None or body is None or built is None or not built.is_file():
            result.not_built.append(parsed.rel)
            continue
        result.pages += 1
        anchors = page_anchors(parsed.tokens, parsed.body)
        ours = [a for a in anchors if a.kind == "heading" or (a.kind == "explicit" and a.text)]
        in_file = collections.Counter(html_ids(built.read_text("utf-8", "replace")).headings)
        in_body = collections.Counter(html_ids(body).headings)
        mine = collections.Counter(a.id for a in ours)
        result.model_ids += sum(mine.values())
        result.model_ids_in_built += sum((mine & in_file).values())
        missing = mine - in_file
        for anchor in ours:
            if missing[anchor.id] > 0:
                missing[anchor.id] -= 1
                line = anchor.line + parsed.body_line - 1
                result.model_only.append(
                    {"file": f"{parsed.rel}:{line}", "id": anchor.id, "text": anchor.text}
                )
        result.body_ids += sum(in_body.values())
        result.body_ids_in_model += sum((in_body & mine).values())
        for value, count in (in_body - mine).items():
            nearest = min(mine, key=lambda m: _distance(m, value), default="")
            for _ in range(count):
                result.jekyll_only.append(
                    {"file": parsed.rel, "id": value, "betacontent_nearest": nearest}
                )
    return result


class _Reading(HTMLParser):
    """The text of each h1-h6, and every `href` and `src`, of an HTML text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[str] = []
        self.links: list[str] = []
        self.open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [value for key, value in attrs if key in ("href", "src") and value]
        if tag in HEADINGS:
            self.open = []

    def handle_endtag(self, tag: str) -> None:
        if tag in HEADINGS and self.open is not None:
            self.headings.append(" ".join("".join(self.open).split()))
            self.open = None

    def handle_data(self, data: str) -> None:
        if self.open is not None:
            self.open.append(data)


def html_reading(text: str) -> _Reading:
    parser = _Reading()
    parser.feed(text)
    parser.close()
    return parser


@dataclass
class HtmlAgreement:
    """The API's HTML of each Markdown page against Jekyll's converted body."""

    pages: int = 0
    jekyll_headings: int = 0  # h1-h6 of Jekyll's converted bodies
    headings_agree: int = 0  # ... whose text the API's HTML has too
    jekyll_links: int = 0  # href and src values of Jekyll's converted bodies
    links_agree: int = 0  # ... that the API's HTML has too
    headings_jekyll_only: list[dict[str, str]] = field(default_factory=list)
    links_jekyll_only: list[dict[str, str]] = field(default_factory=list)


def compare_html(model: Site, seen: Observed) -> HtmlAgreement:
    """Heading texts and link URLs of the API's HTML (`render_entry`, as `serve` gives it)
    against those of Jekyll's converted body, page by page (multisets)."""
    result = HtmlAgreement()
    for parsed in model.files:
        entry = model.entry_for(parsed.rel)
        if entry is None or not entry.output or not entry.is_page or not parsed.markdown:
            continue
        body = seen.bodies.get(parsed.rel)
        if body is None:
            continue
        result.pages += 1
        jekyll = html_reading(body)
        ours = html_reading(render_entry(model, entry).html)
        for mine, theirs, kind in (
            (ours.headings, jekyll.headings, "headings"),
            (ours.links, jekyll.links, "links"),
        ):
            wanted = collections.Counter(theirs)
            agree = sum((wanted & collections.Counter(mine)).values())
            if kind == "headings":
                result.jekyll_headings += len(theirs)
                result.headings_agree += agree
                missing = result.headings_jekyll_only
            else:
                result.jekyll_links += len(theirs)
                result.links_agree += agree
                missing = result.links_jekyll_only
            for value, count in (wanted - collections.Counter(mine)).items():
                nearest = ""  # the lists are cut at 200 items: name the nearest of those only
                if len(missing) < 200:
                    nearest = min(mine, key=lambda m: _distance(m, value), default="")
                missing += [{"file": parsed.rel, "jekyll": value, "api_nearest": nearest}] * count
    return result


def _distance(left: str, right: str) -> int:
    """A cheap dissimilarity: length of the symmetric difference of character bigrams."""
    a = collections.Counter(left[i : i + 2] for i in range(len(left) - 1))
    b = collections.Counter(right[i : i + 2] for i in range(len(right) - 1))
    return sum(((a - b) + (b - a)).values())


# --- every error, checked against the built site ----------------------------------------------


@dataclass
class Checked:
    file: str
    line: int
    code: str
    message: str
    verdict: Verdict
    evidence: str
    reason: str = ""  # manual: why ("skipped-file"...); refuted: the probable cause


class MakeChecked(Protocol):
    def __call__(self, what: Verdict, evidence: str, reason: str = "") -> Checked: ...


_BACKTICKED = re.compile(r"`([^`]*)`")
_REFRESH = re.compile(
    r"""<meta\s+http-equiv=["']refresh["']\s+content=["']\d+;\s*url=([^"']*)["']""", re.I
)


class Verifier:
    """Resolves links against the built site as nginx `try_files $uri $uri.html
    $uri/index.html $uri/` would."""

    def __init__(
        self, model: Site, dest: Path, seen: Observed, skipped: Iterable[str], root: Path
    ) -> None:
        self.model = model
        self.dest = dest
        self.seen = seen
        self.root = root
        self.skipped = set(skipped)  # site-relative paths of the files left out
        self.baseurl = model.config.baseurl.rstrip("/")
        own = urlsplit(model.config.url) if model.config.url else None
        self.host = own.netloc.lower() if own else ""
        self.url_path = own.path.rstrip("/") if own else ""
        self.targets: dict[tuple[str, int, int], list[Target]] = collections.defaultdict(list)
        self.pages: dict[str, PageLinks] = {}
        for page in model.semantic.checked_links:
            self.pages[page.path] = page
            for target in page.targets:
                position = target.link.position
                self.targets[(page.path, position.line, position.column)].append(target)
        self._ids: dict[str, set[str]] = {}

    # -- resolving ---------------------------------------------------------------------------

    def served(self, path: str) -> str | None:
        """The built file served for a site path (baseurl removed, percent-encoded), or None."""
        path = unquote(path)
        for candidate in (path, path + ".html", path + "/index.html", path + "/"):
            rel = re.sub("/+", "/", candidate).lstrip("/")
            if not rel or rel.endswith("/"):
                rel += "index.html"
            file = self.dest / rel
            if file.is_file() and file.resolve().is_relative_to(self.dest.resolve()):
                return rel
        return None

    def page_url(self, source: str | None) -> tuple[str, str]:
        """The URL Jekyll gave the page at `source` (else the model's), and a note."""
        if source is None:
            return "/", ""
        item = self.seen.by_source.get(source)
        if item is not None:
            return item["url"], ""
        entry = self.model.entry_for(source)
        if entry is not None:
            return entry.url, f"; {source} is not in the build, its URL per betacontent used"
        return "/", ""

    def site_path(self, url: str, base: str, templated: bool) -> tuple[str | None, str]:
        """The path under the site (baseurl removed) a link asks for, or None and why not."""
        effective = html.unescape(url)
        note = f" (`{effective}` once HTML entities are decoded)" if effective != url else ""
        parts = urlsplit(effective)
        if parts.scheme in ("http", "https") or effective.startswith("//"):
            if parts.netloc.lower() != self.host:
                return None, f"not the site's own host `{self.host}`{note}"
            path = parts.path or "/"
            if self.url_path and path.startswith(self.url_path):
                path = path[len(self.url_path) :] or "/"
            templated = False
        elif parts.scheme:
            return None, f"a `{parts.scheme}:` URL{note}"
        elif parts.path.startswith("/"):
            path = parts.path
        else:
            # as a browser does, from the page's URL as served (baseurl included)
            joined = urlsplit(urljoin("http://site" + self.baseurl + base, parts.path or base))
            path, templated = joined.path, False
        path = urlsplit(urljoin("http://site/", path)).path  # `.` and `..` as a browser
        if self.baseurl and not templated:
            if path != self.baseurl and not path.startswith(self.baseurl + "/"):
                return None, f"`{path}` does not carry the baseurl `{self.baseurl}`{note}"
            path = path[len(self.baseurl) :] or "/"
        return path, note

    def source_of(self, built: str) -> str:
        item = self.seen.by_output.get(built)
        return item["source"] if item else ""

    def ids(self, rel: str) -> set[str]:
        found = self._ids.get(rel)
        if found is None:
            found = self._ids[rel] = html_ids((self.dest / rel).read_text("utf-8", "replace")).all
        return found

    # -- one finding -------------------------------------------------------------------------

    def check(self, diagnostic: dict[str, Any]) -> Checked:
        code, path = str(diagnostic["code"]), str(diagnostic["path"])
        line, column = int(diagnostic["line"]), int(diagnostic["column"])
        message = str(diagnostic["message"])

        def verdict(what: Verdict, evidence: str, reason: str = "") -> Checked:
            return Checked(path, line, code, message, what, evidence, reason)

        if code not in LINK_CODES:
            return verdict("manual", "not a link code", "not a link code")
        targets = self.targets.get((path, line, column), [])
        target = targets[0] if targets else None
        page = self.pages.get(path)
        source = page.entry.rel if page is not None and page.entry is not None else None
        base, base_note = self.page_url(source)
        if code == "BC302":
            return self.check_fragment(target, source, base, base_note, verdict)
        quoted = _BACKTICKED.findall(message)
        if not quoted:
            return verdict("manual", "no URL in the message", "no URL in the message")
        url = quoted[0]
        templated = code == "BC204"
        if code == "BC309":
            url = url.partition(": ")[2]
            templated = True
            if "names no source file" in message:
                return self.check_source_path(url, verdict)
        return self.check_url(url, base, base_note, templated, verdict)

    def check_url(
        self, url: str, base: str, base_note: str, templated: bool, verdict: MakeChecked
    ) -> Checked:
        site_path, note = self.site_path(url, base, templated)
        if site_path is None:
            if "baseurl" in note:
                return verdict("confirmed", note + base_note)
            return verdict("manual", note + base_note, "not a link to this site")
        if site_path.lstrip("/") in self.skipped or unquote(site_path).lstrip("/") in self.skipped:
            return verdict(
                "manual", f"`{site_path}` is a file left out of the extraction", "skipped-file"
            )
        found = self.served(site_path)
        if found is not None:
            what, cause = self.explain(found)
            evidence = f"`{site_path}` is served by {found} ({what}){note}{base_note}"
            return verdict("refuted", evidence, cause)
        return verdict(
            "confirmed",
            f"`{site_path}`: no $uri, $uri.html, $uri/index.html in the build{note}{base_note}",
        )

    def explain(self, built: str) -> tuple[str, str]:
        """What wrote a built file, and the probable cause of betacontent not finding it."""
        item = self.seen.by_output.get(built)
        writer = plugin_of(item, built, self.root)
        if item is None or not writer.startswith("Jekyll"):
            return writer, f"the target is made by {writer.split(' (')[0].split(',')[0]}"
        source = item["source"]
        entry = self.model.entry_for(source)
        if entry is None:
            return f"{writer}, {source}", "betacontent does not know the target's source"
        if entry.output != built:
            where = entry.output or "nowhere"
            return (
                f"{writer}, {source}, which betacontent writes at {where}",
                "betacontent writes the target's source elsewhere",
            )
        return f"{writer}, {source}", "betacontent has the target but does not resolve the link"

    def check_source_path(self, value: str, verdict: MakeChecked) -> Checked:
        if value in self.seen.by_source:
            return verdict(
                "refuted",
                f"Jekyll wrote `{value}` ({self.seen.by_source[value]['output']})",
                "the source file exists",
            )
        if (self.root / value).is_file():
            return verdict("refuted", f"`{value}` is a file of the site", "the source file exists")
        if re.search(r"\s|<", value):
            return verdict("manual", "not a path (text under a path key)", "not a path")
        found = self.served("/" + value)
        if found is not None:
            return verdict(
                "manual",
                f"no source file `{value}`, but as a URL `/{value}` is served by {found}: "
                "depends on how the templates use it",
                "a URL, not a source path",
            )
        return verdict("confirmed", f"no source file `{value}`, nor anything served at `/{value}`")

    def check_fragment(
        self,
        target: Target | None,
        source: str | None,
        base: str,
        base_note: str,
        verdict: MakeChecked,
    ) -> Checked:
        if target is None or target.fragment is None:
            return verdict("manual", "the link was not found in the model", "link not found")
        fragment = html.unescape(target.fragment)
        note = (
            f" (`#{fragment}` once HTML entities are decoded)"
            if fragment != target.fragment
            else ""
        )
        if target.kind == "same-page":
            item = self.seen.by_source.get(source or "")
            if item is None:
                return verdict("manual", f"{source} is not in the build", "page not built")
            built: str | None = item["output"]
            where = f"this page ({built})"
        else:
            site_path, why = self.site_path(target.url.split("#", 1)[0] or base, base, False)
            if site_path is None:
                return verdict("manual", why + base_note, "not a link to this site")
            built = self.served(site_path)
            if built is None:
                return verdict(
                    "manual",
                    f"`{site_path}` itself is not in the build{base_note}",
                    "page not built",
                )
            where = built
            text = (self.dest / built).read_text("utf-8", "replace")
            refresh = _REFRESH.search(text) if len(text) < 4000 else None
            if refresh is not None:
                via, _ = self.site_path(html.unescape(refresh.group(1)), site_path, False)
                final = self.served(via) if via else None
                if final is not None:
                    built, where = final, f"{final} (after the redirect {built})"
        if built is None or not (self.dest / built).is_file():
            return verdict("manual", f"{built} is not in the build", "page not built")
        ids = self.ids(built)
        if fragment in ids or unquote(fragment) in ids:
            if note:
                cause = "an HTML entity in the fragment, which the browser decodes"
            elif fragment in html_ids(self.seen.bodies.get(self.source_of(built), "")).all:
                cause = "an id of the target's Markdown body that betacontent misses"
            else:
                cause = "an id from the target's layout or Liquid output, not its Markdown"
            return verdict("refuted", f"`#{fragment}` is an id in {where}{note}", cause)
        return verdict("confirmed", f"no id or name `{fragment}` in {where} ({len(ids)} ids){note}")


# --- one site ---------------------------------------------------------------------------------


@dataclass
class Result:
    site: RealSite
    repository: str = ""
    commit: str = ""
    extraction: dict[str, Any] = field(default_factory=dict)
    build: Build | None = None
    lint: Lint | None = None
    urls: Urls | None = None
    ids: HeadingIds | None = None
    html: HtmlAgreement | None = None
    checked: list[Checked] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    model_seconds: float | None = None
    configuration: str | None = None  # a betacontent configuration found above the tree

    def counts(self) -> dict[str, Any]:
        diagnostics = self.lint.diagnostics if self.lint else []
        by_severity = collections.Counter(str(d["severity"]) for d in diagnostics)
        by_code = collections.Counter(f"{d['code']} {d['severity']}" for d in diagnostics)
        verdicts = collections.Counter(c.verdict for c in self.checked)
        reasons = collections.Counter(c.reason for c in self.checked if c.verdict == "manual")
        causes = collections.Counter(c.reason for c in self.checked if c.verdict == "refuted")
        return {
            "by_severity": dict(by_severity),
            "by_code": dict(sorted(by_code.items())),
            "verdicts": dict(verdicts),
            "manual_reasons": dict(reasons),
            "refuted_causes": dict(causes.most_common()),
        }


def do_site(site: RealSite, args: argparse.Namespace) -> Result:
    result = Result(site)
    work: Path = args.work
    support = work / "realsites-support" / site.key
    try:
        git_dir = find_repository(site, args.repos)
        result.repository = str(git_dir)
        extraction = extract(git_dir, site.commit, work / "realsites" / site.key)
    except RealSitesError as error:
        result.failures.append(f"repository: {error}")
        return result
    result.commit = extraction.commit
    result.extraction = {
        "tree": str(extraction.tree),
        "files": extraction.files,
        "fresh": extraction.fresh,
        "seconds": round(extraction.seconds, 2),
        "skipped": [{"path": p, "why": w} for p, w in extraction.skipped],
    }
    made = f"extracted in {extraction.seconds:.1f} s" if extraction.fresh else "extraction cached"
    print(f"  {extraction.files:,} files, {len(extraction.skipped)} skipped, {made}", flush=True)
    folder = extraction.tree / site.folder if site.folder else extraction.tree
    configuration = find_config(folder)
    result.configuration = str(configuration) if configuration else None
    if configuration is not None:
        result.failures.append(f"a betacontent configuration applies: {configuration}")
    if not args.no_build:
        try:
            result.build = build(site, folder, extraction.commit, work, args.rebuild, args.timeout)
        except RealSitesError as error:
            result.failures.append(f"build: {error}")
    elif (work / "realsites-built" / site.key).is_dir():
        stamp = support / "build.stamp"
        recorded = json.loads(stamp.read_text("utf-8")) if stamp.is_file() else {}
        result.build = Build(
            work / "realsites-built" / site.key,
            str(recorded.get("command", "")),
            {},
            True,
            str(recorded.get("date", "unknown")),
            recorded.get("seconds"),
        )
    else:
        result.failures.append("no build (--no-build, and none in bench/.work)")
    if result.build is not None and result.build.error:
        result.failures.append(f"jekyll build failed: {result.build.error}")
        print(f"  jekyll build FAILED: {result.build.error.splitlines()[0]}", flush=True)
    elif result.build is not None:
        made = "cached" if result.build.cached else f"built in {result.build.seconds} s"
        print(f"  Jekyll: {made} ({result.build.date})", flush=True)
    try:
        result.lint = lint(folder, args.runs, support)
        summary = result.lint.summary
        print(
            f"  lint: {statistics.median(result.lint.walls):.2f} s, {summary.get('files')} files, "
            f"{summary.get('errors')} errors, {summary.get('warnings')} warnings",
            flush=True,
        )
    except (RealSitesError, ValueError) as error:
        result.failures.append(f"lint: {error}")
    built = result.build is not None and not result.build.error
    if not built or not (support / "observations.json").is_file():
        return result
    assert result.build is not None
    began = time.monotonic()
    model = load_site(folder)
    result.model_seconds = round(time.monotonic() - began, 2)
    seen = observed(result.build, support)
    result.build.jekyll_site_time = seen.site_time
    result.urls = compare_urls(model, result.build.dest, seen)
    result.ids = compare_ids(model, result.build.dest, seen)
    result.html = compare_html(model, seen)
    prefix = f"{site.folder}/" if site.folder else ""
    skipped = [p[len(prefix) :] for p, _ in extraction.skipped if p.startswith(prefix)]
    verifier = Verifier(model, result.build.dest, seen, skipped, folder)
    if result.lint is not None:
        errors = [d for d in result.lint.diagnostics if d.get("severity") == "error"]
        result.checked = [verifier.check(d) for d in errors]
    urls, ids = result.urls, result.ids
    print(
        f"  URLs: {urls.agree:,} agree, {len(urls.only_model):,} only the model, "
        f"{len(urls.only_jekyll):,} only Jekyll; ids: {ids.model_ids_in_built:,}/{ids.model_ids:,} "
        f"of betacontent's in the built files, {ids.body_ids_in_model:,}/{ids.body_ids:,} of "
        f"Jekyll's body ids in betacontent's; API HTML: {result.html.headings_agree:,}/"
        f"{result.html.jekyll_headings:,} heading texts, {result.html.links_agree:,}/"
        f"{result.html.jekyll_links:,} links as Jekyll's; errors: {result.counts()['verdicts']}",
        flush=True,
    )
    return result


# --- reporting --------------------------------------------------------------------------------


def _ratio(part: int, whole: int) -> str:
    return f"{part:,}/{whole:,} ({part / whole:.1%})" if whole else "—"


def summary_row(result: Result) -> str:
    site = result.site
    summary = result.lint.summary if result.lint else {}
    files = int(summary.get("files", 0) or 0)
    warnings = int(summary.get("warnings", 0) or 0)
    verdicts = collections.Counter(c.verdict for c in result.checked)
    errors = f"{summary['errors']:,}" if "errors" in summary else "—"
    if result.checked:
        found = (verdicts[v] for v in ("confirmed", "refuted", "manual"))
        errors = f"{errors} (" + "/".join(f"{n:,}" for n in found) + ")"
    per_k = f"{warnings / files * 1000:,.0f}" if files else "—"
    urls = "—"
    if result.urls:
        u = result.urls
        urls = f"{u.agree:,} agree, {len(u.only_model):,} model only, "
        urls += f"{len(u.only_jekyll):,} Jekyll only"
    ids = "—"
    if result.ids:
        i = result.ids
        ids = (
            f"{_ratio(i.model_ids_in_built, i.model_ids)} found; "
            f"{_ratio(i.body_ids_in_model, i.body_ids)} of Jekyll's"
        )
    wall = f"{statistics.median(result.lint.walls):.2f} s" if result.lint else "—"
    return (
        f"| {site.short} | {files:,} | {errors} | {warnings:,} | {per_k} "
        f"| {int(summary.get('infos', 0) or 0):,} | {urls} | {ids} | {wall} |"
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _sample(items: Sequence[str], total: int | None = None) -> list[str]:
    shown = [f"  - `{_cell(i)}`" for i in items[:SAMPLES]]
    rest = (total if total is not None else len(items)) - len(shown)
    return shown + ([f"  - … and {rest:,} more (the JSON has them all)"] if rest > 0 else [])


def site_section(result: Result) -> list[str]:
    site = result.site
    where = f"{site.repo}@{result.commit[:10] or site.commit}" + (
        f", folder `{site.folder}/`" if site.folder else ""
    )
    parts = [f"## {site.short} ({where})", ""]
    extraction = result.extraction
    if extraction:
        skipped = extraction["skipped"]
        parts.append(
            f"Extracted {extraction['files']:,} files; {len(skipped)} left out"
            + (
                ": " + ", ".join(f"`{s['path']}` ({s['why']})" for s in skipped[:5])
                if skipped
                else ""
            )
            + (f" and {len(skipped) - 5} more" if len(skipped) > 5 else "")
            + "."
        )
    if result.build is not None:
        b = result.build
        how = "cached build" if b.cached else f"built in {b.seconds} s"
        parts.append(
            f"Jekyll: {how} on {b.date}"
            + (f"; Jekyll's `site.time` {b.jekyll_site_time}" if b.jekyll_site_time else "")
            + "."
        )
    parts.append("")
    parts.append(
        "Tweaks (besides the common ones):" if site.tweaks else "Tweaks: the common ones only."
    )
    parts += [f"- {t.what}: {t.why}" for t in site.tweaks]
    parts += [f"- note: {n}" for n in site.notes]
    parts.append("")
    for failure in result.failures:
        parts += ["**Failure:**", "", "```", failure[-3000:], "```", ""]
    counts = result.counts()
    if result.lint is not None:
        parts += ["| code | severity | count |", "|---|---|---:|"]
        for key, count in counts["by_code"].items():
            code, severity = key.split(" ", 1)
            parts.append(f"| {code} | {severity} | {count:,} |")
        parts.append("")
    if result.urls is not None:
        u = result.urls
        parts += [
            f"**URLs**: {u.agree:,} agree; {len(u.only_model):,} only the model "
            f"(by kind: {u.only_model_by_kind}); {len(u.only_jekyll):,} only Jekyll (by writer: "
            f"{u.only_jekyll_by_writer}); {len(u.moved):,} pages or documents written by both at "
            "different paths.",
            "",
        ]
        if u.moved:
            parts.append("- written elsewhere (source: betacontent → Jekyll):")
            parts += _sample([f"{m['source']}: {m['model']} → {m['jekyll']}" for m in u.moved])
        if u.only_model:
            parts.append("- only the model:")
            parts += _sample(u.only_model)
        if u.only_jekyll:
            parts.append("- only Jekyll:")
            parts += _sample(u.only_jekyll)
        parts.append("")
    if result.ids is not None:
        i = result.ids
        parts += [
            f"**Heading ids**: {i.pages:,} Markdown pages compared ({len(i.not_built):,} the "
            f"model writes were not built by Jekyll); of betacontent's {i.model_ids:,} heading "
            f"ids, {i.model_ids_in_built:,} are h1-h6 ids of the built file; of the {i.body_ids:,} "
            f"h1-h6 ids of Jekyll's converted bodies, {i.body_ids_in_model:,} are betacontent's.",
            "",
        ]
        if i.model_only:
            parts.append("- betacontent's, not in the built file (file:line, id, heading text):")
            parts += _sample([f"{m['file']}  #{m['id']}  {m['text']!r}" for m in i.model_only])
        if i.jekyll_only:
            parts.append("- Jekyll's, not betacontent's (file, id, betacontent's nearest):")
            parts += _sample(
                [f"{m['file']}  #{m['id']}  ~ #{m['betacontent_nearest']}" for m in i.jekyll_only]
            )
        parts.append("")
    if result.html is not None:
        h = result.html
        parts += [
            f"**The API's HTML**: {h.pages:,} Markdown pages rendered as `serve` renders them; "
            f"of the {h.jekyll_headings:,} h1-h6 of Jekyll's converted bodies, "
            f"{h.headings_agree:,} have their text in the API's HTML; of their "
            f"{h.jekyll_links:,} href and src values, {h.links_agree:,} are the API's.",
            "",
        ]
        if h.headings_jekyll_only:
            parts.append("- Jekyll's heading texts the API's HTML lacks (file, text, nearest):")
            parts += _sample(
                [
                    f"{m['file']}  {m['jekyll']!r}  ~ {m['api_nearest']!r}"
                    for m in h.headings_jekyll_only
                ]
            )
        if h.links_jekyll_only:
            parts.append("- Jekyll's links the API's HTML lacks (file, URL, nearest):")
            parts += _sample(
                [f"{m['file']}  {m['jekyll']}  ~ {m['api_nearest']}" for m in h.links_jekyll_only]
            )
        parts.append("")
    if result.checked:
        parts.append(
            f"**Errors checked against the build**: {counts['verdicts']}; manual: "
            f"{counts['manual_reasons']}."
        )
        refuted = sorted(
            (c for c in result.checked if c.verdict == "refuted"),
            key=lambda c: (-counts["refuted_causes"][c.reason], c.reason, c.file, c.line),
        )
        if refuted:
            parts += ["", "Refuted (betacontent is wrong), by probable cause:", ""]
            parts += [f"- {n:,}: {cause}" for cause, n in counts["refuted_causes"].items()]
            parts += ["", "Refuted errors (at most 20 of each cause):", ""]
            parts += ["| file:line | code | message | evidence | cause |", "|---|---|---|---|---|"]
            shown: collections.Counter[str] = collections.Counter()
            for c in refuted:  # at most 20 of each cause: the JSON has the rest
                shown[c.reason] += 1
                if shown[c.reason] <= 20:
                    parts.append(
                        f"| {c.file}:{c.line} | {c.code} | {_cell(c.message)} "
                        f"| {_cell(c.evidence)} | {c.reason} |"
                    )
        manual = [c for c in result.checked if c.verdict == "manual"]
        for reason in sorted({c.reason for c in manual} - {"not a link code"}):
            some = [c for c in manual if c.reason == reason]
            parts += ["", f"Manual, {reason}:"]
            parts += _sample(
                [f"{c.file}:{c.line} {c.code} {c.message} — {c.evidence}" for c in some]
            )
        confirmed = [c for c in result.checked if c.verdict == "confirmed"]
        if confirmed:
            parts += ["", "Confirmed, a sample:"]
            parts += _sample(
                [f"{c.file}:{c.line} {c.code} {c.message} — {c.evidence}" for c in confirmed]
            )
        parts.append("")
    return parts


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for dist in ("betacontent", "markdown-it-py", "PyYAML"):
        try:
            found[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            found[dist] = None
    found["jekyll"] = jekyll_version()
    found["ruby"] = load.tool_version(["ruby", "--version"])
    found["git"] = load.tool_version(["git", "--version"])
    if shutil.which("dpkg-query"):
        packages = ["jekyll", "ruby-kramdown", "ruby-kramdown-parser-gfm", "ruby-liquid"]
        packages += ["ruby-rouge", "ruby-jekyll-sass-converter", "ruby-sassc"]
        packages += [f"ruby-jekyll-{p}" for p in ("redirect-from", "sitemap", "avatar", "mentions")]
        packages += [
            f"ruby-jekyll-{p}"
            for p in ("include-cache", "paginate", "last-modified-at", "seo-tag", "feed")
        ]
        done = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Package} ${Version}\\n", *packages],
            capture_output=True,
            text=True,
            check=False,
        )
        for line in done.stdout.splitlines():
            name, _, version = line.partition(" ")
            found[f"deb:{name}"] = version or None
    return found


LIST_LIMIT = 200
"""Items kept of each list in the JSON results (the counts stay whole): the results are
committed, and one wrong date can make thousands of disagreements of one kind."""


def _capped(value: Any) -> Any:
    """`value` with every list longer than `LIST_LIMIT` cut, a note saying how long it was."""
    if isinstance(value, dict):
        return {key: _capped(item) for key, item in value.items()}
    if isinstance(value, list):
        kept = [_capped(item) for item in value[:LIST_LIMIT]]
        if len(value) > LIST_LIMIT:
            kept.append(f"... {len(value) - LIST_LIMIT:,} more (of {len(value):,})")
        return kept
    return value


def to_json(result: Result) -> dict[str, Any]:
    site = result.site
    document: dict[str, Any] = _capped(
        {
            "site": site.short,
            "repo": site.repo,
            "commit": result.commit or site.commit,
            "folder": site.folder,
            "repository": result.repository,
            "tweaks": [asdict(t) for t in site.tweaks],
            "notes": list(site.notes),
            "extraction": result.extraction,
            "build": None
            if result.build is None
            else asdict(result.build) | {"dest": str(result.build.dest)},
            "betacontent_configuration": result.configuration,
            "lint": None
            if result.lint is None
            else {
                "command": result.lint.command,
                "walls_s": [round(w, 3) for w in result.lint.walls],
                "median_wall_s": round(statistics.median(result.lint.walls), 3),
                "summary": result.lint.summary,
            },
            "model_load_s": result.model_seconds,
            "counts": result.counts(),
            "urls": None if result.urls is None else asdict(result.urls),
            "heading_ids": None if result.ids is None else asdict(result.ids),
            "api_html": None if result.html is None else asdict(result.html),
            "errors_checked": [asdict(c) for c in result.checked],
            "failures": result.failures,
        }
    )
    return document


def markdown(document: dict[str, Any], results: list[Result]) -> str:
    facts = document["machine"]
    tools = document["versions"]
    parts = [
        f"# Real sites {document['timestamp']}",
        "",
        f"`{document['command']}` at {document['git']}, {document['elapsed_s']:,} s.",
        "",
        f"Machine: {facts['cpus']} CPUs ({facts['cpu_model']}), {facts['memory_mib']} MiB, "
        f"{facts['platform']}, Python {facts['python']}; load average at start "
        f"{facts['load_average']}.",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in tools.items() if v) + ".",
        "",
        "Every build: " + "; ".join(f"{t.what} ({t.why})" for t in COMMON_TWEAKS) + ".",
        "",
        "Errors: confirmed / refuted / manual. URL agreement: files the model predicts against "
        "the files Jekyll wrote. Ids: betacontent's heading ids found as h1-h6 ids of the built "
        "file; h1-h6 ids of Jekyll's converted body that betacontent has.",
        "",
        "| site | files | errors (c/r/m) | warnings | warnings per 1,000 files | infos "
        "| URL agreement | id agreement | lint time |",
        "|---|---:|---|---:|---:|---:|---|---|---:|",
    ]
    parts += [summary_row(r) for r in results]
    parts += ["", "Commands:", ""]
    parts += [f"- lint: `{document['lint_command']}`"]
    for result in results:
        if result.build is not None and result.build.command:
            parts.append(f"- build, {result.site.short}: `{result.build.command}`")
    parts.append("")
    for result in results:
        parts += site_section(result)
    return "\n".join(parts) + "\n"


# --- main -------------------------------------------------------------------------------------


def _sites(text: str) -> list[RealSite]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in BY_SHORT]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown site(s) {', '.join(unknown) or '(none)'}; known: {', '.join(BY_SHORT)}"
        )
    return [BY_SHORT[n] for n in names]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.realsites",
        description="betacontent against real Jekyll sites built by the real Jekyll; writes "
        "bench/results/realsites-<timestamp>.json and .md.",
    )
    parser.add_argument("--sites", type=_sites, default=list(SITES), help=", ".join(BY_SHORT))
    parser.add_argument("--repos", type=Path, help="DIR/<owner>/<name>.git holds the repositories")
    parser.add_argument("--no-build", action="store_true", help="use the existing builds")
    parser.add_argument("--rebuild", action="store_true", help="build even if the stamp matches")
    parser.add_argument("--runs", type=int, default=1, help="lint runs per site (median)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"results folder ({RESULTS})")
    parser.add_argument("--work", type=Path, default=WORK, help=f"working folder ({WORK})")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per Jekyll build")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be 1 or more")
    if args.no_build and args.rebuild:
        parser.error("--no-build and --rebuild exclude each other")
    args.work = args.work.resolve()
    args.repos = args.repos.resolve() if args.repos else None
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, load._terminate)  # unwinds: a running build is stopped
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    began = time.monotonic()
    facts = run.machine()
    commit = load.git_commit()
    if shutil.which("jekyll") is None and not args.no_build:
        print("realsites: `jekyll` not found (Debian: apt-get install jekyll ...)", file=sys.stderr)
        return 2
    results: list[Result] = []
    for site in args.sites:
        print(f"{site.short}: {site.repo}@{site.commit}", flush=True)
        results.append(do_site(site, args))
        for failure in results[-1].failures:
            print(f"  FAILED: {failure.splitlines()[0][:300]}", flush=True)
    document: dict[str, Any] = {
        "timestamp": stamp,
        "command": "python -m bench.realsites " + " ".join(argv),
        "git": commit,
        "machine": facts,
        "versions": versions(),
        "lint_command": "python -m betacontent lint FOLDER --format json --no-cache",
        "common_tweaks": [asdict(t) for t in COMMON_TWEAKS],
        "ruby_support": RUBY,
        "sites": [to_json(r) for r in results],
        "elapsed_s": round(time.monotonic() - began, 1),
    }
    text = markdown(document, results)
    json_path = args.out / f"realsites-{stamp}.json"
    md_path = args.out / f"realsites-{stamp}.md"
    write_atomic(json_path, json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    write_atomic(md_path, text)
    print()
    table = [line for line in text.splitlines() if line.startswith("|")]
    print("\n".join(table[: 2 + len(results)]))
    print(f"\n{run._shown(json_path)}, {run._shown(md_path)}; {time.monotonic() - began:.0f} s")
    return 1 if any(r.failures for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
