"""lambdad's runtime interface client for Python functions (see ../README.md)."""
