"""Risk triage of Danish messages: the pure scorer, its labelled set, and `manage.py triage`.

`pytest samraad/counseling/tests/test_triage.py -q -s -k figures` prints the recall/precision
table that docs/triage.md quotes, for the whole labelled set and for its held-out part.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from samraad.counseling import triage, triage_model
from samraad.counseling.triage import LEVELS, Assessment, max_level, score_message

DATA = Path(__file__).parent / "data" / "triage_da.jsonl"
ROOT = Path(__file__).resolve().parents[3]


def labelled() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def held_out(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows whose index is divisible by 4: written before the rules, never looked at while tuning."""
    return [row for index, row in enumerate(rows) if index % 4 == 0]


def tuning(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [row for index, row in enumerate(rows) if index % 4 != 0]


def figures(rows: list[dict[str, str]]) -> dict[str, dict[str, float]]:
    """Recall and precision per level, and how many normal messages were scored critical."""
    scored = [(row["level"], score_message(row["text"]).level) for row in rows]
    out: dict[str, dict[str, float]] = {}
    for level in LEVELS:
        labelled_as = sum(1 for gold, _ in scored if gold == level)
        scored_as = sum(1 for _, got in scored if got == level)
        right = sum(1 for gold, got in scored if gold == got == level)
        out[level] = {
            "n": labelled_as,
            "recall": right / labelled_as if labelled_as else 0.0,
            "precision": right / scored_as if scored_as else 0.0,
        }
    normal = [got for gold, got in scored if gold == "normal"]
    out["normal_as_critical"] = {"rate": normal.count("critical") / len(normal)}
    return out


def markdown_table(name: str, result: dict[str, dict[str, float]]) -> str:
    lines = [f"| {name} | n | recall | precision |", "| --- | ---: | ---: | ---: |"]
    for level in reversed(LEVELS):
        row = result[level]
        lines.append(f"| {level} | {row['n']:.0f} | {row['recall']:.3f} | {row['precision']:.3f} |")
    lines.append(f"| normal scored critical | | {result['normal_as_critical']['rate']:.3f} | |")
    return "\n".join(lines)


# --- the labelled set --------------------------------------------------------------------------


def test_labelled_set_is_large_and_balanced_as_agreed():
    rows = labelled()

    counts = {level: sum(1 for row in rows if row["level"] == level) for level in LEVELS}

    assert len(rows) >= 200
    assert counts["critical"] >= 60
    assert counts["elevated"] >= 60
    assert counts["normal"] >= 80
    assert all(set(row) == {"text", "level"} and row["text"].strip() for row in rows)
    assert len({row["text"] for row in rows}) == len(rows), "no message twice"


def test_figures_meet_the_targets_on_the_whole_set():
    rows = labelled()

    whole = figures(rows)
    print()
    print(markdown_table("whole set", whole))
    print()
    print(markdown_table("held-out (index % 4 == 0)", figures(held_out(rows))))
    print()
    print(markdown_table("tuning (the rest)", figures(tuning(rows))))

    assert whole["critical"]["recall"] >= 0.95
    assert whole["normal_as_critical"]["rate"] <= 0.05
    assert whole["elevated"]["recall"] >= 0.85
    assert whole["elevated"]["precision"] >= 0.85


# --- the API ------------------------------------------------------------------------------------


def test_levels_are_ordered_and_max_level_picks_the_more_urgent():
    assert LEVELS == ("normal", "elevated", "critical")
    assert max_level("normal", "critical") == "critical"
    assert max_level("elevated", "normal") == "elevated"
    assert max_level("critical", "elevated") == "critical"
    assert max_level("normal", "normal") == "normal"
    assert max_level("bogus", "elevated") == "elevated"


def test_assessment_is_a_frozen_record_with_reasons_and_category_keys():
    assessment = score_message("jeg har taget alle mine piller")

    assert isinstance(assessment, Assessment)
    assert assessment.level == "critical"
    assert 0.0 <= assessment.score <= 1.0
    assert assessment.reasons == ("overdosis",)
    assert assessment.categories == ("overdose",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        assessment.level = "normal"  # type: ignore[misc]


def test_an_empty_message_is_normal_with_no_score_and_no_reasons():
    for text in ("", "   ", "\n", "🙂🙂", "..."):
        assert score_message(text) == Assessment("normal", 0.0, (), ())


def test_the_scorer_imports_nothing_from_django_and_no_learning_library():
    # The rules and the exported model are pure Python: the scorer's only project import is the
    # model's scorer, and importing it loads neither Django nor scikit-learn (start-up time).
    for module in (triage, triage_model):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert not [name for name in imported if name.startswith("django")]
        assert {name for name in imported if name.startswith("samraad")} <= {
            "samraad.counseling",
            "samraad.counseling.triage_model",
        }
    code = (
        "import sys; import samraad.counseling.triage as t; t.score_message('jeg vil tage mit liv'); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'sklearn', 'numpy', 'scipy'}))"
    )
    done = subprocess.run(  # noqa: S603 - a fixed argument list and our own interpreter
        [sys.executable, "-c", code], capture_output=True, cwd=ROOT, timeout=60, check=True, text=True
    )
    assert done.stdout.strip() == "[]"


def test_scores_order_the_levels():
    normal = score_message("hej er der nogen?")
    elevated = score_message("jeg har selvmordstanker")
    critical = score_message("jeg har skrevet mit afskedsbrev og tager pillerne i nat")

    assert normal.score < 0.35 <= elevated.score < 0.75 <= critical.score <= 1.0


# --- the categories, one acute message each ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("jeg står på broen nu og vil springe", "suicide"),
        ("har købt et reb og i nat gør jeg det", "suicide"),
        ("tog 25 panodil for en halv time siden", "overdose"),
        ("har 30 sovepiller her og tager dem nu", "suicide"),
        ("jeg skærer i armen lige nu og det bløder helt vildt", "self_harm"),
        ("min stedfar kommer ind på mit værelse i nat igen", "sexual_abuse"),
        ("min far tæsker mig lige nu, jeg har låst mig inde", "violence"),
        ("han deler mine nøgenbilleder hvis jeg ikke sender penge", "grooming"),
        ("jeg er blevet smidt ud og har ingen steder at sove i nat", "homeless"),
    ],
)
def test_acute_danger_to_the_writer_is_critical(text, category):
    assessment = score_message(text)

    assert assessment.level == "critical"
    assert category in assessment.categories
    assert assessment.reasons


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("nogle gange vil jeg bare ikke være her", "suicide"),
        ("jeg har cuttet før", "self_harm"),
        ("min onkel rørte ved mig da jeg var lille", "sexual_abuse"),
        ("min far slog mig da jeg var yngre", "violence"),
        ("jeg kaster op efter hvert måltid", "eating_disorder"),
        ("jeg bliver mobbet hver dag", "bullying"),
        ("min mor drikker hver aften", "substance"),
        ("min veninde cutter og jeg er bange for hende", "friend_at_risk"),
        ("en voksen mand skriver til mig og vil have billeder", "grooming"),
    ],
)
def test_serious_but_not_acute_is_elevated(text, category):
    assessment = score_message(text)

    assert assessment.level == "elevated"
    assert category in assessment.categories


def test_a_friend_in_acute_danger_is_elevated_for_the_writer():
    # Critical is reserved for danger to the writer; a friend at risk is flagged, not ranked first.
    assessment = score_message("min veninde siger hun vil tage sit liv")

    assert assessment.level == "elevated"
    assert assessment.categories == ("friend_at_risk",)


# --- how young people write --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "jeg vil ikke dø, jeg er bare træt",
        "jeg har aldrig skåret mig",
        "jeg har ingen selvmordstanker",
        "jeg er ikke suicidal, bare stresset",
        "jeg har ikke lyst til at dø eller noget",
        "jeg skærer ikke i mig selv",
    ],
)
def test_negation_cancels_the_risk_word(text):
    # The rules' negation; the model reads n-grams and can still flag a negated risk word as
    # elevated ("jeg har ingen selvmordstanker"), a known weakness noted in docs/triage.md.
    assert triage.score_rules(text).level == "normal"
    assert score_message(text).level != "critical"


def test_negation_is_scoped_to_its_clause():
    assert score_message("jeg vil ikke dø, men jeg har taget alle mine piller").level == "critical"
    assert score_message("jeg ved ikke hvorfor jeg cutter").level == "elevated"
    assert score_message("jeg kan ikke stoppe med at skære i mig selv").level != "normal"


def test_negated_self_harm_with_a_duration_is_a_history_of_self_harm():
    assert score_message("har ikke cuttet i tre uger").level == "elevated"


@pytest.mark.parametrize(
    "text",
    [
        "jeg dør af grin",
        "min mor slår mig ihjel hvis jeg kommer for sent",
        "jeg skar mig på et papir",
        "jeg døde i fortnite",
        "jeg dræbte ham i cod",
        "det var sygt",
        "dræbende kedeligt",
        "jeg skyder mig selv i foden",
        "min kæreste slog op med mig",
        "jeg er helt død efter træning",
        "vi så en film om selvmord i dansk",
        "min far slår græsset hver søndag",
        "min lillebror slog mig med en pude haha",
        "hun er så cute",
        "vi sidder på broen og spiser is",
    ],
)
def test_idioms_are_not_risk(text):
    assert score_message(text).level == "normal"


def test_capitals_do_not_matter():
    assert score_message("JEG HAR TAGET ALLE MINE PILLER").level == "critical"
    assert score_message("Jeg Vil Ikke Leve Mere").level == "elevated"


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("jeg vil doe i aften, har pillerne klar", "critical"),
        ("min far slaar mig lige nu", "critical"),
        ("har skaaret i mig selv", "elevated"),
        ("jeg vil do", "elevated"),
        ("taenker tit paa selvmord", "elevated"),
        ("ingen steder at sove i nat, det er saa koldt", "critical"),
    ],
)
def test_missing_danish_letters_are_understood(text, level):
    assert score_message(text).level == level


def test_repeated_letters_are_collapsed():
    assert score_message("jeg vil doooooo").level == "elevated"
    assert score_message("jeg cutterrrr lige nuuuu").level == "critical"
    assert score_message("hjææææælp min far slåååår mig lige nu").level == "critical"


@pytest.mark.parametrize(
    "text",
    [
        "jeg cutter",
        "gider ikke leve",
        "jeg vil dø",
        "har sh ar på armen",
        "jeg har selvmordstanker",
        "har lyst til at skære mig",
        "kms",
    ],
)
def test_slang_is_understood(text):
    assert score_message(text).level == "elevated"


def test_reasons_are_short_danish_labels():
    assessment = score_message("jeg står på broen nu, det her er farvel")

    assert assessment.reasons == ("selvmord: plan, middel eller tidspunkt nævnt",)


# --- any input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01\x02\x1b[31m\x7f",
        "\ud800 halv surrogat \udfff",
        "".join(chr(plane * 0x10000 + 0x41) for plane in range(17)),
        "\u0301" * 500,
        "jeg har det fint. " * 6000,
        "selvmord " * 12000,
        "🙂" * 50_000,
    ],
)
def test_any_input_gives_a_result(text):
    assessment = score_message(text)

    assert assessment.level in LEVELS
    assert 0.0 <= assessment.score <= 1.0
    assert "error" not in assessment.categories


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text):
    assessment = score_message(text)

    assert assessment.level in LEVELS
    assert 0.0 <= assessment.score <= 1.0
    assert "error" not in assessment.categories


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["jeg", "ikke", "vil", "dø", "i", "aften", "piller", "nu", "mig", ".", "har"])))
def test_danish_word_salad_never_raises(words):
    assert "error" not in score_message(" ".join(words)).categories


# --- the command -------------------------------------------------------------------------------


def run_command(text: str) -> list[str]:
    out = StringIO()
    call_command("triage", stdin=StringIO(text), stdout=out)
    return out.getvalue().splitlines()


def test_command_writes_one_json_object_per_input_line():
    lines = run_command("jeg har taget alle mine piller\n\nhej\nkan ikke mere\n")

    results = [json.loads(line) for line in lines]

    assert len(results) == 4
    assert all(set(result) == {"level", "score", "reasons"} for result in results)
    assert [result["level"] for result in results] == ["critical", "normal", "normal", "elevated"]
    assert results[0]["reasons"] == ["overdosis"]
    assert results[1] == {"level": "normal", "score": 0.0, "reasons": []}
    assert all(isinstance(result["score"], float) and 0 <= result["score"] <= 1 for result in results)


def test_command_keeps_danish_letters_unescaped():
    (line,) = run_command("jeg hader mig selv\n")

    assert "håbløshed" in line
    assert "\\u" not in line


def test_command_handles_unicode_and_very_long_lines_without_a_missing_line():
    messages = ["🙂" * 10, "מה קורה", "\u200b\u202e", "日本語", "x" * 100_000, "\ud83d", "jeg vil dø i aften"]

    lines = run_command("\n".join(messages))

    assert len(lines) == len(messages)
    assert json.loads(lines[-1])["level"] == "critical"


def test_command_reads_utf8_from_a_real_pipe_whatever_the_locale():
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": ""}
    stdin = b"jeg hader mig selv\n" + b"\xff\xfe ugyldige bytes\n" + "står på broen nu\n".encode()

    done = subprocess.run(  # noqa: S603 - a fixed argument list, our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), "triage"],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=True,
    )

    results = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    # "står på broen nu" is a place of danger in the present: critical since the levels were redefined.
    assert [result["level"] for result in results] == ["elevated", "normal", "critical"]
    assert results[0]["reasons"] == ["håbløshed"]


def test_laughter_does_not_silence_a_plan():
    # "lol" is mostly laughter, not the game: it must not turn a plan into play.
    assert score_message("lol jeg hopper ud fra broen i aften").level == "critical"
    assert score_message("jeg døde i lol haha").level == "normal"


def _assessed_by_every_rule(text: str) -> Assessment:
    """What the rules conclude when all of them run, whether or not the words hit anything."""
    clauses = triage.normalise(text)
    message = triage._Message(clauses, triage._hits(clauses))
    found: dict[str, tuple[int, float]] = {}
    for rule in triage._RULES:
        rule(message, found)
    assert not found and not message.hits
    return triage.NORMAL


def test_a_message_with_no_hit_is_normal_without_running_the_rules(monkeypatch):
    # The rules alone: the model may still raise such a message, which its own tests cover.
    texts = [row["text"] for row in labelled() if not triage._hits(triage.normalise(row["text"]))]
    texts += ["Hej, jeg vil gerne snakke lidt om min dag i skolen.", "ok", "det er fint, tak fordi du skriver"]
    assert len(texts) > 50
    expected = [_assessed_by_every_rule(text) for text in texts]

    def no_rules(*args: object) -> None:
        raise AssertionError("the rules ran for a message with no hit")

    monkeypatch.setattr(triage, "_Message", no_rules)
    assert [triage.score_rules(text) for text in texts] == expected
