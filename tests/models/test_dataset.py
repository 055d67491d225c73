from pathlib import Path

import pytest

from models.dataset import load_csv, load_data, load_intents_yaml, require_examples_per_label
from models.errors import DataFileError
from models.labels import OUT_OF_SCOPE

GOOD = """\
version: 1
intents:
  password_reset:
    description: Forgot password.
    tier: auto
    examples:
      - "forgot my password"
      - "reset link please"
  greeting:
    examples: ["hi", "hello"]
out_of_scope:
  examples:
    - "what's the weather"
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_loads_intents_tiers_and_out_of_scope(tmp_path: Path) -> None:
    data = load_intents_yaml(write(tmp_path, "i.yaml", GOOD))
    assert data.labels == ["greeting", "password_reset"]
    assert data.intents["password_reset"].tier == "auto"
    assert data.has_out_of_scope
    assert [e.line for e in data.examples if e.label == "password_reset"] == [7, 8]
    assert data.content_hash() == load_intents_yaml(write(tmp_path, "j.yaml", GOOD)).content_hash()


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ('intents:\n  a:\n    examples: ["x"\n', None, "not valid YAML"),
        ("intents:\n  a:\n    exmples: [x]\n", 3, "unknown key 'exmples'"),
        ("intents:\n  a:\n    tier: sometimes\n    examples: [x]\n", 3, "tier 'sometimes'"),
        ("intents:\n  a:\n    examples: []\n", 3, "non-empty list"),
        ('intents:\n  a:\n    examples: ["  "]\n', 3, "empty example"),
        ("intents:\n  Bad Name:\n    examples: [x]\n", 2, "lower_snake_case"),
        ("intents:\n  a:\n    examples: [same]\n  b:\n    examples: [same]\n", 5, "labelled 'b' here and 'a' on line 3"),
        ("", None, "empty"),
        ("intents: [1, 2]\n", 1, "must be a mapping"),
    ],
)
def test_malformed_yaml_names_file_and_line(tmp_path: Path, text: str, line: int | None, fragment: str) -> None:
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(DataFileError) as caught:
        load_intents_yaml(path)
    assert fragment in str(caught.value)
    assert str(path) in str(caught.value)
    if line is not None:
        assert caught.value.line == line


def test_csv_with_custom_columns_and_oos_aliases(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", 'body,tag\nforgot password,password_reset\n"hi, there",greeting\nweather?,oos\n')
    data = load_data(path, text_column="body", label_column="tag")
    assert [e.label for e in data.examples] == ["password_reset", "greeting", OUT_OF_SCOPE]
    assert data.examples[1].text == "hi, there"


@pytest.mark.parametrize(
    ("text", "kwargs", "line", "fragment"),
    [
        ("text,label\nhi,\n", {}, 2, "empty label"),
        ("text,label\n,greeting\n", {}, 2, "empty text"),
        ("message,intent\nhi,greeting\n", {}, 1, "no text column 'text'; the file's columns are: 'message', 'intent'"),
        ("text,label\nhi,greeting\n", {"label_column": "tag"}, 1, "no label column 'tag'"),
        ("text,label\n", {}, None, "no rows"),
    ],
)
def test_malformed_csv_names_file_and_line(
    tmp_path: Path, text: str, kwargs: dict[str, str], line: int | None, fragment: str
) -> None:
    path = write(tmp_path, "bad.csv", text)
    with pytest.raises(DataFileError) as caught:
        load_csv(path, **kwargs)
    assert fragment in str(caught.value)
    assert caught.value.line == line


def test_a_label_with_one_example_is_refused_for_training(tmp_path: Path) -> None:
    path = write(tmp_path, "one.csv", "text,label\na,x\nb,x\nc,lonely\n")
    data = load_csv(path)
    with pytest.raises(DataFileError) as caught:
        require_examples_per_label(data, 2)
    assert "label 'lonely' has 1 example(s)" in str(caught.value)
    assert caught.value.line == 4


def test_unknown_file_type_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"unknown file type '\.txt'"):
        load_data(write(tmp_path, "x.txt", "hi"))
    with pytest.raises(DataFileError, match="no such file"):
        load_data(tmp_path / "nope.csv")
