"""reindustry-kb: a bilingual (Traditional Chinese + English) knowledge base of policy documents."""

__version__ = "0.12.9"
