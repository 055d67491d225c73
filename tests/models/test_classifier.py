import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from models.labels import OUT_OF_SCOPE
from models.training import TrainResult

ODD_INPUTS = {
    "empty": "",
    "whitespace": " \t\n  ",
    "forty_kb": "my invoice is wrong " * 2048,
    "non_english": "Wie kann ich mein Passwort zurücksetzen? 我忘记了密码",
    "emoji": "😡😡😡 🔥🔥",
    "control": "\x00\x01\x02reset\x07 my\x1b[31m password\u200b\ufeff",
    "rtl": "\u202eesrever",
}


@pytest.mark.parametrize("name", sorted(ODD_INPUTS))
def test_odd_inputs_get_a_prediction_not_an_exception(tiny_model: TrainResult, name: str) -> None:
    prediction = tiny_model.classifier.classify(ODD_INPUTS[name])
    assert 0.0 <= prediction.confidence <= 1.0
    assert len(prediction.alternatives) == 3
    assert prediction.text == ODD_INPUTS[name]


def test_empty_text_is_out_of_scope(tiny_model: TrainResult) -> None:
    for text in ("", "   ", "\x00\x01"):
        prediction = tiny_model.classifier.classify(text)
        assert prediction.out_of_scope and prediction.intent == OUT_OF_SCOPE


def test_batched_and_single_calls_agree(tiny_model: TrainResult) -> None:
    texts = ["reset my password", "copy of my invoice please", "hello there", "best pizza recipe"] * 5
    batched = tiny_model.classifier.classify_many(texts)
    single = [tiny_model.classifier.classify(t) for t in texts]
    for a, b in zip(batched, single, strict=True):
        assert a.intent == b.intent
        assert a.confidence == pytest.approx(b.confidence, abs=1e-3)


def test_concurrent_threads_and_tasks_get_consistent_answers(tiny_model: TrainResult) -> None:
    classifier = tiny_model.classifier
    texts = ["reset my password", "copy of my invoice", "hello there", "tell me a joke"] * 10
    expected = [p.intent for p in classifier.classify_many(texts)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda t: classifier.classify(t).intent, texts))
    assert threaded == expected

    async def gather() -> list[str]:
        results = await asyncio.gather(*(classifier.aclassify(t) for t in texts))
        return [r.intent for r in results]

    assert asyncio.run(gather()) == expected


def test_no_texts_gives_no_predictions(tiny_model: TrainResult) -> None:
    assert tiny_model.classifier.classify_many([]) == []
