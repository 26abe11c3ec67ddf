"""Link or fragment that depends on Liquid, or on a plugin, that cannot be resolved statically.

## What it does
Notes links whose target is built by Liquid that only a full Jekyll render can evaluate (`{{
page.url }}`, `{{ site.data.x }}`, loops, includes). They are not checked. Links using `{{
site.url }}`, `{{ site.baseurl }}`, a top-level string of `_config.yml` (`{{ site.repository
}}`), `relative_url`/`absolute_url` on a string, `{% link %}` and `{% post_url %}` are
resolved exactly as Jekyll does and checked normally. Also notes a
`#fragment` that names no id of its page when the page, its layouts or includes write ids with
Liquid that cannot be evaluated (`id="{{ page.ancre }}"`, a filter not modelled): the id may be
written there. And a link to a folder of the sources that no page fills (`/actualites/`, which
holds only `_posts`) on a site whose own plugins generate pages (`_plugins/*.rb` with a
`Generator`): betacontent does not run them. And a `_data/` value that a template reading that
data file puts into a link after other Liquid (`href="/{{ page.lang }}{{ link.url }}"`): the
end of a URL only the render completes. Ids written by loops over `site.COLLECTION` or
`site.data.NAME`, and heading ids of Markdown such loops output through `markdownify`, are
evaluated and checked (BC302). Info only, never an error, and off by default (a site that
builds pages from loops has thousands of them): `extend-select = ["BC310"]` lists them.

## Why is this bad?
It is not bad; it says which links the linter could not verify.

## Example
```markdown
[Dernier article]({{ site.posts.first.url }})
```

## Use instead
If the target is fixed, write it: `[Dernier article](/actualites/2024/bilan)`, or use
`{% link _posts/2024-01-10-bilan.md %}`. For a fragment, an id the template writes from front
matter or data that betacontent evaluates: `<h2 id="{{ phase.slug }}">` in
`{% for phase in site.phases %}`.
"""

from __future__ import annotations

from collections.abc import Iterator

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.rules.base import rule
from betacontent.lint.rules.fixing import link_end
from betacontent.site.index import Site


def _listed(paths: tuple[str, ...]) -> str:
    return ", ".join(f"`{path}`" for path in paths)


def check(site: Site) -> Iterator[Diagnostic]:
    for page in site.semantic.checked_links:
        for target in page.targets:
            if target.kind == "liquid":
                yield RULE.at(
                    page.path,
                    target.link.position,
                    f"`{target.url}` is built by Liquid and cannot be checked statically",
                    end=link_end(target.link),
                )
            elif target.kind == "completed":
                yield RULE.at(
                    page.path,
                    target.link.position,
                    f"`{target.url}` is the end of a URL that Liquid in `{target.problem}` "
                    "completes (other Liquid comes before it in the link): not checked",
                    end=link_end(target.link),
                )
            elif target.kind == "plugin":
                yield RULE.at(
                    page.path,
                    target.link.position,
                    f"`{target.url}` names a folder of the sources that no page fills; the "
                    f"site's plugins ({_listed(site.generators)}) may write it: not checked",
                    end=link_end(target.link),
                )
    for miss in site.semantic.fragment_misses:
        if not miss.liquid:
            continue  # BC302's
        where = "this page" if miss.holder is miss.target.entry else miss.holder.rel
        yield RULE.at(
            miss.page.path,
            miss.target.link.position,
            f"`#{miss.target.fragment}` names no id found in {where}; it may be written by "
            f"Liquid in {_listed(miss.liquid)}",
            end=link_end(miss.target.link),
        )


RULE = rule("BC310", "unresolved-liquid", Severity.INFO, __doc__, default=False)(check)
