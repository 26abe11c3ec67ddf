"""The Jekyll site model: sources, front matter, parsing, the site index and its facts."""
