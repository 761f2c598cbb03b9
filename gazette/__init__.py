"""gazette: 整改情况公示 from YAML to DOCX, PDF/A and a static site."""

__version__ = "0.1.0"
