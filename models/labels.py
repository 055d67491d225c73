"""Label conventions shared by data loaders, training and serving."""

OUT_OF_SCOPE = "out_of_scope"

# Spellings that helpdesk exports and public data sets use for "not one of our intents".
OUT_OF_SCOPE_ALIASES = frozenset({"out_of_scope", "oos", "out-of-scope", "outofscope", "none_of_the_above"})


def normalise_label(raw: str) -> str:
    """Map any out-of-scope spelling to OUT_OF_SCOPE and strip whitespace from the rest."""
    label = raw.strip()
    return OUT_OF_SCOPE if label.lower() in OUT_OF_SCOPE_ALIASES else label
