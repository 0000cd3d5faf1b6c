"""What editors write, read and checked: sources, site.yaml, articles, the library."""
