"""The stand-in `thunder` CLI used by the extension's tests (see ../README.md)."""
