"""Turning the library into pages: Markdown, views, templates, feeds and sitemaps."""
