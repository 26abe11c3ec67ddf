"""The linter: rules, suppressions, fixes, reporters, the external link checker."""
