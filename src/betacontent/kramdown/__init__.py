"""Text in, facts out: Markdown read the way kramdown reads it, Liquid in the text."""
