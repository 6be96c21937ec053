"""I/O at the edges: files, YAML, HTTP, rendering. Imports the core and errors, never the CLI."""
