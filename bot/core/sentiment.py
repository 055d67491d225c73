"""Message sentiment with VADER: a lexicon model tuned on social-media text, fast enough to run on
every message (tens of microseconds) and needing no training. Its compound score runs from -1
(very negative) to +1.

VADER scores error reports as negative ("my export failed" is -0.51), so the frustration trigger
treats sentiment as one cue among several, never as the signal on its own.
"""

from __future__ import annotations

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


class SentimentAnalyzer:
    def __init__(self) -> None:
        self._vader = SentimentIntensityAnalyzer()

    def score(self, text: str) -> float:
        """The compound score of the first 2,000 characters (enough for sentiment, bounded cost)."""
        return round(float(self._vader.polarity_scores(text[:2000])["compound"]), 4)
