"""Every rule, by code. Rules are listed here explicitly, in code order: no discovery magic."""

from __future__ import annotations

from importlib import import_module

from betacontent.lint.rules.base import Rule

MODULES = (
    "bc001_unused_suppression",
    "bc100_unreadable_file",
    "bc101_yaml_syntax",
    "bc102_duplicate_key",
    "bc103_unclosed_front_matter",
    "bc104_missing_required_key",
    "bc105_wrong_type",
    "bc106_unknown_key",
    "bc107_unknown_layout",
    "bc108_unknown_include",
    "bc109_front_matter_not_read",
    "bc110_malformed_permalink",
    "bc111_duplicate_output",
    "bc112_over_limit",
    "bc113_symlink_outside_site",
    "bc114_invalid_date",
    "bc115_broken_reference",
    "bc201_breadcrumbs_shape",
    "bc202_first_crumb_not_home",
    "bc203_last_crumb_not_self",
    "bc204_crumb_link_broken",
    "bc205_crumb_title_mismatch",
    "bc206_trail_inconsistent",
    "bc207_crumb_via_fallback",
    "bc301_broken_link",
    "bc302_broken_fragment",
    "bc303_missing_asset",
    "bc304_own_domain_url",
    "bc305_link_via_fallback",
    "bc306_broken_external",
    "bc307_unsafe_content",
    "bc308_malformed_link",
    "bc309_broken_data_target",
    "bc310_unresolved_liquid",
    "bc311_duplicate_heading_id",
)

RULES: dict[str, Rule] = {
    rule.code: rule for rule in (import_module(f"{__name__}.{name}").RULE for name in MODULES)
}

__all__ = ["RULES", "Rule"]
