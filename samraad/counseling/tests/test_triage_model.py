"""Triage with its model: the blind test split, the six kinds of message the rules used to miss,
the level of a whole conversation, and the model file shipped in the repository."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from samraad.counseling import triage, triage_model
from samraad.counseling.triage import LEVELS, Assessment, score_conversation, score_message
from samraad.counseling.triage_corpus import DATA_DIR, SPLITS, figures, read_tsv, split

ROOT = Path(__file__).resolve().parents[3]


# --- the corpus ----------------------------------------------------------------------------------


def test_the_corpus_is_large_has_every_category_and_keeps_its_splits_apart():
    rows = {name: split(name) for name in SPLITS}
    texts = {name: {example.text.casefold().strip() for example in examples} for name, examples in rows.items()}
    everything = [example for examples in rows.values() for example in examples]

    assert len(everything) >= 3000
    assert not texts["test"] & (texts["train"] | texts["dev"]), "a blind message was also trained on"
    assert not texts["dev"] & texts["train"]
    risk_categories = {example.category for example in everything if example.level != "normal"}
    assert {"suicide", "overdose", "self_harm", "medical", "sexual_abuse", "violence", "grooming"} <= risk_categories
    assert {"image_abuse", "homeless", "eating_disorder", "bullying", "substance", "hopelessness"} <= risk_categories
    assert "friend_at_risk" in risk_categories
    hard_negatives = {example.category for example in everything if example.level == "normal"}
    assert {"idiom", "game", "media", "school", "news", "joke"} <= hard_negatives
    for name in SPLITS:
        assert {example.level for example in rows[name]} == set(LEVELS)


def test_the_reader_takes_two_and_three_columns_and_names_a_bad_line(tmp_path):
    path = tmp_path / "mixed.tsv"
    path.write_text("critical\tjeg vil tage mit liv\n\nnormal\tidiom\tjeg dør af grin\n", encoding="utf-8")
    bad = tmp_path / "bad.tsv"
    bad.write_text("critcal\thej\n", encoding="utf-8")

    examples = read_tsv(path)

    assert [(e.level, e.category, e.text) for e in examples] == [
        ("critical", "", "jeg vil tage mit liv"),
        ("normal", "idiom", "jeg dør af grin"),
    ]
    with pytest.raises(ValueError, match="bad.tsv:1"):
        read_tsv(bad)


def test_figures_count_recall_and_false_alarms():
    pairs = [
        ("critical", "critical"),
        ("critical", "elevated"),
        ("elevated", "normal"),
        ("normal", "critical"),
        ("normal", "elevated"),
        ("normal", "normal"),
        ("normal", "normal"),
    ]

    assert figures(pairs) == {
        "critical_recall": 0.5,
        "risk_recall": 0.6667,
        "normal_to_critical": 0.25,
        "normal_flagged": 0.5,
        "n": 7,
    }


# --- the blind test split ------------------------------------------------------------------------


def blind_figures() -> dict[str, float | int]:
    return figures((example.level, score_message(example.text).level) for example in split("test"))


@pytest.mark.xfail(
    strict=True,
    reason="the blind split measured critical recall 0.959, risk recall 0.940, 7.8 % of normal messages "
    "critical and 17.9 % flagged (docs/triage.md, Figures): below the issue's targets. The split is never "
    "tuned against, so this stays an expected failure until the method generalises better",
)
def test_the_blind_split_meets_the_issue_targets():
    result = blind_figures()

    assert result["critical_recall"] >= 0.97
    assert result["risk_recall"] >= 0.95
    assert result["normal_to_critical"] <= 0.05
    assert result["normal_flagged"] <= 0.15


def test_the_blind_split_does_not_fall_below_the_figures_last_measured():
    # A floor a little under the figures in docs/triage.md: a change that loses recall or adds
    # false alarms on the blind split fails here.
    result = blind_figures()

    assert result["n"] == 698
    assert result["critical_recall"] >= 0.95
    assert result["risk_recall"] >= 0.93
    assert result["normal_to_critical"] <= 0.085
    assert result["normal_flagged"] <= 0.19


def test_the_eval_command_prints_one_json_line_with_the_agreed_keys():
    done = subprocess.run(  # noqa: S603 - a fixed argument list and our own interpreter
        [sys.executable, str(ROOT / "bench" / "triage_eval.py"), str(DATA_DIR / "test.tsv")],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=True,
        text=True,
    )

    (line,) = done.stdout.splitlines()
    result = json.loads(line)
    assert set(result) == {"critical_recall", "risk_recall", "normal_to_critical", "normal_flagged", "n"}
    assert result == blind_figures()


# --- the six kinds of message that used to be missed ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # 1. a place of danger, now, without a word of death
        "sidder ude på kanten af taget på p-huset og kigger ned",
        "jeg står på broen over motorvejen og holder fast i gelænderet",
        "er nede ved skinnerne bag stationen, kan høre toget",
        # 2. a means at hand and an everyday verb aimed at oneself
        "har taget min fars kniv med ind på værelset og vil bruge den på mig selv",
        "jeg har samlet piller hele måneden og i aften tager jeg dem alle",
        # 3. an explicit intent to end one's life
        "jeg vil tage mit liv",
        "jeg tager mit liv",
        "jeg vil slå mig selv ihjel",
        "jeg vil gøre en ende på det hele",
        "selvmord er den eneste udvej",
        # 4. a decision or finality with a wish to disappear
        "jeg har besluttet mig, jeg vil bare forsvinde",
        "vil forsvinde for altid",
        "det er slut i morgen, jeg vil bare væk",
        # 5. ongoing sexual coercion, a threat to do it again, violence happening now
        "han tvinger mig til sex hver gang vi er alene",
        "min onkel siger han gør det igen og han kommer på lørdag, han rører ved mig hver gang",
        "han har hænderne om min hals lige nu",
        # 6. a medical emergency
        "blødningen vil ikke stoppe og jeg er helt svimmel",
        "jeg har ikke spist i fem dage og besvimede lige i skolen",
    ],
)
def test_the_kinds_of_acute_danger_once_missed_are_critical(text):
    assessment = score_message(text)

    assert assessment.level == "critical", assessment
    assert assessment.reasons


@pytest.mark.parametrize(
    "text",
    [
        "jeg tænker på at tage mit liv men jeg har ingen plan",
        "ville ønske jeg ikke var her",
        "jeg vil bare sove og aldrig vågne",
        "jeg har prøvet at tage mit liv for to år siden",
    ],
)
def test_thoughts_and_passive_wishes_are_elevated_not_critical(text):
    assert score_message(text).level == "elevated"


@pytest.mark.parametrize(
    "text",
    [
        "vi står på broen og fisker",
        "jeg har besluttet mig for at gå på efterskole",
        "i morgen er det slut med sommerferien",
        "jeg står ved kanten af poolen og tør ikke hoppe i",
        "jeg dør af grin",
        "jeg døde i fortnite",
    ],
)
def test_the_same_words_in_ordinary_life_are_not_critical(text):
    assert score_message(text).level != "critical"


def test_a_reason_names_the_model_when_the_model_alone_raises_the_level(monkeypatch):
    model = triage_model.default_model()
    assert model is not None
    text = "hjælp mig nu, det går helt galt, jeg er så bange"
    rules = triage.score_rules(text)
    # Every message reaches thresholds of zero.
    monkeypatch.setattr(model, "thresholds", {"critical": 0.0, "elevated": 0.0})

    assessment = score_message(text)

    assert rules.level != "critical"
    assert assessment.level == "critical"
    assert assessment.reasons[0].startswith("modellen: mulig akut fare")
    assert 0.75 <= assessment.score <= 1.0


# --- the conversation ------------------------------------------------------------------------------


def test_a_place_in_one_message_and_intent_in_the_one_before_make_the_conversation_critical():
    messages = ["jeg har besluttet at i nat gør jeg det", "står på broen"]

    assert score_conversation(messages).level == "critical"
    assert score_conversation(["jeg orker ikke mere", "jeg er ude ved togskinnerne"]).level == "critical"


def test_a_conversation_never_falls_below_its_floor():
    calm = ["tak fordi du skriver", "okay"]

    assessment = score_conversation(calm, floor="critical")

    assert assessment.level == "critical"
    assert 0.75 <= assessment.score <= 1.0
    assert score_conversation(calm, floor="elevated").level == "elevated"
    assert score_conversation(calm).level == "normal"
    assert score_conversation(calm, floor="bogus").level == "normal"


def test_a_conversation_rises_above_its_floor_and_keeps_the_most_urgent_reading():
    messages = ["hej", "jeg har det skidt", "jeg har taget alle mine piller"]

    assessment = score_conversation(messages, floor="elevated")

    assert assessment.level == "critical"
    assert "overdosis" in assessment.reasons


def test_a_conversation_reads_only_its_latest_messages_and_any_input():
    old_plan = ["jeg har pillerne klar og i nat tager jeg dem alle"]
    later = ["hej"] * triage.CONVERSATION_WINDOW

    assert score_conversation(old_plan + later).level == "normal"
    assert score_conversation(old_plan + later, floor="critical").level == "critical"
    assert score_conversation([]) == Assessment("normal", 0.0)
    assert score_conversation(["", "   ", None, 3]).level in LEVELS  # type: ignore[list-item]


# --- the model file ------------------------------------------------------------------------------


def test_the_model_file_loads_from_the_package_with_the_network_blocked(monkeypatch):
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("triage tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    triage_model.default_model.cache_clear()
    try:
        model = triage_model.default_model()
        assert model is not None
        assert model.levels == LEVELS
        prediction = model.predict("jeg vil tage mit liv i nat, jeg har pillerne klar")
        assert prediction.probabilities["critical"] > prediction.probabilities["normal"]
        assert abs(sum(prediction.probabilities.values()) - 1.0) < 1e-9
        assert score_message("jeg vil tage mit liv").level == "critical"
    finally:
        triage_model.default_model.cache_clear()


def test_the_model_file_is_part_of_the_repository_and_small():
    path = triage_model.MODEL_PATH
    tracked = subprocess.run(  # noqa: S603 - a fixed argument list
        ["git", "ls-files", "--error-unmatch", str(path.relative_to(ROOT))],  # noqa: S607 - git on PATH
        cwd=ROOT,
        capture_output=True,
        timeout=30,
    )

    assert path.is_file()
    assert tracked.returncode == 0, "the model must be committed, so a fresh clone scores without training"
    assert path.stat().st_size < 8_000_000


def test_the_exported_model_scores_as_scikit_learn_does():
    pytest.importorskip("sklearn")
    from samraad.counseling.triage_training import Fitted

    examples = split("train")[::4]
    fitted = Fitted(examples)
    exported = triage_model.TriageModel(fitted.export({"critical": 0.5, "elevated": 0.5}, {}))
    texts = [example.text for example in split("dev")[:60]] + ["", "🙂", "x" * 50]
    expected = fitted.probabilities(texts)

    for text, row in zip(texts, expected, strict=True):
        mine = exported.predict(text).probabilities
        assert max(abs(mine[level] - float(row[index])) for index, level in enumerate(LEVELS)) < 1e-4


def test_without_a_model_file_the_rules_score_alone(monkeypatch, tmp_path):
    monkeypatch.setattr(triage_model, "MODEL_PATH", tmp_path / "missing.json")
    triage_model.default_model.cache_clear()
    try:
        assert triage_model.default_model() is None
        assert score_message("jeg har taget alle mine piller") == triage.score_rules("jeg har taget alle mine piller")
    finally:
        triage_model.default_model.cache_clear()
