"""External URL that is broken (only with `--external`).

## What it does
With `betacontent lint --external`, requests every external `http(s)` link of the site (HEAD,
then GET when HEAD is refused), following redirects, with per-host limits, a politeness
delay, retries and `Retry-After` honoured, and reports the links whose final answer is an
error (404, 410, 5xx after retries, a redirect loop, a host that does not answer). A server
that keeps answering 429 gives "unknown", never "broken", so rate limits do not turn CI red.
Results are cached in `.betacontent-cache/` (see `external.ttl-hours`).

## Why is this bad?
Pages of other sites move and disappear; a dead reference weakens the page that cites it.

## Example
```markdown
Voir le [référentiel](https://www.numerique.gouv.fr/publications/ancien-referentiel/).
```

## Use instead
The page's new address, or an archived copy.
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.site.index import Site


def check(site: Site) -> Iterator[Diagnostic]:
    results = site.external
    if not results:
        return
    for page in site.semantic.checked_links:
        for target in page.targets:
            if target.kind != "external":
                continue
            result = results.get(target.url)
            if result is None or result.status != "broken":
                continue
            code = f" ({result.code})" if result.code else ""
            detail = f": {result.detail}" if result.detail else ""
            yield RULE.at(
                page.path, target.link.position, f"`{target.url}` is broken{code}{detail}"
            )


RULE = rule("BC306", "broken-external-link", Severity.ERROR, __doc__)(check)
