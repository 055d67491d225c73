"""Intent classification: the fine-tuned encoder, its calibration and out-of-scope detection.

Serving code imports `models.classifier`; training lives in `models.training` and is never
imported by the running bot.
"""

from models.labels import OUT_OF_SCOPE

__all__ = ["OUT_OF_SCOPE"]
