"""Fine-tuning. Imported by `supportbot train` and benchmarks only, never by the serving bot."""

from models.training.config import TrainConfig
from models.training.pipeline import TrainResult, train_model

__all__ = ["TrainConfig", "TrainResult", "train_model"]
