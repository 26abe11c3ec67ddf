"""Internal link to nothing.

## What it does
Resolves every link to the site itself, in Markdown, raw HTML, front matter (`redirect_to`,
and every value that is a root-relative URL, an own-domain URL or a source path, whatever its
key) and absolute URLs to the site's own domain, the way the web server would (see
`fallback`), against every page, document, redirect and static file. Reports those that find
nothing, and those that match only when case is ignored (nginx answers 404; unless the
configuration says `ignore-case = true`), with what explains it when something does: the
target's front matter does not parse, a trailing slash, the `baseurl`, a source path, a close
URL ("did you mean"). Relative links are resolved against the page's URL, as a browser does.
A `{% link %}` or `{% post_url %}` to a missing file is reported too: Jekyll stops the build
on it; and so is an empty Markdown link (`[texte]()`), which leads nowhere. Breadcrumb links
are BC204's, images and other assets BC303's.

## Why is this bad?
A 404 for every visitor who follows it, and a signal of neglect to search engines.

## Example
```markdown
Voir la [phase de construction](/approche/constuction).
```

## Use instead
```markdown
Voir la [phase de construction](/approche/construction).
```
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.lint.rules.common import broken_hint
from betacontent.lint.rules.fixing import link_end
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    for page in site.semantic.checked_links:
        for target in page.targets:
            origin = target.link.origin
            if origin in ("breadcrumb", "data") or target.link.asset:
                continue
            if target.kind == "liquid-error" and target.problem:
                yield RULE.at(
                    page.path,
                    target.link.position,
                    target.problem,
                    end=link_end(target.link),
                )
            elif target.kind in ("internal", "own-domain") and target.resolution is None:
                yield RULE.at(
                    page.path,
                    target.link.position,
                    f"link to `{target.url}` resolves to no page, redirect or file"
                    + broken_hint(site, target),
                    end=link_end(target.link),
                )
            elif target.kind == "empty" and origin in ("markdown", "reference"):
                yield RULE.at(
                    page.path,
                    target.link.position,
                    "empty link target: the link reloads this page",
                    end=link_end(target.link),
                )
            elif target.kind == "source-path" and target.resolution is None:
                yield RULE.at(
                    page.path,
                    target.link.position,
                    f"`{target.link.element}: {target.url}` names no source file or URL of "
                    "the site" + broken_hint(site, target),
                    end=link_end(target.link),
                )


RULE = rule("BC301", "broken-link", Severity.ERROR, __doc__)(check)
