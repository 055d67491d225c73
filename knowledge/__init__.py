"""The knowledge base: articles, their hybrid search index, the resolver and the knowledge-gap loop.

Platform-free like `models`; the bot reaches it through `Resolver` and the `supportbot kb` commands.
"""

from pathlib import Path

BUNDLED_ARTICLES = Path(__file__).resolve().parent / "articles"
